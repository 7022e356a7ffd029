"""Delta sync: GET /sync gives every live task and a cursor; GET /sync?since= gives what changed.
A client that applies the answers in order holds exactly the server's tasks, whatever other devices
did in between."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.factories import make_task, make_user
from todo_app.sync import compaction


class Device:
    """A client keeping a local copy of its owner's tasks by /sync alone."""

    def __init__(self, client, user, limit=None):
        self.client, self.user, self.limit = client, user, limit
        self.tasks: dict[int, dict] = {}
        self.cursor: str | None = None

    async def _get(self, since=None):
        params = {}
        if since is not None:
            params["since"] = since
        if self.limit:
            params["limit"] = self.limit
        r = await self.client.get("/sync", params=params, headers=self.user["headers"])
        assert r.status_code == 200, r.text
        return r.json()

    async def sync(self):
        body = await self._get(self.cursor)
        if self.cursor is None:
            self.tasks = {}
        while True:
            if "tasks" in body:
                self.tasks.update({t["id"]: t for t in body["tasks"]})
            else:
                self.tasks.update({t["id"]: t for t in body["changed"]})
                for task_id in body["deleted"]:
                    self.tasks.pop(task_id, None)
            self.cursor = body["cursor"]
            if not body["more"]:
                return
            body = await self._get(self.cursor)


async def server_state(client, user):
    fresh = Device(client, user)
    await fresh.sync()
    return fresh.tasks


async def test_full_sync_gives_every_live_task_and_pages(client):
    user = await make_user(client)
    tasks = [await make_task(client, user, title=f"t{i}") for i in range(7)]
    await client.delete(f"/tasks/{tasks[0]['id']}", headers=user["headers"])
    r = await client.get("/sync", params={"limit": 3}, headers=user["headers"])
    body = r.json()
    assert [t["id"] for t in body["tasks"]] == [t["id"] for t in tasks[1:4]]
    assert body["more"] is True
    device = Device(client, user, limit=3)
    await device.sync()
    assert sorted(device.tasks) == sorted(t["id"] for t in tasks[1:])
    assert (
        device.tasks[tasks[1]["id"]]
        == (await client.get(f"/tasks/{tasks[1]['id']}", headers=user["headers"])).json()
    )


async def test_delta_sends_each_changed_task_once_as_it_is_now(client):
    user = await make_user(client)
    a = await make_task(client, user, title="a")
    b = await make_task(client, user, title="b")
    c = await make_task(client, user, title="c")
    device = Device(client, user)
    await device.sync()
    h = user["headers"]
    await client.patch(f"/tasks/{a['id']}", json={"title": "a1"}, headers=h)
    await client.patch(f"/tasks/{a['id']}", json={"title": "a2"}, headers=h)
    await client.delete(f"/tasks/{b['id']}", headers=h)
    d = await make_task(client, user, title="d")
    await client.delete(f"/tasks/{c['id']}", headers=h)
    await client.post(f"/trash/{c['id']}/restore", headers=h)
    r = await client.get("/sync", params={"since": device.cursor}, headers=h)
    body = r.json()
    assert [t["title"] for t in body["changed"]] == ["a2", "d", "c"]
    assert body["deleted"] == [b["id"]]
    assert body["more"] is False
    # nothing new: nothing sent, the cursor still works
    again = (await client.get("/sync", params={"since": body["cursor"]}, headers=h)).json()
    assert (again["changed"], again["deleted"], again["more"]) == ([], [], False)
    await client.delete(f"/trash/{b['id']}", headers=h)  # already reported deleted; purged now
    await client.delete(f"/tasks/{d['id']}", headers=h)
    await client.delete("/trash", headers=h)
    body = (await client.get("/sync", params={"since": again["cursor"]}, headers=h)).json()
    assert body["changed"] == []
    assert sorted(body["deleted"]) == sorted([b["id"], d["id"]])


async def test_every_kind_of_single_task_write_reaches_the_feed(client):
    user = await make_user(client)
    h = user["headers"]
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}"
    device = Device(client, user)
    await device.sync()
    writes = [
        lambda: client.patch(f"{url}/complete", headers=h),
        lambda: client.put(url, json={"title": "put", "description": None, "completed": False}, headers=h),
        lambda: client.patch(url, json={"due_date": "2031-05-06", "priority": "low"}, headers=h),
        lambda: client.patch(url, json={"tags": ["t"]}, headers=h),
        lambda: client.patch("/tags/t", json={"name": "T2"}, headers=h),
    ]
    for write in writes:
        assert (await write()).status_code == 200
        await device.sync()
        assert device.tasks == await server_state(client, user)


async def test_tag_changes_and_bulk_changes_reach_the_feed(client):
    user = await make_user(client)
    h = user["headers"]
    tagged = await make_task(client, user, tags=["home"])
    other = await make_task(client, user)
    device = Device(client, user)
    await device.sync()
    await client.patch("/tags/home", json={"name": "House"}, headers=h)
    await client.patch("/tasks", json={"completed": True}, headers=h)
    await device.sync()
    assert device.tasks[tagged["id"]]["tags"] == ["House"]
    assert device.tasks[other["id"]]["completed"] is True
    await client.delete("/tags/House", headers=h)
    await client.delete("/tasks", params={"all": "true"}, headers=h)
    await device.sync()
    assert device.tasks == {}
    assert device.tasks == await server_state(client, user)


