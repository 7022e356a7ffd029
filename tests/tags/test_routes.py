"""/tags: the caller's tags with their counts; rename (merging), delete; nobody sees another's tags."""

from urllib.parse import quote

import pytest

from tests.factories import make_task, make_user


async def tags(client, user) -> list[dict]:
    r = await client.get("/tags", headers=user["headers"])
    assert r.status_code == 200
    return r.json()


async def task_tags(client, user, *tasks) -> list[list[str]]:
    out = []
    for task in tasks:
        r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
        out.append(r.json()["tags"])
    return out


def tag_url(name: str, safe: str = "") -> str:
    return "/tags/" + quote(name, safe=safe)


async def rename(client, user, old, new):
    return await client.patch(tag_url(old), json={"name": new}, headers=user["headers"])


async def test_no_tags(client):
    user = await make_user(client)
    await make_task(client, user)
    assert await tags(client, user) == []


async def test_counts_of_tasks_and_open_tasks_sorted_by_name(client):
    user = await make_user(client)
    await make_task(client, user, tags=["Work", "home"])
    await make_task(client, user, tags=["work"], completed=True)
    await make_task(client, user, tags=["Beta"])
    await make_task(client, user, tags=["zeta", "alpha"], completed=True)
    assert await tags(client, user) == [
        {"name": "alpha", "tasks": 1, "open": 0},
        {"name": "Beta", "tasks": 1, "open": 1},
        {"name": "home", "tasks": 1, "open": 1},
        {"name": "Work", "tasks": 2, "open": 1},
        {"name": "zeta", "tasks": 1, "open": 0},
    ]


async def test_counts_follow_completion(client):
    user = await make_user(client)
    task = await make_task(client, user, tags=["a"])
    await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    assert await tags(client, user) == [{"name": "a", "tasks": 1, "open": 0}]


async def test_a_tag_no_task_uses_disappears(client):
    user = await make_user(client)
    a = await make_task(client, user, tags=["gone", "stays"])
    b = await make_task(client, user, tags=["stays", "dropped", "bulk"])
    await client.patch(f"/tasks/{a['id']}", json={"tags": ["stays"]}, headers=user["headers"])
    await client.patch("/tasks", json={"remove_tags": ["BULK"]}, headers=user["headers"])
    assert [t["name"] for t in await tags(client, user)] == ["dropped", "stays"]
    await client.delete(f"/tasks/{b['id']}", headers=user["headers"])
    assert await tags(client, user) == [{"name": "stays", "tasks": 1, "open": 1}]


async def test_rename(client):
    user = await make_user(client)
    a = await make_task(client, user, tags=["work", "x"])
    b = await make_task(client, user, tags=["work"], completed=True)
    r = await rename(client, user, "WORK", "Job")
    assert r.status_code == 200
    assert r.json() == {"name": "Job", "tasks": 2, "open": 1}
    assert await task_tags(client, user, a, b) == [["Job", "x"], ["Job"]]
    assert [t["name"] for t in await tags(client, user)] == ["Job", "x"]
    assert (await make_task(client, user, tags=["JOB"]))["tags"] == ["Job"]
    r = await client.get("/tasks", params={"tag": "work"}, headers=user["headers"])
    assert r.json() == []


async def test_rename_into_an_existing_tag_merges(client):
    user = await make_user(client)
    t1 = await make_task(client, user, tags=["a"])
    t2 = await make_task(client, user, tags=["a", "b"], completed=True)
    t3 = await make_task(client, user, tags=["b"])
    r = await rename(client, user, "a", "b")
    assert r.status_code == 200
    assert r.json() == {"name": "b", "tasks": 3, "open": 2}
    assert await task_tags(client, user, t1, t2, t3) == [["b"], ["b"], ["b"]]
    assert await tags(client, user) == [{"name": "b", "tasks": 3, "open": 2}]


