"""GET /events end to end on a real server: the caller's own writes (and only theirs) as events with
their sync cursors as ids, resumption with Last-Event-ID, heartbeats, revocation, and no pooled
connection held while a stream waits."""

import asyncio
import json
import time

import pytest
from sqlalchemy import update

from tests.events.conftest import HEARTBEAT, live_server, open_stream, with_settings
from tests.factories import make_task, make_user
from todo_app.sync import feed
from todo_app.users.models import User


def cursor_of(live, user, text):
    return feed.decode_cursor(text, secret=feed.secret_for(live.app.state), owner=user["id"])


async def test_own_writes_arrive_with_their_kinds_and_cursors(live):
    c, ann = live.client, await make_user(live.client)
    h = ann["headers"]
    task = {"id": 0}
    writes = [
        lambda: c.post("/tasks", json={"title": "first"}, headers=h),
        lambda: c.patch(f"/tasks/{task['id']}", json={"title": "renamed"}, headers=h),
        lambda: c.patch(f"/tasks/{task['id']}/complete", headers=h),
        lambda: c.delete(f"/tasks/{task['id']}", headers=h),
        lambda: c.post(f"/trash/{task['id']}/restore", headers=h),
        lambda: c.delete(f"/tasks/{task['id']}", headers=h),
        lambda: c.delete(f"/trash/{task['id']}", headers=h),
    ]
    events = []
    async with open_stream(c, h) as stream:
        for write in writes:
            r = await write()
            assert r.status_code in (200, 201, 204), r.text
            task = r.json() if r.status_code == 201 else task
            # (awaited one by one: a stream that reads after several writes sends each task once,
            # as it is by then)
            events.append(await stream.event())

    kinds = [e.event for e in events]
    assert kinds == [
        "task.created",
        "task.updated",
        "task.updated",
        "task.deleted",
        "task.restored",
        "task.deleted",
        "task.deleted",
    ]
    datas = [json.loads(e.data) for e in events]
    assert (datas[0]["id"], datas[0]["title"]) == (task["id"], "first")
    assert (datas[1]["title"], datas[2]["completed"]) == ("renamed", True)
    assert datas[3] == datas[5] == datas[6] == {"id": task["id"]}
    assert (datas[4]["id"], datas[4]["title"]) == (task["id"], "renamed")
    positions = [cursor_of(live, ann, e.id) for e in events]
    assert positions == sorted(set(positions))  # increasing, all different
    assert cursor_of(live, ann, stream.opening.id) < positions[0]
    # An event's id is a sync cursor: GET /sync from the last one has nothing new.
    r = await c.get("/sync", params={"since": events[-1].id}, headers=h)
    assert r.status_code == 200
    assert (r.json()["changed"], r.json()["deleted"]) == ([], [])


async def test_a_bulk_change_is_one_event_per_task(live):
    c, ann = live.client, await make_user(live.client)
    ids = {(await make_task(c, ann))["id"] for _ in range(3)}
    async with open_stream(c, ann["headers"]) as stream:
        r = await c.patch("/tasks", json={"completed": True}, headers=ann["headers"])
        assert r.json() == {"updated": 3}
        events = [await stream.event() for _ in range(3)]
    assert {e.event for e in events} == {"task.updated"}
    assert {json.loads(e.data)["id"] for e in events} == ids
    assert len({e.id for e in events}) == 3


async def test_another_users_writes_never_arrive(live):
    c = live.client
    ann, bob = await make_user(c), await make_user(c)
    async with open_stream(c, ann["headers"]) as anns, open_stream(c, bob["headers"]) as bobs:
        bobs_task = await make_task(c, bob, title="bob's")
        assert json.loads((await bobs.event()).data)["title"] == "bob's"
        await c.patch(f"/tasks/{bobs_task['id']}", json={"title": "still bob's"}, headers=bob["headers"])
        assert json.loads((await bobs.event()).data)["title"] == "still bob's"
        anns_task = await make_task(c, ann, title="ann's")
        # Bob's writes came first; Ann's stream's first event is her own.
        first = await anns.event()
        assert json.loads(first.data)["id"] == anns_task["id"]


async def test_last_event_id_replays_what_was_missed_each_task_once(live):
    c, ann = live.client, await make_user(live.client)
    h = ann["headers"]
    async with open_stream(c, h) as stream:
        kept = await make_task(c, ann, title="kept")
        seen = await stream.event()
    # While disconnected: a new task, the first one changed twice, another created and deleted.
    added = await make_task(c, ann, title="added")
    await c.patch(f"/tasks/{kept['id']}", json={"title": "kept, renamed"}, headers=h)
    await c.patch(f"/tasks/{kept['id']}", json={"title": "kept, renamed twice"}, headers=h)
    gone = await make_task(c, ann, title="gone")
    await c.delete(f"/tasks/{gone['id']}", headers=h)

    missed = [
        ("task.created", added["id"], "added"),
        ("task.updated", kept["id"], "kept, renamed twice"),
        ("task.deleted", gone["id"], None),
    ]
    for how in ("header", "query"):
        headers = {**h, "Last-Event-ID": seen.id} if how == "header" else h
        params = {"last_event_id": seen.id} if how == "query" else {}
        async with open_stream(c, headers, **params) as stream:
            assert stream.opening.id == seen.id
            replay = [await stream.event() for _ in missed]
            assert [
                (e.event, json.loads(e.data)["id"], json.loads(e.data).get("title")) for e in replay
            ] == missed
            later = await make_task(c, ann, title=f"later, {how}")  # then it goes on live
            assert json.loads((await stream.event()).data)["id"] == later["id"]
        missed.append(("task.created", later["id"], later["title"]))


