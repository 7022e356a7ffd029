"""PATCH /tasks and DELETE /tasks: one request changes or deletes every matching task of the caller's,
all or nothing, and the counts stay exact."""

import asyncio

import pytest

from tests.clock import iso, make_noon_user
from tests.factories import make_task, make_user


async def bulk(client, user, body, **params):
    return await client.patch("/tasks", params=params, json=body, headers=user["headers"])


async def listing(client, user, **params) -> list[dict]:
    r = await client.get("/tasks", params={"limit": 500, **params}, headers=user["headers"])
    assert r.status_code == 200
    assert r.headers["x-total-count"] == str(len(r.json()))
    return r.json()


async def counts(client, user) -> tuple[int, int, int]:
    """(all, done, open), each an exact X-Total-Count."""
    out = [len(await listing(client, user, **p)) for p in ({}, {"completed": "true"}, {"completed": "false"})]
    return out[0], out[1], out[2]


async def by_id(client, user) -> dict[int, dict]:
    return {t["id"]: t for t in await listing(client, user)}


def id_list(*tasks) -> str:
    return ",".join(str(t["id"]) for t in tasks)


async def test_complete_the_open_ones(client):
    ann, bob = await make_user(client), await make_user(client)
    done = await make_task(client, ann, completed=True)
    for _ in range(3):
        await make_task(client, ann)
    bobs = await make_task(client, bob)
    r = await bulk(client, ann, {"completed": True}, completed="false")
    assert r.status_code == 200
    assert r.json() == {"updated": 3}
    assert await counts(client, ann) == (4, 4, 0)
    tasks = await by_id(client, ann)
    assert tasks[done["id"]]["completed_at"] == done["completed_at"]
    assert all(t["completed_at"] is not None for t in tasks.values())
    assert (await listing(client, bob)) == [bobs]


async def test_no_filter_means_every_task_of_the_callers(client):
    ann, bob = await make_user(client), await make_user(client)
    for _ in range(3):
        await make_task(client, ann, completed=True)
    bobs = await make_task(client, bob, completed=True)
    r = await bulk(client, ann, {"completed": False})
    assert r.json() == {"updated": 3}
    assert await counts(client, ann) == (3, 0, 3)
    assert all(t["completed_at"] is None for t in await listing(client, ann))
    assert await listing(client, bob) == [bobs]


async def test_ids_of_another_users_tasks_are_ignored(client):
    ann, bob = await make_user(client), await make_user(client)
    a, b, c = [await make_task(client, ann, priority="low") for _ in range(3)]
    bobs = await make_task(client, bob, priority="low")
    r = await bulk(client, ann, {"priority": "urgent"}, ids=id_list(a, c, bobs))
    assert r.json() == {"updated": 2}
    tasks = await by_id(client, ann)
    assert [tasks[t["id"]]["priority"] for t in (a, b, c)] == ["urgent", "low", "urgent"]
    assert await listing(client, bob) == [bobs]
    r = await bulk(client, bob, {"priority": "high"}, ids=id_list(a, b))
    assert r.json() == {"updated": 0}
    assert (await by_id(client, ann))[b["id"]]["priority"] == "low"


async def test_updated_counts_every_matching_task(client):
    user = await make_user(client)
    done, open_ = await make_task(client, user, completed=True), await make_task(client, user)
    r = await bulk(client, user, {"completed": True}, ids=id_list(done, open_))
    assert r.json() == {"updated": 2}
    assert (await bulk(client, user, {"completed": True}, tag="none-has-it")).json() == {"updated": 0}


async def test_due_date_and_time(client):
    user = await make_user(client)
    a, b = await make_task(client, user), await make_task(client, user, due_date="2026-01-01")
    r = await bulk(client, user, {"due_date": "2026-04-01", "due_time": "10:00"}, ids=id_list(a, b))
    assert r.json() == {"updated": 2}
    for task in (await by_id(client, user)).values():
        assert (task["due_date"], task["due_time"]) == ("2026-04-01", "10:00")
    assert (await bulk(client, user, {"due_date": None}, ids=id_list(a))).json() == {"updated": 1}
    tasks = await by_id(client, user)
    assert (tasks[a["id"]]["due_date"], tasks[a["id"]]["due_time"]) == (None, None)
    assert (tasks[b["id"]]["due_date"], tasks[b["id"]]["due_time"]) == ("2026-04-01", "10:00")


async def test_add_and_remove_tags(client):
    user = await make_user(client)
    t1 = await make_task(client, user, tags=["Work"])
    t2 = await make_task(client, user)
    t3 = await make_task(client, user, tags=["home"])
    r = await bulk(client, user, {"add_tags": ["work", "Urgent", "URGENT"]}, ids=id_list(t1, t2))
    assert r.json() == {"updated": 2}
    tasks = await by_id(client, user)
    assert [tasks[t["id"]]["tags"] for t in (t1, t2, t3)] == [
        ["Urgent", "Work"],
        ["Urgent", "Work"],
        ["home"],
    ]
    assert (await bulk(client, user, {"remove_tags": ["WORK", "nope"]})).json() == {"updated": 3}
    tasks = await by_id(client, user)
    assert [tasks[t["id"]]["tags"] for t in (t1, t2, t3)] == [["Urgent"], ["Urgent"], ["home"]]


