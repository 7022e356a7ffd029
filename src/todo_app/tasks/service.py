"""Tasks of one owner. Every statement is scoped `WHERE user_id = :owner`: this is the only place
ownership is enforced, and another user's task is indistinguishable from a missing one."""

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Delete, Select, Update, bindparam, delete, insert, not_, select, update

from todo_app.db import Connection, ForeignKeyViolation
from todo_app.db.types import MAX_ID
from todo_app.errors import INVALID_TOKEN, NotFound, Unauthorized
from todo_app.tasks.models import Task, TaskCreate
from todo_app.users.models import User

COLUMNS = (Task.id, Task.title, Task.description, Task.completed, Task.created_at, Task.updated_at)
FIELDS = tuple(column.key for column in COLUMNS)
EDITABLE = ("title", "description", "completed")
TASK_NOT_FOUND = "Task not found"

OWNER = Task.user_id == bindparam("owner")
THIS_TASK = (Task.id == bindparam("task_id"), OWNER)


def _list_statement(total: Any, *where: Any) -> Select[Any]:
    return (
        select(*COLUMNS, total.label("total"))
        .where(*where)
        .order_by(Task.created_at.desc(), Task.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _owner_counter(column: Any) -> Any:
    # X-Total-Count comes from the owner's counters (kept by triggers, see migration 0002): one
    # primary-key lookup inside the same statement instead of counting every matching row.
    return select(column).where(User.id == bindparam("owner")).scalar_subquery()


ALL_TASKS = _owner_counter(User.task_count)
COMPLETED_TASKS = _owner_counter(User.completed_count)
OPEN_TASKS = _owner_counter(User.task_count - User.completed_count)
# Built once at import: a request only binds values.
LIST = {
    None: _list_statement(ALL_TASKS, OWNER),
    True: _list_statement(COMPLETED_TASKS, OWNER, Task.completed.is_(True)),
    False: _list_statement(OPEN_TASKS, OWNER, Task.completed.is_(False)),
}
TOTAL = {
    None: select(ALL_TASKS),
    True: select(COMPLETED_TASKS),
    False: select(OPEN_TASKS),
}
GET = select(*COLUMNS).where(*THIS_TASK)
CREATE = (
    insert(Task)
    .values(
        user_id=bindparam("owner"),
        **{field: bindparam(f"new_{field}") for field in EDITABLE},
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*COLUMNS)
)
TOGGLE = (
    update(Task)
    .where(*THIS_TASK)
    .values(completed=not_(Task.completed), updated_at=bindparam("now"))
    .returning(*COLUMNS)
)
DELETE: Delete = delete(Task).where(*THIS_TASK).returning(Task.id)


@cache
def _update_statement(fields: frozenset[str]) -> Update:
    """UPDATE of exactly these fields; at most one statement per subset of EDITABLE."""
    values = {field: bindparam(f"new_{field}") for field in sorted(fields)}
    return update(Task).where(*THIS_TASK).values(**values, updated_at=bindparam("now")).returning(*COLUMNS)


def _task(row: tuple[Any, ...] | None) -> dict[str, Any]:
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return dict(zip(FIELDS, row, strict=False))


def _check_id(task_id: int) -> None:
    if not 1 <= task_id <= MAX_ID:
        raise NotFound(TASK_NOT_FOUND)


async def list_for(
    db: Connection, *, user_id: int, completed: bool | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the owner's tasks, newest first, and how many match in all (one round trip)."""
    params = {"owner": user_id, "limit": limit, "offset": offset}
    rows = await db.all(LIST[completed], params)
    if rows:
        return [_task(row) for row in rows], rows[0][-1]
    if offset == 0:
        return [], 0
    # Past the end: the page is empty but the total is still owed.
    return [], await db.scalar(TOTAL[completed], params)


async def get(db: Connection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    return _task(await db.first(GET, {"task_id": task_id, "owner": user_id}))


async def create(db: Connection, *, user_id: int, data: TaskCreate) -> dict[str, Any]:
    params = {f"new_{field}": value for field, value in data.model_dump().items()}
    try:
        row = await db.first(CREATE, {**params, "owner": user_id, "now": datetime.now(UTC)})
    except ForeignKeyViolation:
        # The account was deleted after this request was authenticated: its token is dead now.
        raise Unauthorized(INVALID_TOKEN) from None
    return _task(row)


async def update_fields(
    db: Connection, *, user_id: int, task_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    _check_id(task_id)
    if not changes:
        return await get(db, user_id=user_id, task_id=task_id)
    stmt = _update_statement(frozenset(changes))
    params = {f"new_{field}": value for field, value in changes.items()}
    return _task(
        await db.first(stmt, {**params, "task_id": task_id, "owner": user_id, "now": datetime.now(UTC)})
    )


async def toggle(db: Connection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    return _task(await db.first(TOGGLE, {"task_id": task_id, "owner": user_id, "now": datetime.now(UTC)}))


async def delete_one(db: Connection, *, user_id: int, task_id: int) -> None:
    _check_id(task_id)
    if await db.first(DELETE, {"task_id": task_id, "owner": user_id}) is None:
        raise NotFound(TASK_NOT_FOUND)
