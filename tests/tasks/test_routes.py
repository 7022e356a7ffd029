"""The /tasks contract for one user: shape, validation, listing, updates, deletes."""

import asyncio
from datetime import datetime

import pytest

from tests.factories import every_task_route, make_task, make_user

TASK_KEYS = {
    "id",
    "title",
    "description",
    "completed",
    "completed_at",
    "due_date",
    "due_time",
    "priority",
    "tags",
    "created_at",
    "updated_at",
    "version",
    "recurrence",
    "reminders",
}


async def test_create_returns_the_task(client):
    user = await make_user(client)
    r = await client.post(
        "/tasks", json={"title": "  Buy milk  ", "description": "2 litres"}, headers=user["headers"]
    )
    assert r.status_code == 201
    task = r.json()
    assert set(task) == TASK_KEYS
    assert task["title"] == "Buy milk"
    assert task["description"] == "2 litres"
    assert task["completed"] is False
    for key in ("created_at", "updated_at"):
        assert datetime.fromisoformat(task[key]).utcoffset().total_seconds() == 0
    assert task["created_at"] == task["updated_at"]


async def test_create_defaults_and_completed_flag(client):
    user = await make_user(client)
    task = await make_task(client, user, title="done already", completed=True)
    assert task["completed"] is True
    assert task["description"] is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": None},
        {"title": 5},
        {"title": "ok", "description": "d" * 1001},
        {"title": "bad\x00title"},
        {"title": "ok", "description": "bad\x00description"},
        {"title": "ok", "completed": "maybe"},
    ],
)
async def test_create_validation(client, body):
    user = await make_user(client)
    r = await client.post("/tasks", json=body, headers=user["headers"])
    assert r.status_code == 422, body
    assert isinstance(r.json()["detail"], list)


async def test_title_and_description_limits_are_inclusive(client):
    user = await make_user(client)
    task = await make_task(client, user, title="é" * 200, description="d" * 1000)
    assert len(task["title"]) == 200


async def test_lone_surrogate_is_422(client):
    user = await make_user(client)
    r = await client.post(
        "/tasks",
        content=b'{"title": "a\\udc00b"}',
        headers={**user["headers"], "content-type": "application/json"},
    )
    assert r.status_code == 422


async def test_list_is_newest_first_with_total(client):
    user = await make_user(client)
    made = [await make_task(client, user, title=f"t{i}") for i in range(3)]
    r = await client.get("/tasks", headers=user["headers"])
    assert r.status_code == 200
    assert [t["id"] for t in r.json()] == [t["id"] for t in reversed(made)]
    assert r.headers["x-total-count"] == "3"


async def test_list_filters_and_pages(client):
    user = await make_user(client)
    for i in range(7):
        await make_task(client, user, title=f"t{i}", completed=i % 2 == 0)
    r = await client.get("/tasks", params={"completed": "true"}, headers=user["headers"])
    assert [t["title"] for t in r.json()] == ["t6", "t4", "t2", "t0"]
    assert r.headers["x-total-count"] == "4"
    r = await client.get("/tasks", params={"completed": "false"}, headers=user["headers"])
    assert [t["title"] for t in r.json()] == ["t5", "t3", "t1"]
    r = await client.get("/tasks", params={"limit": 2, "offset": 2}, headers=user["headers"])
    assert [t["title"] for t in r.json()] == ["t4", "t3"]
    assert r.headers["x-total-count"] == "7"
    r = await client.get("/tasks", params={"limit": 5, "offset": 100}, headers=user["headers"])
    assert r.json() == []
    assert r.headers["x-total-count"] == "7"


async def test_empty_list(client):
    user = await make_user(client)
    r = await client.get("/tasks", headers=user["headers"])
    assert r.json() == []
    assert r.headers["x-total-count"] == "0"


async def test_list_default_limit_is_100(client):
    user = await make_user(client)
    await asyncio.gather(*(make_task(client, user) for _ in range(105)))
    r = await client.get("/tasks", headers=user["headers"])
    assert len(r.json()) == 100
    assert r.headers["x-total-count"] == "105"
    assert len((await client.get("/tasks?limit=500", headers=user["headers"])).json()) == 105


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=501", "limit=-1", "offset=-1", "limit=abc", "completed=maybe", f"offset={2**63}"],
)
async def test_list_rejects_bad_query(client, query):
    user = await make_user(client)
    r = await client.get(f"/tasks?{query}", headers=user["headers"])
    assert r.status_code == 422


