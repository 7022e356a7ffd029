"""Nobody ever sees or changes anyone else's tasks; the owner comes from the token only."""

from sqlalchemy import delete, func, select

from tests.factories import every_task_route, make_task, make_user
from todo_app.tasks.models import Task
from todo_app.users.models import User


async def test_lists_are_private(client):
    ann, bob = await make_user(client), await make_user(client)
    await make_task(client, ann, title="ann's")
    await make_task(client, bob, title="bob's")
    r = await client.get("/tasks", headers=ann["headers"])
    assert [t["title"] for t in r.json()] == ["ann's"]
    assert r.headers["x-total-count"] == "1"


async def test_another_users_task_is_404_on_every_route_and_untouched(client):
    ann, bob = await make_user(client), await make_user(client)
    task = await make_task(client, ann, title="private", description="mine")
    for r in await every_task_route(client, task["id"], bob):
        assert r.status_code == 404
        assert r.json() == {"detail": "Task not found"}
    assert (await client.get(f"/tasks/{task['id']}", headers=ann["headers"])).json() == task


async def test_owner_fields_in_bodies_are_not_obeyed(client):
    ann, bob = await make_user(client), await make_user(client)
    sneaky = await make_task(client, bob, title="sneaky", user_id=ann["id"], owner_id=ann["id"])
    assert "user_id" not in sneaky
    assert (await client.get("/tasks", headers=ann["headers"])).json() == []
    r = await client.patch(f"/tasks/{sneaky['id']}", json={"user_id": ann["id"]}, headers=bob["headers"])
    assert r.status_code == 200
    body = {"title": "t", "description": None, "completed": False, "user_id": ann["id"]}
    await client.put(f"/tasks/{sneaky['id']}", json=body, headers=bob["headers"])
    assert (await client.get("/tasks", headers=ann["headers"])).json() == []
    assert len((await client.get("/tasks", headers=bob["headers"])).json()) == 1


async def test_user_id_query_parameter_is_not_obeyed(client):
    ann, bob = await make_user(client), await make_user(client)
    await make_task(client, ann)
    r = await client.get("/tasks", params={"user_id": ann["id"]}, headers=bob["headers"])
    assert r.json() == []


async def test_deleting_a_user_deletes_their_tasks(client, app):
    ann, bob = await make_user(client), await make_user(client)
    for _ in range(3):
        await make_task(client, ann)
    await make_task(client, bob)
    async with app.state.db.connection() as conn:
        await conn.all(delete(User).where(User.id == ann["id"]))
        left = await conn.scalar(select(func.count()).select_from(Task))
    assert left == 1
    assert (await client.get("/tasks", headers=ann["headers"])).status_code == 401
    assert len((await client.get("/tasks", headers=bob["headers"])).json()) == 1
