"""Cursor pages: the Link rel="next" header, walking it to the end under every sort, cursors that are
refused (tampered, another user's, other filters or sort), and the walk guarantee under churn."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.factories import make_task, make_user

SORTS = [s for key in ("created", "due", "priority", "title", "updated") for s in (key, f"-{key}")]
LINK = re.compile(r'^<(http://testserver/tasks\?[^<>\s]+)>; rel="next"$')
MIXED = [
    ("b", {"priority": "high", "due_date": "2026-03-02"}),
    ("A", {"priority": "low", "due_date": "2026-03-02", "due_time": "09:00"}),
    ("a", {"priority": "high", "tags": ["x"]}),
    ("c", {"priority": "none", "due_date": "2026-03-01", "tags": ["x"]}),
    ("B", {"priority": "urgent", "due_date": "2026-03-02", "tags": ["x"]}),
    ("d", {"priority": "low", "completed": True, "tags": ["x"]}),
    ("a", {"priority": "medium", "due_date": "2026-03-02", "due_time": "09:00", "tags": ["x"]}),
    ("e", {"priority": "high", "due_date": "2026-03-09"}),
    ("C", {"priority": "none", "tags": ["x"]}),
]


def next_url(r) -> str | None:
    link = r.headers.get("link")
    if link is None:
        return None
    match = LINK.match(link)
    assert match, link
    return match.group(1)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def with_query(url: str, **changes: object) -> str:
    params = {**query(url), **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
    return f"/tasks?{urlencode(params, doseq=True)}"


async def make_mixed(client, user) -> list[dict]:
    made = [await make_task(client, user, title=t, **fields) for t, fields in MIXED]
    for task in (made[4], made[0]):  # so that `updated` differs from `created`
        await client.patch(f"/tasks/{task['id']}", json={"description": "edited"}, headers=user["headers"])
    return made


async def all_ids(client, user, **params) -> list[int]:
    r = await client.get("/tasks", params={**params, "limit": 500}, headers=user["headers"])
    assert r.status_code == 200
    assert next_url(r) is None
    return [t["id"] for t in r.json()]


async def walk(client, user, params: dict, between=None) -> list[int]:
    """Ids in the order the pages give them, following next links; `between(pages)` runs before
    each next page is fetched."""
    pages: list[list[int]] = []
    r = await client.get("/tasks", params=params, headers=user["headers"])
    while True:
        assert r.status_code == 200, r.text
        pages.append([t["id"] for t in r.json()])
        url = next_url(r)
        if url is None:
            break
        assert len(pages[-1]) == params["limit"]
        assert len(pages) < 50
        if between:
            await between(pages)
        r = await client.get(url, headers=user["headers"])
    return [task_id for page in pages for task_id in page]


async def test_link_repeats_filters_sort_and_limit_with_a_cursor(client):
    user = await make_user(client)
    await make_mixed(client, user)
    params = {"completed": "false", "tag": "x", "q": "a", "sort": "title", "limit": 1}
    r = await client.get("/tasks", params=params, headers=user["headers"])
    assert r.headers["x-total-count"] == "2"
    url = next_url(r)
    assert url is not None
    got = query(url)
    cursor = got.pop("cursor")
    assert len(cursor) == 1
    assert cursor[0]
    assert got == {k: [str(v)] for k, v in params.items()}
    second = await client.get(url, headers=user["headers"])
    assert second.headers["x-total-count"] == "2"
    assert next_url(second) is None
    both = r.json() + second.json()
    assert [t["title"] for t in both] == ["a", "a"]
    assert both[0]["id"] > both[1]["id"]


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (2, 1), (4, 2), (5, 3)])
async def test_no_link_when_nothing_remains(client, count, pages):
    user = await make_user(client)
    made = [await make_task(client, user) for _ in range(count)]
    fetched = 0

    async def count_pages(_pages):
        nonlocal fetched
        fetched += 1

    ids = await walk(client, user, {"limit": 2}, count_pages)
    assert ids == [t["id"] for t in reversed(made)]
    assert fetched + 1 == pages


@pytest.mark.parametrize("sort", SORTS)
async def test_walk_gives_the_whole_listing_in_order(client, sort):
    user = await make_user(client)
    await make_mixed(client, user)
    assert await walk(client, user, {"sort": sort, "limit": 2}) == await all_ids(client, user, sort=sort)


@pytest.mark.parametrize("sort", ["due", "-priority", "title"])
async def test_walk_keeps_the_filters(client, sort):
    user = await make_user(client)
    await make_mixed(client, user)
    params = {"completed": "false", "tag": "X", "sort": sort}
    expected = await all_ids(client, user, **params)
    assert len(expected) == 5
    assert await walk(client, user, {**params, "limit": 2}) == expected


async def first_next_url(client, user, **params) -> str:
    r = await client.get("/tasks", params={"limit": 2, **params}, headers=user["headers"])
    url = next_url(r)
    assert url is not None
    return url


def tampered(cursor: str) -> list[str]:
    middle = next(i for i in range(len(cursor) // 2, len(cursor)) if cursor[i].isalnum())
    flipped = cursor[:middle] + ("B" if cursor[middle] == "A" else "A") + cursor[middle + 1 :]
    junk = ["garbage", "!!!!", "eyJ9", "null", "A" * 300]
    return [flipped, cursor[: len(cursor) // 2], cursor + "AAAA", *junk]


async def test_tampered_cursor_is_422(client):
    user = await make_user(client)
    await make_mixed(client, user)
    url = await first_next_url(client, user, sort="due")
    for bad in tampered(query(url)["cursor"][0]):
        r = await client.get(with_query(url, cursor=bad), headers=user["headers"])
        assert r.status_code == 422, bad
    assert (await client.get(url, headers=user["headers"])).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"sort": "-title"},
        {"sort": "due"},
        {"completed": "true"},
        {"completed": []},
        {"tag": "y"},
        {"tag": ["x", "y"]},
        {"q": "zz"},
        {"priority": "high"},
        {"has_due": "true"},
        {"overdue": "true"},
        {"due_after": "2026-01-01"},
        {"ids": "1,2,3"},
    ],
)
async def test_cursor_with_other_filters_or_sort_is_422(client, change):
    user = await make_user(client)
    await make_mixed(client, user)
    url = await first_next_url(client, user, sort="title", completed="false", tag="x")
    r = await client.get(with_query(url, **change), headers=user["headers"])
    assert r.status_code == 422, change


async def test_another_users_cursor_is_422(client):
    ann, bob = await make_user(client), await make_user(client)
    await make_mixed(client, ann)
    await make_mixed(client, bob)
    url = await first_next_url(client, ann, sort="priority")
    assert (await client.get(url, headers=bob["headers"])).status_code == 422
    assert (await client.get(url, headers=ann["headers"])).status_code == 200


# What a returned task is changed to, so that its sort key moves past the cursor.
MOVE_PAST = {
    "created": {"title": "moved"},
    "-created": {"title": "moved"},
    "due": {"due_date": None},
    "-due": {"due_date": None},
    "priority": {"priority": "none"},
    "-priority": {"priority": "urgent"},
    "title": {"title": "zzzz"},
    "-title": {"title": "0000"},
    "updated": {"description": "touched"},
    "-updated": {"description": "touched"},
}
LETTERS = "mcxaqftbkzepgsh"
PRIORITIES = ["none", "low", "medium", "high", "urgent"]


@pytest.mark.parametrize("sort", SORTS)
async def test_walk_under_churn_never_repeats_and_never_skips_the_unchanged(client, sort):
    user = await make_user(client)
    h = user["headers"]
    for i, letter in enumerate(LETTERS):
        due = {} if i % 4 == 3 else {"due_date": f"2026-03-{(i * 7) % 20 + 1:02}"}
        await make_task(client, user, title=f"{letter}{i}", priority=PRIORITIES[i % 5], **due)
    before = await all_ids(client, user, sort=sort)
    changed: set[int] = set()
    deleted_seen: set[int] = set()
    deleted_unseen: set[int] = set()

    async def churn(pages):
        seen = {i for page in pages for i in page}
        unseen = [i for i in before if i not in seen | changed | deleted_unseen]
        r = await client.patch(f"/tasks/{pages[-1][0]}", json=MOVE_PAST[sort], headers=h)
        assert r.status_code == 200
        changed.add(pages[-1][0])
        if len(pages) <= 2:
            if len(pages) == 1:  # the task the cursor was made from disappears
                assert (await client.delete(f"/tasks/{pages[-1][-1]}", headers=h)).status_code == 204
                deleted_seen.add(pages[-1][-1])
            assert (await client.delete(f"/tasks/{unseen[-1]}", headers=h)).status_code == 204
            deleted_unseen.add(unseen[-1])
            r = await client.patch(f"/tasks/{unseen[0]}", json=MOVE_PAST[sort], headers=h)
            assert r.status_code == 200
            changed.add(unseen[0])
        await make_task(client, user, title="0new", priority="urgent", due_date="2026-01-01")
        await make_task(client, user, title="znew", priority="none")

    ids = await walk(client, user, {"sort": sort, "limit": 4}, churn)
    assert len(ids) == len(set(ids))
    assert not set(ids) & deleted_unseen
    unchanged = [i for i in before if i not in changed | deleted_seen | deleted_unseen]
    assert len(unchanged) >= 4
    assert [i for i in ids if i in unchanged] == unchanged


@pytest.mark.parametrize("sort", SORTS)
async def test_walk_through_a_tie_group_longer_than_a_page(client, sort):
    """Five tasks with the same key under every sort but created/updated: pages of 2 begin inside
    the group (SQLite asks for the rest of the group, then for later keys)."""
    user = await make_user(client)
    await make_task(client, user, title="z first", priority="urgent", due_date="2026-01-01")
    for _ in range(5):
        await make_task(client, user, title="same", priority="low")
    await make_task(client, user, title="a last", priority="none", due_date="2026-12-31")
    expected = await all_ids(client, user, sort=sort)
    for limit in (1, 2, 3):
        assert await walk(client, user, {"sort": sort, "limit": limit}) == expected
