"""GET /tasks: every filter (combined with AND), every sort with its tie rule, pages and totals."""

import pytest

from tests.clock import iso, make_noon_user, make_user_in, today, zones_on_different_days
from tests.factories import make_task, make_user


async def titles(client, user, **params) -> list[str]:
    """Titles of every matching task, in order; X-Total-Count must be the number listed."""
    r = await client.get("/tasks", params={"limit": 500, **params}, headers=user["headers"])
    assert r.status_code == 200, r.text
    assert r.headers["x-total-count"] == str(len(r.json()))
    return [t["title"] for t in r.json()]


async def make_all(client, user, specs: list[tuple[str, dict]]) -> dict[str, dict]:
    """Tasks made one after the other (ids and created_at rise in list order)."""
    return {title: await make_task(client, user, title=title, **fields) for title, fields in specs}


async def test_completed_filter_combines_with_others(client):
    user = await make_user(client)
    specs = [
        ("open-high", {"priority": "high"}),
        ("done-high", {"priority": "high", "completed": True}),
        ("open-low", {"priority": "low"}),
    ]
    await make_all(client, user, specs)
    assert await titles(client, user, completed="true") == ["done-high"]
    assert await titles(client, user, completed="false") == ["open-low", "open-high"]
    assert await titles(client, user, completed="false", priority="high") == ["open-high"]


async def test_priority_is_any_of(client):
    user = await make_user(client)
    specs = [("n", "none"), ("l", "low"), ("h", "high"), ("u", "urgent"), ("h2", "high")]
    await make_all(client, user, [(t, {"priority": p}) for t, p in specs])
    assert await titles(client, user, priority="high") == ["h2", "h"]
    assert await titles(client, user, priority=["high", "urgent"]) == ["h2", "u", "h"]
    assert await titles(client, user, priority="none") == ["n"]
    assert await titles(client, user, priority="medium") == []


async def test_tag_is_all_of_and_case_insensitive(client):
    user = await make_user(client)
    specs = [("a", ["Work"]), ("b", ["work", "Home"]), ("c", ["home"]), ("d", [])]
    await make_all(client, user, [(t, {"tags": tags}) for t, tags in specs])
    assert await titles(client, user, tag="WORK") == ["b", "a"]
    assert await titles(client, user, tag="home") == ["c", "b"]
    assert await titles(client, user, tag=["work", "HOME"]) == ["b"]
    assert await titles(client, user, tag="nope") == []
    assert await titles(client, user, tag=["work", "nope"]) == []


async def test_q_words_are_substrings_of_title_or_description(client):
    user = await make_user(client)
    specs = [
        ("Buy milk", {}),
        ("Bake cake", {"description": "buy flour and MILK"}),
        ("Call Bob", {"description": "about the cake"}),
    ]
    await make_all(client, user, specs)
    assert await titles(client, user, q="milk") == ["Bake cake", "Buy milk"]
    assert await titles(client, user, q="ILK") == ["Bake cake", "Buy milk"]
    assert await titles(client, user, q="BUY  milk") == ["Bake cake", "Buy milk"]
    assert await titles(client, user, q="bake milk") == ["Bake cake"]
    assert await titles(client, user, q="cake") == ["Call Bob", "Bake cake"]
    assert await titles(client, user, q="milk zebra") == []
    assert await titles(client, user, q="   ") == ["Call Bob", "Bake cake", "Buy milk"]


async def test_q_has_no_wildcards(client):
    user = await make_user(client)
    await make_all(
        client, user, [(t, {}) for t in ("100% done", "1000 things", "a_b", "axb", "C:\\tmp", "it's")]
    )
    assert await titles(client, user, q="100%") == ["100% done"]
    assert await titles(client, user, q="a_b") == ["a_b"]
    assert await titles(client, user, q="%") == ["100% done"]
    assert await titles(client, user, q="_") == ["a_b"]
    assert await titles(client, user, q="\\") == ["C:\\tmp"]
    assert await titles(client, user, q="'") == ["it's"]


