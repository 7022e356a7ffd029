"""Conditional requests (RFC 9110): a strong ETag per task version, If-Match on every write of one
task (412 with the current task, nothing changed), If-None-Match on GET (304)."""

import asyncio

import pytest

from tests.factories import make_task, make_user
from todo_app.tasks import etag


@pytest.mark.parametrize(
    ("header", "any_", "strong", "weak"),
    [
        ("*", True, set(), set()),
        ('"7"', False, {"7"}, set()),
        ('W/"7"', False, set(), {"7"}),
        ('"7", W/"8" ,"9"', False, {"7", "9"}, {"8"}),
        ('"a,b"', False, {"a,b"}, set()),
    ],
)
def test_conditions_parse(header, any_, strong, weak):
    condition = etag.parse(header)
    assert condition == etag.Condition(any=any_, strong=frozenset(strong), weak=frozenset(weak))


@pytest.mark.parametrize("header", ["", "7", '"7', "W/7", '"7" "8"', "**", " , ", '"\x7f"'])
def test_malformed_conditions_are_refused(header):
    with pytest.raises(etag.MalformedCondition):
        etag.parse(header)


def test_if_match_compares_strongly_and_if_none_match_weakly():
    assert etag.parse('"7"').matches(7)
    assert not etag.parse('W/"7"').matches(7)
    assert etag.parse('W/"7"').matches_weakly(7)
    assert not etag.parse('"8"').matches(7)
    assert etag.parse("*").matches(7)


def h(user, **extra):
    return {**user["headers"], **extra}


async def test_every_answer_with_one_task_carries_its_etag_and_it_changes_with_every_change(client):
    user = await make_user(client)
    r = await client.post("/tasks", json={"title": "a"}, headers=user["headers"])
    seen = {r.headers["etag"]}
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    task_id = r.json()["id"]
    url = f"/tasks/{task_id}"
    assert (await client.get(url, headers=user["headers"])).headers["etag"] == r.headers["etag"]
    for call in (
        client.patch(url, json={"title": "b"}, headers=user["headers"]),
        client.put(
            url, json={"title": "c", "description": None, "completed": False}, headers=user["headers"]
        ),
        client.patch(f"{url}/complete", headers=user["headers"]),
        client.patch(url, json={"tags": ["x"]}, headers=user["headers"]),
        client.patch("/tags/x", json={"name": "y"}, headers=user["headers"]),
        client.patch("/tasks", params={"ids": task_id}, json={"priority": "high"}, headers=user["headers"]),
    ):
        r = await call
        assert r.status_code == 200, r.text
        current = await client.get(url, headers=user["headers"])
        assert current.headers["etag"] not in seen
        seen.add(current.headers["etag"])
    assert current.json()["tags"] == ["y"]
    assert current.json()["priority"] == "high"


async def test_if_match_guards_every_single_task_write(client):
    user = await make_user(client)
    task = await make_task(client, user, title="original")
    url = f"/tasks/{task['id']}"
    stale = f'"{task["version"]}"'
    r = await client.patch(url, json={"title": "first"}, headers=h(user, **{"If-Match": stale}))
    assert r.status_code == 200
    fresh = r.headers["etag"]
    attempts = [
        client.patch(url, json={"title": "lost"}, headers=h(user, **{"If-Match": stale})),
        client.put(
            url,
            json={"title": "lost", "description": None, "completed": True},
            headers=h(user, **{"If-Match": stale}),
        ),
        client.patch(f"{url}/complete", headers=h(user, **{"If-Match": stale})),
        client.delete(url, headers=h(user, **{"If-Match": stale})),
        client.patch(url, json={"title": "lost"}, headers=h(user, **{"If-Match": f"W/{fresh}"})),
    ]
    for attempt in attempts:
        r = await attempt
        assert r.status_code == 412, r.text
        assert r.json()["title"] == "first"  # the current task
        assert r.headers["etag"] == fresh
    current = await client.get(url, headers=user["headers"])
    assert current.json()["title"] == "first"
    assert current.json()["completed"] is False
    assert current.headers["etag"] == fresh
    r = await client.patch(url, json={"title": "second"}, headers=h(user, **{"If-Match": f'"1", {fresh}'}))
    assert r.status_code == 200
    r = await client.patch(f"{url}/complete", headers=h(user, **{"If-Match": "*"}))
    assert r.status_code == 200
    r = await client.delete(url, headers=h(user, **{"If-Match": r.headers["etag"]}))
    assert r.status_code == 204
    r = await client.patch(url, json={"title": "gone"}, headers=h(user, **{"If-Match": "*"}))
    assert r.status_code == 404  # `*` needs a task to match


async def test_if_none_match_answers_304_while_the_task_is_unchanged(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}"
    tag = (await client.get(url, headers=user["headers"])).headers["etag"]
    r = await client.get(url, headers=h(user, **{"If-None-Match": tag}))
    assert r.status_code == 304
    assert r.headers["etag"] == tag
    assert r.content == b""
    assert (await client.get(url, headers=h(user, **{"If-None-Match": f"W/{tag}"}))).status_code == 304
    assert (await client.get(url, headers=h(user, **{"If-None-Match": "*"}))).status_code == 304
    await client.patch(url, json={"title": "new"}, headers=user["headers"])
    r = await client.get(url, headers=h(user, **{"If-None-Match": tag}))
    assert r.status_code == 200
    assert r.json()["title"] == "new"


async def test_a_malformed_condition_is_a_422_and_changes_nothing(client):
    user = await make_user(client)
    task = await make_task(client, user, title="kept")
    url = f"/tasks/{task['id']}"
    r = await client.patch(url, json={"title": "x"}, headers=h(user, **{"If-Match": "7"}))
    assert r.status_code == 422
    assert "If-Match" in r.json()["detail"]
    assert (await client.get(url, headers=h(user, **{"If-None-Match": "nope"}))).status_code == 422
    assert (await client.get(url, headers=user["headers"])).json()["title"] == "kept"


async def test_another_users_task_is_404_even_with_if_match_star(client):
    owner, other = await make_user(client), await make_user(client)
    task = await make_task(client, owner)
    r = await client.patch(f"/tasks/{task['id']}", json={"title": "x"}, headers=h(other, **{"If-Match": "*"}))
    assert r.status_code == 404


async def test_two_devices_editing_with_if_match_at_once_one_wins_one_gets_412(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}"
    tag = f'"{task["version"]}"'
    results = await asyncio.gather(
        *(
            client.patch(url, json={"title": f"device {i}"}, headers=h(user, **{"If-Match": tag}))
            for i in range(4)
        )
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 412, 412, 412]
    winner = next(r for r in results if r.status_code == 200).json()["title"]
    assert (await client.get(url, headers=user["headers"])).json()["title"] == winner
