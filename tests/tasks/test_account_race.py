"""Writes racing the deletion of their owner's account: the owner is gone, so 401, never 500."""

import asyncio

import pytest

from tests.factories import PASSWORD, make_user
from todo_app.errors import Unauthorized
from todo_app.tasks import service
from todo_app.tasks.schemas import TaskCreate
from todo_app.users.models import UserPublic


async def test_creating_a_task_for_a_deleted_account_is_unauthorized(app, client):
    user = await make_user(client)
    r = await client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=user["headers"])
    assert r.status_code == 204
    async with app.state.db.connection() as db:
        fields = TaskCreate(title="late").model_dump(exclude={"text", "tags"})
        owner = UserPublic(id=user["id"], email=user["email"], created_at=user["created_at"])
        with pytest.raises(Unauthorized):
            await service.create(db, user=owner, fields=fields, tag_names=[])


async def test_tasks_created_while_the_account_is_deleted(client):
    user = await make_user(client)
    creates = [client.post("/tasks", json={"title": f"t{i}"}, headers=user["headers"]) for i in range(20)]
    deletion = client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=user["headers"])
    results = await asyncio.gather(*creates[:10], deletion, *creates[10:])
    assert results[10].status_code == 204
    others = results[:10] + results[11:]
    assert {r.status_code for r in others} <= {201, 401}, [r.text for r in others]
    for r in others:
        if r.status_code == 401:
            assert r.headers["www-authenticate"] == "Bearer"