async def test_q_takes_search_syntax_literally(client):
    user = await make_user(client)
    specs = ['say "hello"', "a*b*c", "x:y:z", "(abc) AND", "NEAR it", "-minus+"]
    await make_all(client, user, [(t, {}) for t in specs])
    for q, expected in [
        ('"hello"', ['say "hello"']),
        ("a*b", ["a*b*c"]),
        ("x:y", ["x:y:z"]),
        ("(abc)", ["(abc) AND"]),
        ("and", ["(abc) AND"]),
        ("NEAR", ["NEAR it"]),
        ("-minus+", ["-minus+"]),
        ('"', ['say "hello"']),
    ]:
        assert await titles(client, user, q=q) == expected, q


async def test_due_range_is_inclusive_and_has_due(client):
    user = await make_user(client)
    specs = [
        ("a", {"due_date": "2026-03-01"}),
        ("b", {"due_date": "2026-03-02", "due_time": "23:00"}),
        ("c", {"due_date": "2026-03-02"}),
        ("d", {"due_date": "2026-03-03"}),
        ("e", {}),
    ]
    await make_all(client, user, specs)
    assert await titles(client, user, due_after="2026-03-02") == ["d", "c", "b"]
    assert await titles(client, user, due_before="2026-03-02") == ["c", "b", "a"]
    assert await titles(client, user, due_after="2026-03-02", due_before="2026-03-02") == ["c", "b"]
    assert await titles(client, user, due_after="2026-03-04") == []
    assert await titles(client, user, has_due="true") == ["d", "c", "b", "a"]
    assert await titles(client, user, has_due="false") == ["e"]


async def test_overdue_in_the_owners_zone(client):
    user = await make_noon_user(client)  # local time 12:xx
    day = user["today"]
    specs = [
        ("yesterday", {"due_date": iso(day, -1)}),
        ("yesterday-late", {"due_date": iso(day, -1), "due_time": "23:59"}),
        ("today-8", {"due_date": iso(day), "due_time": "08:00"}),
        ("today", {"due_date": iso(day)}),
        ("today-20", {"due_date": iso(day), "due_time": "20:00"}),
        ("tomorrow", {"due_date": iso(day, 1)}),
        ("no-due", {}),
        ("done-yesterday", {"due_date": iso(day, -1), "completed": True}),
    ]
    await make_all(client, user, specs)
    overdue = ["today-8", "yesterday-late", "yesterday"]
    assert await titles(client, user, overdue="true") == overdue
    rest = [t for t, _ in reversed(specs) if t not in overdue]
    assert await titles(client, user, overdue="false") == rest
    assert await titles(client, user, overdue="true", completed="true") == []
    assert await titles(client, user, overdue="false", has_due="false") == ["no-due"]


async def test_a_date_is_overdue_from_the_next_day_of_the_owners_zone(client):
    west_zone, east_zone = zones_on_different_days()
    west, east = await make_user_in(client, west_zone), await make_user_in(client, east_zone)
    due = iso(today(west_zone))  # today in the west, already past in the east
    await make_task(client, west, title="w", due_date=due)
    await make_task(client, east, title="e", due_date=due)
    assert await titles(client, west, overdue="true") == []
    assert await titles(client, east, overdue="true") == ["e"]


async def test_ids_are_only_the_callers(client):
    ann, bob = await make_user(client), await make_user(client)
    made = await make_all(client, ann, [(t, {}) for t in ("a", "b", "c")])
    bobs = await make_task(client, bob, title="bob's")
    wanted = f"{made['a']['id']},{made['c']['id']},{bobs['id']},99999999"
    assert await titles(client, ann, ids=wanted) == ["c", "a"]
    assert await titles(client, ann, ids=wanted, completed="true") == []
    assert await titles(client, ann, ids=str(bobs["id"])) == []


async def test_sort_created(client):
    user = await make_user(client)
    await make_all(client, user, [(t, {}) for t in ("c1", "c2", "c3")])
    assert await titles(client, user, sort="created") == ["c1", "c2", "c3"]
    assert await titles(client, user, sort="-created") == ["c3", "c2", "c1"]
    assert await titles(client, user) == ["c3", "c2", "c1"]