async def test_reschedule_the_overdue(client):
    user = await make_noon_user(client)
    day = user["today"]
    await make_task(client, user, title="late", due_date=iso(day, -3))
    await make_task(client, user, title="later", due_date=iso(day), due_time="08:00")
    await make_task(client, user, title="fine", due_date=iso(day, 1))
    r = await bulk(client, user, {"due_date": iso(day, 2)}, overdue="true")
    assert r.json() == {"updated": 2}
    assert await listing(client, user, overdue="true") == []
    got = {t["title"]: (t["due_date"], t["due_time"]) for t in await listing(client, user)}
    assert got == {"late": (iso(day, 2), None), "later": (iso(day, 2), "08:00"), "fine": (iso(day, 1), None)}


@pytest.mark.parametrize(
    ("body", "query"),
    [
        ({}, ""),
        ({"title": "not bulk-editable"}, ""),
        ({"priority": "bogus"}, ""),
        ({"priority": None}, ""),
        ({"completed": None}, ""),
        ({"due_time": "10:00"}, ""),
        ({"due_date": None, "due_time": "10:00"}, ""),
        ({"due_date": "2026-02-30"}, ""),
        ({"add_tags": ["a,b"]}, ""),
        ({"add_tags": ["x" * 41]}, ""),
        ({"remove_tags": ["\x01"]}, ""),
        ({"completed": True}, "completed=maybe"),
        ({"completed": True}, "priority=extreme"),
        ({"completed": True}, "ids=1,zz"),
    ],
)
async def test_bad_bulk_patch_is_422_and_changes_nothing(client, body, query):
    user = await make_user(client)
    await make_task(client, user, due_date="2026-01-01", tags=["a"])
    before = await listing(client, user)
    r = await client.patch(f"/tasks?{query}", json=body, headers=user["headers"])
    assert r.status_code == 422, (body, query)
    assert await listing(client, user) == before


async def test_all_or_nothing_when_one_task_cannot_take_the_change(client):
    user = await make_user(client)
    await make_task(client, user, tags=[f"t{i}" for i in range(19)])
    await make_task(client, user)
    before = await listing(client, user)
    r = await bulk(client, user, {"add_tags": ["n1", "n2"], "priority": "high"})
    assert r.status_code == 422
    assert await listing(client, user) == before


async def test_counts_exact_after_bulk_changes_of_many(client):
    user = await make_user(client)
    await asyncio.gather(*(make_task(client, user, completed=i % 5 == 0) for i in range(50)))
    assert await counts(client, user) == (50, 10, 40)
    assert (await bulk(client, user, {"completed": True}, completed="false")).json() == {"updated": 40}
    assert await counts(client, user) == (50, 50, 0)
    assert (await bulk(client, user, {"completed": False})).json() == {"updated": 50}
    assert await counts(client, user) == (50, 0, 50)
    r = await client.delete("/tasks", params={"completed": "false"}, headers=user["headers"])
    assert r.json() == {"deleted": 50}
    assert await counts(client, user) == (0, 0, 0)


async def test_delete_by_filter_only_the_callers(client):
    ann, bob = await make_user(client), await make_user(client)
    keep = await make_task(client, ann, title="keep")
    await make_task(client, ann, title="done 1", completed=True)
    await make_task(client, ann, title="done 2", completed=True, tags=["x"])
    bobs = await make_task(client, bob, completed=True, tags=["x"])
    r = await client.delete("/tasks", params={"completed": "true"}, headers=ann["headers"])
    assert r.status_code == 200
    assert r.json() == {"deleted": 2}
    assert await listing(client, ann) == [keep]
    assert await counts(client, ann) == (1, 0, 1)
    assert await listing(client, bob) == [bobs]
    r = await client.delete("/tasks", params={"tag": "X"}, headers=ann["headers"])
    assert r.json() == {"deleted": 0}
    assert await listing(client, bob) == [bobs]


async def test_delete_by_ids_ignores_another_users(client):
    ann, bob = await make_user(client), await make_user(client)
    a, b = await make_task(client, ann), await make_task(client, ann)
    bobs = await make_task(client, bob)
    r = await client.delete("/tasks", params={"ids": id_list(a, bobs)}, headers=ann["headers"])
    assert r.json() == {"deleted": 1}
    assert await listing(client, ann) == [b]
    assert await listing(client, bob) == [bobs]


@pytest.mark.parametrize("query", ["", "?all=false", "?sort=title", "?limit=5", "?completed=maybe", "?q=%20"])
async def test_delete_without_a_filter_is_422_and_deletes_nothing(client, query):
    user = await make_user(client)
    await make_task(client, user)
    r = await client.delete(f"/tasks{query}", headers=user["headers"])
    assert r.status_code == 422, query
    assert await counts(client, user) == (1, 0, 1)


async def test_delete_all_deletes_only_the_callers(client):
    ann, bob = await make_user(client), await make_user(client)
    for i in range(3):
        await make_task(client, ann, completed=i == 0)
    bobs = await make_task(client, bob)
    r = await client.delete("/tasks", params={"all": "true"}, headers=ann["headers"])
    assert r.json() == {"deleted": 3}
    assert await counts(client, ann) == (0, 0, 0)
    assert await listing(client, bob) == [bobs]


async def test_bulk_routes_need_a_token(client):
    assert (await client.patch("/tasks", json={"completed": True})).status_code == 401
    assert (await client.delete("/tasks", params={"all": "true"})).status_code == 401