async def test_get_one(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    assert r.status_code == 200
    assert r.json() == task


async def test_put_replaces_every_field_and_moves_updated_at(client):
    user = await make_user(client)
    task = await make_task(client, user, title="old", description="old d")
    body = {"title": " new ", "description": None, "completed": True}
    r = await client.put(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    assert r.status_code == 200
    new = r.json()
    assert (new["title"], new["description"], new["completed"]) == ("new", None, True)
    assert new["created_at"] == task["created_at"]
    assert datetime.fromisoformat(new["updated_at"]) > datetime.fromisoformat(task["updated_at"])


async def test_put_requires_every_field(client):
    user = await make_user(client)
    task = await make_task(client, user)
    for body in (
        {"title": "x"},
        {"title": "x", "description": None},
        {"description": None, "completed": True},
    ):
        r = await client.put(f"/tasks/{task['id']}", json=body, headers=user["headers"])
        assert r.status_code == 422, body


async def test_patch_changes_only_what_is_sent(client):
    user = await make_user(client)
    task = await make_task(client, user, title="keep", description="old")
    r = await client.patch(f"/tasks/{task['id']}", json={"description": "new"}, headers=user["headers"])
    assert r.status_code == 200
    assert (r.json()["title"], r.json()["description"], r.json()["completed"]) == ("keep", "new", False)
    assert r.json()["updated_at"] > task["updated_at"]
    r = await client.patch(f"/tasks/{task['id']}", json={"description": None}, headers=user["headers"])
    assert r.json()["description"] is None


async def test_patch_validation(client):
    user = await make_user(client)
    task = await make_task(client, user)
    for body in (
        {"title": None},
        {"completed": None},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "a\x00"},
    ):
        r = await client.patch(f"/tasks/{task['id']}", json=body, headers=user["headers"])
        assert r.status_code == 422, body
    assert (await client.get(f"/tasks/{task['id']}", headers=user["headers"])).json() == task


async def test_empty_patch_changes_nothing(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await client.patch(f"/tasks/{task['id']}", json={}, headers=user["headers"])
    assert r.status_code == 200
    assert r.json() == task


async def test_complete_toggles(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    assert r.status_code == 200
    assert r.json()["completed"] is True
    assert r.json()["updated_at"] > task["updated_at"]
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    assert r.json()["completed"] is False


async def test_delete_then_every_route_is_404(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}"
    r = await client.delete(url, headers=user["headers"])
    assert r.status_code == 204
    assert r.content == b""
    for r in await every_task_route(client, task["id"], user):
        assert r.status_code == 404
        assert r.json() == {"detail": "Task not found"}
    again = await make_task(client, user)
    assert again["id"] != task["id"]  # ids are never reused


@pytest.mark.parametrize("task_id", ["-1", "0", str(2**63), str(2**64), "1" + "0" * 30])
async def test_absurd_ids_are_404(client, task_id):
    user = await make_user(client)
    await make_task(client, user)
    for r in await every_task_route(client, task_id, user):
        assert r.status_code == 404, (task_id, r.request.method)


@pytest.mark.parametrize("task_id", ["abc", "1.5", "1e3"])
async def test_unparseable_ids_are_404(client, task_id):
    user = await make_user(client)
    r = await client.get(f"/tasks/{task_id}", headers=user["headers"])
    assert r.status_code == 404


async def test_every_task_route_needs_a_token(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}"
    for method, path in [
        ("GET", "/tasks"),
        ("POST", "/tasks"),
        ("GET", url),
        ("PUT", url),
        ("PATCH", url),
        ("PATCH", f"{url}/complete"),
        ("DELETE", url),
    ]:
        r = await client.request(method, path, json={"title": "x"})
        assert r.status_code == 401, (method, path)
        assert r.headers["www-authenticate"] == "Bearer"


async def test_unknown_paths_and_methods(client):
    r = await client.get("/nope")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not Found"}
    r = await client.put("/tasks")
    assert r.status_code == 405
    assert "detail" in r.json()