async def test_rename_case_only_respells(client):
    user = await make_user(client)
    task = await make_task(client, user, tags=["work"])
    r = await rename(client, user, "work", "Work")
    assert r.status_code == 200
    assert r.json() == {"name": "Work", "tasks": 1, "open": 1}
    assert await task_tags(client, user, task) == [["Work"]]
    assert await tags(client, user) == [{"name": "Work", "tasks": 1, "open": 1}]


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"name": "   "}, {"name": "a,b"}, {"name": "x" * 41}, {"name": None}, {}]
)
async def test_rename_to_an_invalid_name_is_422(client, body):
    user = await make_user(client)
    task = await make_task(client, user, tags=["work"])
    r = await client.patch("/tags/work", json=body, headers=user["headers"])
    assert r.status_code == 422, body
    assert await task_tags(client, user, task) == [["work"]]


async def test_rename_trims_the_new_name(client):
    user = await make_user(client)
    await make_task(client, user, tags=["work"])
    assert (await rename(client, user, "work", "  job  ")).json() == {"name": "job", "tasks": 1, "open": 1}


async def test_delete_removes_it_from_every_task(client):
    user = await make_user(client)
    a = await make_task(client, user, tags=["Work", "home"])
    b = await make_task(client, user, tags=["work"])
    r = await client.delete("/tags/WORK", headers=user["headers"])
    assert r.status_code == 204
    assert r.content == b""
    assert await task_tags(client, user, a, b) == [["home"], []]
    assert await tags(client, user) == [{"name": "home", "tasks": 1, "open": 1}]
    assert (await client.get("/tasks", headers=user["headers"])).headers["x-total-count"] == "2"


async def test_unknown_tag_is_404(client):
    user = await make_user(client)
    await make_task(client, user, tags=["work"])
    assert (await rename(client, user, "nope", "x")).status_code == 404
    assert (await client.delete("/tags/nope", headers=user["headers"])).status_code == 404
    assert (await client.delete("/tags/wor", headers=user["headers"])).status_code == 404
    assert [t["name"] for t in await tags(client, user)] == ["work"]


@pytest.mark.parametrize("safe", ["", "/"])
async def test_names_with_slash_and_spaces(client, safe):
    user = await make_user(client)
    task = await make_task(client, user, tags=["to do/home", "a b"])
    assert [t["name"] for t in await tags(client, user)] == ["a b", "to do/home"]
    r = await client.patch(tag_url("TO DO/home", safe), json={"name": "x/y z"}, headers=user["headers"])
    assert r.status_code == 200
    assert r.json() == {"name": "x/y z", "tasks": 1, "open": 1}
    assert (await client.delete(tag_url("x/y z", safe), headers=user["headers"])).status_code == 204
    assert await task_tags(client, user, task) == [["a b"]]


async def test_another_users_tags_are_invisible_and_untouchable(client):
    ann, bob = await make_user(client), await make_user(client)
    await make_task(client, ann, tags=["shared"])
    bobs = await make_task(client, bob, tags=["shared", "secret"])
    assert await tags(client, ann) == [{"name": "shared", "tasks": 1, "open": 1}]
    assert (await rename(client, ann, "secret", "mine")).status_code == 404
    assert (await client.delete("/tags/secret", headers=ann["headers"])).status_code == 404
    assert (await rename(client, ann, "shared", "renamed")).json() == {
        "name": "renamed",
        "tasks": 1,
        "open": 1,
    }
    assert (await client.delete("/tags/renamed", headers=ann["headers"])).status_code == 204
    assert await task_tags(client, bob, bobs) == [["secret", "shared"]]
    assert [t["name"] for t in await tags(client, bob)] == ["secret", "shared"]


async def test_tag_routes_need_a_token(client):
    assert (await client.get("/tags")).status_code == 401
    assert (await client.patch("/tags/a", json={"name": "b"})).status_code == 401
    assert (await client.delete("/tags/a")).status_code == 401
