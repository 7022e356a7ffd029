"""Tasks of one owner. Every statement is scoped `WHERE user_id = :owner`: this is the only place
ownership is enforced, and another user's task is indistinguishable from a missing one."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, func, insert, not_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from todo_app.errors import NotFound
from todo_app.security import MAX_ID
from todo_app.tasks.models import Task, TaskCreate

COLUMNS = (Task.id, Task.title, Task.description, Task.completed, Task.created_at, Task.updated_at)
NEWEST_FIRST = (Task.created_at.desc(), Task.id.desc())
TASK_NOT_FOUND = "Task not found"


def _check_id(task_id: int) -> None:
    if not 1 <= task_id <= MAX_ID:
        raise NotFound(TASK_NOT_FOUND)


def _one(row: Row[Any] | None) -> dict[str, Any]:
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return dict(row._mapping)


def _list_statement(by_completed: bool) -> Select[Any]:
    where = [Task.user_id == bindparam("user_id")]
    if by_completed:
        where.append(Task.completed == bindparam("completed"))
    return (
        select(*COLUMNS, func.count().over().label("total"))
        .where(*where)
        .order_by(*NEWEST_FIRST)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


# Built once: the hot read path only binds values.
LIST = {False: _list_statement(False), True: _list_statement(True)}
COUNT = select(func.count()).select_from(Task).where(Task.user_id == bindparam("user_id"))
GET = select(*COLUMNS).where(Task.id == bindparam("task_id"), Task.user_id == bindparam("user_id"))


async def list_for(
    db: AsyncConnection, *, user_id: int, completed: bool | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the owner's tasks, newest first, and how many match in all (one round trip)."""
    params: dict[str, Any] = {"user_id": user_id, "limit": limit, "offset": offset}
    if completed is not None:
        params["completed"] = completed
    rows = (await db.execute(LIST[completed is not None], params)).all()
    if rows:
        total = rows[0].total
    elif offset == 0:
        total = 0
    else:  # past the end: the page is empty but the total is still owed
        count = COUNT if completed is None else COUNT.where(Task.completed == completed)
        total = (await db.execute(count, params)).scalar_one()
    return [{k: v for k, v in r._mapping.items() if k != "total"} for r in rows], total


async def get(db: AsyncConnection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    return _one((await db.execute(GET, {"task_id": task_id, "user_id": user_id})).first())


async def create(db: AsyncConnection, *, user_id: int, data: TaskCreate) -> dict[str, Any]:
    now = datetime.now(UTC)
    stmt = insert(Task).values(**data.model_dump(), user_id=user_id, created_at=now, updated_at=now)
    return _one((await db.execute(stmt.returning(*COLUMNS))).first())


async def update_fields(
    db: AsyncConnection, *, user_id: int, task_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    _check_id(task_id)
    if not changes:
        return await get(db, user_id=user_id, task_id=task_id)
    return await _update(db, user_id, task_id, changes)


async def toggle(db: AsyncConnection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    return await _update(db, user_id, task_id, {"completed": not_(Task.completed)})


async def delete_one(db: AsyncConnection, *, user_id: int, task_id: int) -> None:
    _check_id(task_id)
    stmt = delete(Task).where(Task.id == task_id, Task.user_id == user_id).returning(Task.id)
    _one((await db.execute(stmt)).first())


async def _update(db: AsyncConnection, user_id: int, task_id: int, values: dict[str, Any]) -> dict[str, Any]:
    stmt = (
        update(Task)
        .where(Task.id == task_id, Task.user_id == user_id)
        .values(**values, updated_at=datetime.now(UTC))
        .returning(*COLUMNS)
    )
    return _one((await db.execute(stmt)).first())