async def test_a_new_stream_starts_from_now_and_its_opening_id_resumes_it(live):
    c, ann = live.client, await make_user(live.client)
    await make_task(c, ann, title="before")
    async with open_stream(c, ann["headers"]) as stream:
        opening = stream.opening.id
    between = await make_task(c, ann, title="between")
    async with open_stream(c, {**ann["headers"], "Last-Event-ID": opening}) as stream:
        event = await stream.event()
        assert json.loads(event.data)["id"] == between["id"]


async def test_idle_streams_get_a_heartbeat_comment(live):
    c, ann = live.client, await make_user(live.client)
    async with open_stream(c, ann["headers"]) as stream:
        message = await stream.message(within=HEARTBEAT * 20)
        assert message.comments == ["keep-alive"]
        assert message.fields == []


@pytest.mark.parametrize(
    "last_event_id",
    ["nonsense", "d1-1", "d1-1.AAAAAAAAAAAAAAAA", "x" * 300, "f0-0.{sig}", "d5-1.{other}"],
)
async def test_a_malformed_or_foreign_last_event_id_is_422_before_the_stream(live, last_event_id):
    c = live.client
    ann, bob = await make_user(c), await make_user(c)
    secret = feed.secret_for(live.app.state)
    last_event_id = last_event_id.format(
        sig=feed.encode_cursor(feed.Position(0, 0), secret=secret, owner=ann["id"], prefix="f").split(".")[1],
        other=feed.encode_cursor(feed.Position(5, 1), secret=secret, owner=bob["id"]).split(".")[1],
    )
    r = await c.get("/events", headers={**ann["headers"], "Last-Event-ID": last_event_id})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str | list)


async def test_a_last_event_id_older_than_the_log_is_answered_with_reset(live):
    c, ann = live.client, await make_user(live.client)
    async with open_stream(c, ann["headers"]) as stream:
        await make_task(c, ann)
        old = (await stream.event()).id
    for _ in range(3):
        await make_task(c, ann)
    async with live.app.state.db.connection() as db:  # as compaction leaves it
        await db.execute(update(User).where(User.id == ann["id"]).values(change_floor=3))
    async with c.stream("GET", "/events", headers={**ann["headers"], "Last-Event-ID": old}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert (await r.aread()) == b"event: reset\ndata: {}\n\n"


@pytest.mark.parametrize("how", ["logout", "logout-all", "password"])
async def test_a_signed_out_or_revoked_token_ends_its_stream(live, how):
    c, ann = live.client, await make_user(live.client)
    other = (
        await c.post("/auth/login", json={"email": ann["email"], "password": "correct horse battery"})
    ).json()
    h2 = {"Authorization": f"Bearer {other['access_token']}"}
    async with open_stream(c, ann["headers"]) as doomed, open_stream(c, h2) as survivor:
        if how == "logout":
            assert (await c.post("/auth/logout", headers=ann["headers"])).status_code == 204
        elif how == "logout-all":
            assert (await c.post("/auth/logout-all", headers=h2)).status_code == 204
        else:
            body = {"current_password": "correct horse battery", "new_password": "another fine password"}
            assert (await c.post("/auth/password", json=body, headers=h2)).status_code == 204
        ended = await doomed.end()
        assert all(m.event is None for m in ended)
        if how == "logout":  # only the signed-out token's stream ends
            task = await make_task(c, {**ann, "headers": h2})
            assert json.loads((await survivor.event()).data)["id"] == task["id"]
        else:
            await survivor.end()


async def test_streams_hold_no_pooled_connection_while_they_wait(settings):
    small = with_settings(settings, events_heartbeat_seconds=HEARTBEAT, db_pool_size=2, db_pool_timeout=5)
    async with live_server(small) as live:
        c, ann = live.client, await make_user(live.client)
        bob = await make_user(c)
        async with (
            open_stream(c, ann["headers"]) as a1,
            open_stream(c, ann["headers"]) as a2,
            open_stream(c, bob["headers"]),
            open_stream(c, bob["headers"]),
        ):
            for _ in range(3):
                task = await make_task(c, ann)
                assert (await c.get("/tasks", headers=ann["headers"])).status_code == 200
                for stream in (a1, a2):
                    assert json.loads((await stream.event()).data)["id"] == task["id"]


async def test_stopping_the_hub_ends_every_stream_and_refuses_new_ones(live):
    c, ann = live.client, await make_user(live.client)
    async with open_stream(c, ann["headers"]) as one, open_stream(c, ann["headers"]) as two:
        live.app.state.hub.drain()
        await asyncio.gather(one.end(), two.end())
    r = await c.get("/events", headers=ann["headers"])
    assert r.status_code == 503
    assert "retry-after" in r.headers


@pytest.mark.parametrize("how", ["logout", "logout-all", "password", "delete-account"])
async def test_revocation_ends_the_stream_at_once_not_at_the_next_heartbeat(settings, how):
    async with live_server(with_settings(settings, events_heartbeat_seconds=120)) as server:
        c, ann = server.client, await make_user(server.client)
        async with open_stream(c, ann["headers"]) as doomed:
            start = time.monotonic()
            if how == "logout":
                r = await c.post("/auth/logout", headers=ann["headers"])
            elif how == "logout-all":
                r = await c.post("/auth/logout-all", headers=ann["headers"])
            elif how == "password":
                body = {"current_password": "correct horse battery", "new_password": "another fine password"}
                r = await c.post("/auth/password", json=body, headers=ann["headers"])
            else:
                r = await c.request(
                    "DELETE", "/auth/me", json={"password": "correct horse battery"}, headers=ann["headers"]
                )
            assert r.status_code == 204
            await doomed.end(within=10)
            assert time.monotonic() - start < 10  # the heartbeat is 120 s away