async def test_sort_due_dateless_last_and_ties_newest_first(client):
    user = await make_user(client)
    specs = [
        ("A", {"due_date": "2026-03-02"}),
        ("B", {"due_date": "2026-03-02", "due_time": "09:00"}),
        ("C", {"due_date": "2026-03-01", "due_time": "18:00"}),
        ("D", {}),
        ("E", {"due_date": "2026-03-03"}),
        ("F", {}),
        ("G", {"due_date": "2026-03-05"}),
        ("H", {"due_date": "2026-03-05"}),
        ("I", {"due_date": "2026-03-02", "due_time": "09:00"}),
        ("J", {"due_date": "2026-03-02", "due_time": "08:59"}),
    ]
    await make_all(client, user, specs)
    assert await titles(client, user, sort="due") == ["C", "J", "I", "B", "A", "E", "H", "G", "F", "D"]
    assert await titles(client, user, sort="-due") == ["H", "G", "E", "A", "I", "B", "J", "C", "F", "D"]


async def test_sort_priority(client):
    user = await make_user(client)
    specs = [("n", "none"), ("l", "low"), ("h", "high"), ("m", "medium"), ("u", "urgent"), ("h2", "high")]
    await make_all(client, user, [(t, {"priority": p}) for t, p in specs])
    assert await titles(client, user, sort="priority") == ["u", "h2", "h", "m", "l", "n"]
    assert await titles(client, user, sort="-priority") == ["n", "l", "m", "h2", "h", "u"]


async def test_sort_title_case_insensitive_ties_newest_first(client):
    user = await make_user(client)
    await make_all(client, user, [(t, {}) for t in ("b", "A", "c", "a", "B1", "Ab")])
    assert await titles(client, user, sort="title") == ["a", "A", "Ab", "b", "B1", "c"]
    assert await titles(client, user, sort="-title") == ["c", "B1", "b", "Ab", "a", "A"]


async def test_sort_updated(client):
    user = await make_user(client)
    made = await make_all(client, user, [(t, {}) for t in ("u1", "u2", "u3")])
    r = await client.patch(f"/tasks/{made['u1']['id']}", json={"description": "x"}, headers=user["headers"])
    assert r.status_code == 200
    assert await titles(client, user, sort="updated") == ["u2", "u3", "u1"]
    assert await titles(client, user, sort="-updated") == ["u1", "u3", "u2"]


async def test_limit_and_offset_page_a_sorted_filtered_listing(client):
    user = await make_user(client)
    await make_all(
        client, user, [(t, {"tags": ["x"] if t != "zz" else []}) for t in ("d", "b", "zz", "a", "c")]
    )
    pages = []
    for offset in (0, 2, 4):
        params = {"sort": "title", "tag": "x", "limit": 2, "offset": offset}
        r = await client.get("/tasks", params=params, headers=user["headers"])
        assert r.headers["x-total-count"] == "4"
        pages.append([t["title"] for t in r.json()])
    assert pages == [["a", "b"], ["c", "d"], []]


@pytest.mark.parametrize(
    "query",
    [
        "sort=bogus",
        "sort=due,title",
        "sort=",
        "limit=0",
        "limit=501",
        "due_after=2026-02-30",
        "due_before=yesterday",
        "due_after=2026-13-01",
        "has_due=maybe",
        "overdue=maybe",
        "priority=extreme",
        "priority=high&priority=huge",
        "ids=1,x",
        "ids=" + ",".join(str(i) for i in range(1, 502)),
    ],
)
async def test_bad_parameters_are_422(client, query):
    user = await make_user(client)
    await make_task(client, user)
    r = await client.get(f"/tasks?{query}", headers=user["headers"])
    assert r.status_code == 422, query


async def test_offset_with_cursor_is_422(client):
    user = await make_user(client)
    for _ in range(3):
        await make_task(client, user)
    r = await client.get("/tasks", params={"limit": 2}, headers=user["headers"])
    next_url = r.links["next"]["url"]
    assert (await client.get(next_url, headers=user["headers"])).status_code == 200
    assert (await client.get(next_url + "&offset=0", headers=user["headers"])).status_code == 422
    assert (await client.get(next_url + "&offset=2", headers=user["headers"])).status_code == 422
