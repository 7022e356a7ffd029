"""The trash: deleting moves tasks there; they vanish from every listing, count, tag count and
search; they can be restored (same id and fields) or deleted for good, and go by themselves after
TRASH_RETENTION_DAYS."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.factories import PASSWORD, make_task, make_user
from todo_app.trash import service as trash


async def _ids(client, user, **params):
    r = await client.get("/tasks", params=params, headers=user["headers"])
    assert r.status_code == 200
    return [t["id"] for t in r.json()], int(r.headers["x-total-count"])


async def test_a_deleted_task_goes_to_the_trash_and_vanishes_everywhere(client):
    user = await make_user(client)
    keep = await make_task(client, user, title="keep searchable", tags=["work"])
    gone = await make_task(client, user, title="gone searchable", tags=["work", "solo"], priority="high")
    r = await client.delete(f"/tasks/{gone['id']}", headers=user["headers"])
    assert r.status_code == 204
    assert (await client.get(f"/tasks/{gone['id']}", headers=user["headers"])).status_code == 404
    assert (
        await client.patch(f"/tasks/{gone['id']}", json={"title": "x"}, headers=user["headers"])
    ).status_code == 404
    assert (await client.delete(f"/tasks/{gone['id']}", headers=user["headers"])).status_code == 404
    assert await _ids(client, user) == ([keep["id"]], 1)
    assert await _ids(client, user, q="searchable") == ([keep["id"]], 1)
    assert await _ids(client, user, tag="work") == ([keep["id"]], 1)
    assert await _ids(client, user, priority="high") == ([], 0)
    assert await _ids(client, user, completed="false") == ([keep["id"]], 1)
    tags = (await client.get("/tags", headers=user["headers"])).json()
    assert tags == [{"name": "work", "tasks": 1, "open": 1}]
    r = await client.get("/trash", headers=user["headers"])
    assert r.headers["x-total-count"] == "1"
    [trashed] = r.json()
    assert trashed["id"] == gone["id"]
    assert trashed["tags"] == ["solo", "work"]
    assert trashed["deleted_at"] is not None
    assert datetime.fromisoformat(trashed["deleted_at"]) > datetime.now(UTC) - timedelta(minutes=1)


async def test_restore_brings_back_the_same_task_with_its_tags(client):
    user = await make_user(client)
    task = await make_task(
        client,
        user,
        title="t",
        description="d",
        tags=["Work", "home"],
        priority="urgent",
        due_date="2030-01-02",
        due_time="09:30",
    )
    await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    before = (await client.get(f"/tasks/{task['id']}", headers=user["headers"])).json()
    await client.delete(f"/tasks/{task['id']}", headers=user["headers"])
    assert (await client.get("/tags", headers=user["headers"])).json() == []
    r = await client.post(f"/trash/{task['id']}/restore", headers=user["headers"])
    assert r.status_code == 200
    restored = r.json()
    assert r.headers["etag"] == f'"{restored["version"]}"'
    assert restored["version"] > before["version"]
    assert {k: v for k, v in restored.items() if k != "version"} == {
        k: v for k, v in before.items() if k != "version"
    }
    assert await _ids(client, user, tag="work") == ([task["id"]], 1)
    assert [t["name"] for t in (await client.get("/tags", headers=user["headers"])).json()] == [
        "home",
        "Work",
    ]
    me = await client.get("/tasks", params={"completed": "true"}, headers=user["headers"])
    assert me.headers["x-total-count"] == "1"
    assert (await client.get("/trash", headers=user["headers"])).json() == []
    assert (await client.post(f"/trash/{task['id']}/restore", headers=user["headers"])).status_code == 404


async def test_bulk_delete_and_clear_completed_go_to_the_trash(client):
    user = await make_user(client)
    tasks = [await make_task(client, user, title=f"t{i}") for i in range(4)]
    for t in tasks[:3]:
        await client.patch(f"/tasks/{t['id']}/complete", headers=user["headers"])
    r = await client.delete("/tasks", params={"completed": "true"}, headers=user["headers"])
    assert r.json() == {"deleted": 3}
    assert await _ids(client, user) == ([tasks[3]["id"]], 1)
    r = await client.get("/trash", params={"limit": 2}, headers=user["headers"])
    assert r.headers["x-total-count"] == "3"
    assert len(r.json()) == 2
    r = await client.get("/trash", params={"limit": 2, "offset": 2}, headers=user["headers"])
    assert len(r.json()) == 1
    for t in tasks[:3]:
        assert (await client.post(f"/trash/{t['id']}/restore", headers=user["headers"])).status_code == 200
    assert await _ids(client, user, completed="true") == ([t["id"] for t in reversed(tasks[:3])], 3)


async def test_delete_for_good_and_empty_the_trash(client):
    user = await make_user(client)
    a, b, c = [await make_task(client, user) for _ in range(3)]
    for t in (a, b):
        await client.delete(f"/tasks/{t['id']}", headers=user["headers"])
    assert (await client.delete(f"/trash/{c['id']}", headers=user["headers"])).status_code == 404  # live
    assert (await client.delete(f"/trash/{a['id']}", headers=user["headers"])).status_code == 204
    assert (await client.delete(f"/trash/{a['id']}", headers=user["headers"])).status_code == 404
    assert (await client.post(f"/trash/{a['id']}/restore", headers=user["headers"])).status_code == 404
    assert (await client.delete("/trash", headers=user["headers"])).status_code == 204
    assert (await client.get("/trash", headers=user["headers"])).json() == []
    assert await _ids(client, user) == ([c["id"]], 1)


async def test_another_users_trash_is_invisible(client):
    owner, other = await make_user(client), await make_user(client)
    task = await make_task(client, owner)
    await client.delete(f"/tasks/{task['id']}", headers=owner["headers"])
    assert (await client.get("/trash", headers=other["headers"])).json() == []
    assert (await client.post(f"/trash/{task['id']}/restore", headers=other["headers"])).status_code == 404
    assert (await client.delete(f"/trash/{task['id']}", headers=other["headers"])).status_code == 404
    await client.delete("/trash", headers=other["headers"])
    assert len((await client.get("/trash", headers=owner["headers"])).json()) == 1


async def test_bad_ids_and_pages_are_4xx(client):
    user = await make_user(client)
    for bad in ("0", "-1", "99999999999999999999", "abc"):
        r = await client.post(f"/trash/{bad}/restore", headers=user["headers"])
        assert r.status_code in (404, 422), (bad, r.status_code)
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}):
        assert (await client.get("/trash", params=params, headers=user["headers"])).status_code == 422


async def test_tasks_trashed_longer_than_the_retention_are_deleted_for_good(app, client):
    user = await make_user(client)
    old, recent = await make_task(client, user), await make_task(client, user)
    for t in (old, recent):
        await client.delete(f"/tasks/{t['id']}", headers=user["headers"])
    async with app.state.db.connection() as db:
        await db.execute(
            text("UPDATE task SET deleted_at = :at WHERE id = :id"),
            {"at": datetime.now(UTC) - timedelta(days=31), "id": old["id"]},
        )
        assert await trash.purge_expired(db, retention_days=30) == 1
        assert await trash.purge_expired(db, retention_days=30) == 0
    ids = [t["id"] for t in (await client.get("/trash", headers=user["headers"])).json()]
    assert ids == [recent["id"]]


async def test_deleting_the_account_removes_its_trash_too(app, client):
    user = await make_user(client)
    task = await make_task(client, user)
    await client.delete(f"/tasks/{task['id']}", headers=user["headers"])
    r = await client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=user["headers"])
    assert r.status_code == 204
    async with app.state.db.connection() as db:
        assert await db.scalar(text("SELECT count(*) FROM task WHERE id = :id"), {"id": task["id"]}) == 0
        assert (
            await db.scalar(text("SELECT count(*) FROM task_change WHERE task_id = :id"), {"id": task["id"]})
            == 0
        )
