"""X-Total-Count comes from per-user counters kept by database triggers: they must stay exact
through every kind of write, concurrent ones included."""

import asyncio

from tests.factories import make_task, make_user


async def totals(client, user) -> dict[str, tuple[int, int]]:
    """{filter: (X-Total-Count, rows actually listed)}"""
    out = {}
    for name, params in (("all", {}), ("done", {"completed": "true"}), ("open", {"completed": "false"})):
        r = await client.get("/tasks", params={**params, "limit": 500}, headers=user["headers"])
        out[name] = (int(r.headers["x-total-count"]), len(r.json()))
    return out


def assert_exact(counts: dict[str, tuple[int, int]], expected_all: int) -> None:
    for header, listed in counts.values():
        assert header == listed
    assert counts["all"][0] == expected_all
    assert counts["done"][0] + counts["open"][0] == expected_all


async def test_counters_follow_every_kind_of_write(client):
    ann, bob = await make_user(client), await make_user(client)
    tasks = [await make_task(client, ann, completed=i % 3 == 0) for i in range(9)]
    await make_task(client, bob, completed=True)
    assert_exact(await totals(client, ann), 9)
    h = ann["headers"]
    await client.patch(f"/tasks/{tasks[1]['id']}/complete", headers=h)
    await client.patch(f"/tasks/{tasks[0]['id']}", json={"completed": False}, headers=h)
    await client.patch(f"/tasks/{tasks[2]['id']}", json={"title": "title only"}, headers=h)
    body = {"title": "t", "description": None, "completed": True}
    await client.put(f"/tasks/{tasks[4]['id']}", json=body, headers=h)
    await client.put(f"/tasks/{tasks[4]['id']}", json=body, headers=h)  # unchanged: no double count
    await client.delete(f"/tasks/{tasks[3]['id']}", headers=h)
    await client.delete(f"/tasks/{tasks[5]['id']}", headers=h)
    counts = await totals(client, ann)
    assert_exact(counts, 7)
    assert counts["done"][0] == 3  # tasks 1, 4 and 6 (3 was deleted)
    # Bob's writes and attempts on Ann's tasks never move Ann's counters.
    await client.delete(f"/tasks/{tasks[6]['id']}", headers=bob["headers"])
    await client.patch(f"/tasks/{tasks[7]['id']}/complete", headers=bob["headers"])
    assert await totals(client, ann) == counts
    assert_exact(await totals(client, bob), 1)


async def test_counters_stay_exact_under_concurrent_writes(client):
    user = await make_user(client)
    made = await asyncio.gather(*(make_task(client, user) for _ in range(30)))
    h = user["headers"]
    await asyncio.gather(
        *(client.patch(f"/tasks/{t['id']}/complete", headers=h) for t in made[:20]),
        *(client.delete(f"/tasks/{t['id']}", headers=h) for t in made[15:25]),
        *(make_task(client, user) for _ in range(5)),
    )
    assert_exact(await totals(client, user), 25)


async def test_total_past_the_last_page(client):
    user = await make_user(client)
    for i in range(3):
        await make_task(client, user, completed=i == 0)
    for params, expected in (({}, "3"), ({"completed": "true"}, "1"), ({"completed": "false"}, "2")):
        r = await client.get("/tasks", params={**params, "offset": 10}, headers=user["headers"])
        assert r.json() == []
        assert r.headers["x-total-count"] == expected