async def test_bad_cursors_are_422_and_too_old_ones_410(app, client):
    owner, other = await make_user(client), await make_user(client)
    h = owner["headers"]
    task = await make_task(client, owner)
    body = (await client.get("/sync", headers=h)).json()
    cursor = body["cursor"]
    for bad in ("", "x", "d1-1.AAAA", cursor[:-2] + "zz", cursor + "x", "f" + cursor[1:]):
        r = await client.get("/sync", params={"since": bad}, headers=h)
        assert r.status_code == 422, bad
        assert "cursor" in r.json()["detail"]
    assert (await client.get("/sync", params={"since": cursor}, headers=other["headers"])).status_code == 422
    listing = await client.get("/tasks", params={"limit": 1}, headers=h)
    assert "link" not in listing.headers  # (one task: no listing cursor to try; covered by prefix check)
    assert (await client.get("/sync", params={"since": "a" * 300}, headers=h)).status_code == 422
    # purge a task, age its record past the retention, compact: the old cursor cannot be answered
    await client.delete(f"/tasks/{task['id']}", headers=h)
    await client.delete(f"/trash/{task['id']}", headers=h)
    fresh = (await client.get("/sync", headers=h)).json()["cursor"]
    async with app.state.db.connection() as db:
        await db.execute(
            text("UPDATE task_change SET changed_at = :at"), {"at": datetime.now(UTC) - timedelta(days=40)}
        )
        assert await compaction.compact(db, keep_days=30) >= 1
    r = await client.get("/sync", params={"since": cursor}, headers=h)
    assert r.status_code == 410
    assert "GET /sync" in r.json()["detail"]
    assert (await client.get("/sync", params={"since": fresh}, headers=h)).status_code == 200


async def test_compaction_never_changes_an_answer(app, client):
    user = await make_user(client)
    h = user["headers"]
    start = (await client.get("/sync", headers=h)).json()["cursor"]
    tasks = [await make_task(client, user, title=f"t{i}") for i in range(5)]
    for t in tasks:
        await client.patch(f"/tasks/{t['id']}", json={"title": t["title"] + "!"}, headers=h)
    await client.delete(f"/tasks/{tasks[0]['id']}", headers=h)
    await client.delete(f"/trash/{tasks[0]['id']}", headers=h)
    await client.delete(f"/tasks/{tasks[1]['id']}", headers=h)
    before = (await client.get("/sync", params={"since": start}, headers=h)).json()
    async with app.state.db.connection() as db:
        removed = await compaction.compact(db, keep_days=30)
        assert removed >= 5  # the first versions of every task, and the purged task's older rows
        rows = await db.scalar(text("SELECT count(*) FROM task_change"))
    assert rows == 5  # one per task: its latest change
    after = (await client.get("/sync", params={"since": start}, headers=h)).json()
    assert after == before


async def test_randomized_devices_end_equal_to_the_server(client):
    """Two devices write at random, at the same time, and sync in between (with small pages)."""
    user = await make_user(client)
    h = user["headers"]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    devices = [Device(client, user, limit=rng.choice([2, 3, 500])) for _ in range(2)]
    trashed: set[int] = set()

    async def live_ids():
        return list((await server_state(client, user)).keys())

    async def act(device: Device):
        ids = list(device.tasks) or [0]
        target = rng.choice(ids)
        op = rng.choice(
            ["create", "create", "patch", "toggle", "delete", "restore", "purge", "bulk", "tags", "sync"]
        )
        if op == "create":
            await client.post(
                "/tasks",
                json={"title": f"n{rng.random():.5f}", "tags": rng.sample(["a", "b", "c"], 1)},
                headers=h,
            )
        elif op == "patch":
            await client.patch(f"/tasks/{target}", json={"title": f"p{rng.random():.5f}"}, headers=h)
        elif op == "toggle":
            await client.patch(f"/tasks/{target}/complete", headers=h)
        elif op == "delete":
            if (await client.delete(f"/tasks/{target}", headers=h)).status_code == 204:
                trashed.add(target)
        elif op == "restore" and trashed:
            await client.post(f"/trash/{rng.choice(sorted(trashed))}/restore", headers=h)
        elif op == "purge" and trashed:
            await client.delete(f"/trash/{rng.choice(sorted(trashed))}", headers=h)
        elif op == "bulk":
            await client.patch(
                "/tasks",
                params={"tag": rng.choice("abc")},
                json={"priority": rng.choice(["low", "high"])},
                headers=h,
            )
        elif op == "tags":
            await client.patch(
                f"/tasks/{target}", json={"tags": rng.sample(["a", "b", "c", "d"], 2)}, headers=h
            )
        await device.sync()

    for round_ in range(40):
        await asyncio.gather(*(act(device) for device in devices), devices[rng.randrange(2)].sync())
        # whenever the writes pause, every device holds exactly the server's tasks
        for device in devices:
            await device.sync()
        state = await server_state(client, user)
        for device in devices:
            assert device.tasks == state, f"seed {seed}, round {round_}"
    assert state, f"seed {seed}"
    assert sorted(state) == sorted(await live_ids())
