"""Tasks of one owner: the one write path for every front door. Every statement is scoped
`WHERE user_id = :owner`: this is the only place ownership is enforced, and another user's task is
indistinguishable from a missing one. Each write is one transaction that first takes the owner's
next change number (tasks/changes.py)."""

from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, case, delete, func, insert, not_, select, update

from todo_app.db import Connection, ForeignKeyViolation
from todo_app.db.types import MAX_ID
from todo_app.errors import INVALID_TOKEN, NotFound, Unauthorized, Unprocessable
from todo_app.tags import service as tags
from todo_app.tasks import cursor as cursors
from todo_app.tasks import listing, priority
from todo_app.tasks.changes import next_change
from todo_app.tasks.listing import COLUMNS, FIELDS, Filters
from todo_app.tasks.models import Task
from todo_app.users.models import User, UserPublic
from todo_app.zones import local_now

TASK_NOT_FOUND = "Task not found"
THIS_TASK = (Task.id == bindparam("task_id"), Task.user_id == bindparam("owner"))
# What a write may set, besides the timestamps and version it always sets.
STORED = ("title", "description", "completed", "completed_at", "due_date", "due_time", "due_key", "priority")

NEW_TASK = {"description": None, "completed": False, "due_date": None, "due_time": None, "priority": "none"}
# listing.COLUMNS as RETURNING can name them (the stored tag names unlabelled).
RETURNED = tuple(Task.tag_names if column.key == "tags" else column for column in COLUMNS)
GET = select(*COLUMNS).where(*THIS_TASK)
STATE = select(Task.completed, Task.completed_at, Task.due_date, Task.due_time).where(*THIS_TASK)
CREATE = (
    insert(Task)
    .values(
        user_id=bindparam("owner"),
        **{field: bindparam(f"new_{field}") for field in STORED},
        # The owner's current change number, not a new one: a task that did not exist when a walk
        # by cursor began cannot be returned twice by it, so a create needs no lock or transaction.
        version=func.coalesce(
            select(User.change_seq).where(User.id == bindparam("owner")).scalar_subquery(), 0
        ),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*RETURNED)
)
TOGGLE = (
    update(Task)
    .where(*THIS_TASK)
    .values(
        completed=not_(Task.completed),
        completed_at=case((Task.completed, None), else_=bindparam("now")),
        version=bindparam("version"),
        updated_at=bindparam("now"),
    )
)
DELETE = delete(Task).where(*THIS_TASK).returning(Task.id)


@cache
def _update_statement(fields: frozenset[str]) -> Update:
    """UPDATE of exactly these fields; at most one statement per subset of STORED."""
    values = {field: bindparam(f"new_{field}") for field in sorted(fields)}
    return (
        update(Task)
        .where(*THIS_TASK)
        .values(**values, version=bindparam("version"), updated_at=bindparam("now"))
    )


def public(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of listing.COLUMNS as the task JSON."""
    task = dict(zip(FIELDS, row, strict=False))
    task["due_time"] = _hhmm(task["due_time"])
    task["priority"] = priority.name_of(task["priority"])
    names = task["tags"]
    task["tags"] = sorted(names.split("\x1f"), key=lambda n: (n.casefold(), n)) if names else []
    return task


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


def _check_id(task_id: int) -> None:
    if not 1 <= task_id <= MAX_ID:
        raise NotFound(TASK_NOT_FOUND)


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """API field values as stored: priority as its rank, the due key beside date and time."""
    out = {name: value for name, value in fields.items() if name in STORED}
    if "priority" in fields:
        out["priority"] = priority.rank(fields["priority"])
    if "due_date" in fields or "due_time" in fields:
        out["due_key"] = listing.due_key(fields.get("due_date"), fields.get("due_time"))
        out["due_time"] = _time(fields.get("due_time"))
    return out


async def get(db: Connection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    row = await db.first(GET, {"task_id": task_id, "owner": user_id})
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return public(row)


def today_for(user: UserPublic) -> date:
    return local_now(user.timezone).date()


async def create(
    db: Connection, *, user: UserPublic, fields: dict[str, Any], tag_names: list[str]
) -> dict[str, Any]:
    """A new task from validated fields (title, description, completed, due_date, due_time, priority)."""
    now = datetime.now(UTC)
    fields = {**NEW_TASK, **fields}
    values = _stored({**fields, "completed_at": now if fields["completed"] else None})
    params = {f"new_{name}": values.get(name) for name in STORED}
    try:
        if not tag_names:  # one statement
            row = await db.first(CREATE, {**params, "owner": user.id, "now": now})
            assert row is not None
            return public(row)
        async with db.transaction():
            await next_change(db, user_id=user.id)  # holds the owner's row: tags are named once
            row = await db.first(CREATE, {**params, "owner": user.id, "now": now})
            assert row is not None
            task = public(row)
            task["tags"] = await tags.set_for_task(db, user_id=user.id, task_id=task["id"], names=tag_names)
            return task
    except ForeignKeyViolation:
        # The account was deleted after this request was authenticated: its token is dead now.
        raise Unauthorized(INVALID_TOKEN) from None


async def update_fields(
    db: Connection, *, user_id: int, task_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply a PATCH (or, with every field, a PUT). due_time needs a due date, the task's own or
    one sent with it; clearing the due date clears the time."""
    _check_id(task_id)
    now = datetime.now(UTC)
    changes = dict(changes)
    tag_names = changes.pop("tags", None)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        state = await db.first(STATE, {"task_id": task_id, "owner": user_id})
        if state is None:
            raise NotFound(TASK_NOT_FOUND)
        _, completed_at, due_date, due_time = state
        if "completed" in changes:
            changes["completed_at"] = (completed_at or now) if changes["completed"] else None
        if "due_date" in changes or "due_time" in changes:
            due_date = changes.get("due_date", due_date)
            due_time = changes["due_time"] if "due_time" in changes else _hhmm(due_time)
            if due_date is None and "due_time" in changes and due_time is not None:
                raise Unprocessable("due_time needs a due_date: this task has none")
            if due_date is None:
                due_time = None
            changes.update(due_date=due_date, due_time=due_time)
        values = _stored(changes)
        params = {f"new_{name}": value for name, value in values.items()}
        if values or tag_names is not None:  # (tags alone still move version and updated_at)
            stmt = _update_statement(frozenset(values))
            await db.execute(
                stmt, {**params, "task_id": task_id, "owner": user_id, "version": version, "now": now}
            )
        if tag_names is not None:
            await tags.set_for_task(db, user_id=user_id, task_id=task_id, names=tag_names)
        return await get(db, user_id=user_id, task_id=task_id)


async def toggle(db: Connection, *, user_id: int, task_id: int) -> dict[str, Any]:
    _check_id(task_id)
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        params = {"task_id": task_id, "owner": user_id, "version": version, "now": now}
        if await db.execute(TOGGLE, params) == 0:
            raise NotFound(TASK_NOT_FOUND)
        return await get(db, user_id=user_id, task_id=task_id)


async def delete_one(db: Connection, *, user_id: int, task_id: int) -> None:
    _check_id(task_id)
    async with db.transaction():
        # The owner's row first, as every write of an existing task takes it: the counter trigger
        # takes it after the task's row, and two writes taking the two locks in opposite orders
        # would deadlock.
        await next_change(db, user_id=user_id)
        if await db.first(DELETE, {"task_id": task_id, "owner": user_id}) is None:
            raise NotFound(TASK_NOT_FOUND)


async def list_page(
    db: Connection,
    *,
    user: UserPublic,
    filters: Filters,
    sort: str,
    limit: int,
    offset: int,
    cursor: str | None,
    secret: bytes,
) -> tuple[list[dict[str, Any]], int, str | None]:
    """One page of the owner's matching tasks, how many match in all, and the next page's cursor
    (None at the end). A cursor made for another listing or user raises cursors.InvalidCursor."""
    listing_id = cursors.listing_digest(filters, sort)
    position = cursors.decode(cursor, secret=secret, owner=user.id, listing=listing_id) if cursor else None
    tag_ids = await tags.ids_of(db, user_id=user.id, keys=filters.tags)
    if tag_ids is None:  # a tag the owner does not have: nothing matches
        return [], 0, None
    shape = listing.shape_of(filters, db.backend)
    # (the clock is read only when `overdue` asks for it)
    now_key = listing.now_key(local_now(user.timezone)) if filters.overdue is not None else ""
    params: dict[str, Any] = {
        "owner": user.id,
        "limit": limit + 1,
        "offset": offset,
        **listing.filter_params(filters, db.backend, now_key=now_key, tag_ids=tag_ids),
    }
    prepare = False if shape.data_dependent else None
    if position is not None:
        params.update(
            after_key=position.key,
            after_id=position.task_id,
            after_neg_id=-position.task_id,
            snapshot=position.snapshot,
        )
    if position is None:
        rows = await db.all(listing.page(shape, sort, after=None), params, prepare=prepare)
    elif db.backend == "postgresql":
        rows = await db.all(listing.page(shape, sort, after="all"), params, prepare=prepare)
    else:  # SQLite: equal keys first, then later keys, each one index seek (see listing.Sort.after)
        rows = await db.all(listing.page(shape, sort, after="ties"), params)
        if len(rows) <= limit:
            rest = {**params, "limit": limit + 1 - len(rows)}
            rows += await db.all(listing.page(shape, sort, after="beyond"), rest)
    if not rows:
        return [], (await db.all(listing.count(shape), params, prepare=prepare))[0][0], None
    more = len(rows) > limit
    rows = rows[:limit]
    total, snapshot = rows[0][-2], rows[0][-1]
    next_cursor = None
    if more:
        last = rows[-1]
        snapshot = position.snapshot if position is not None else snapshot
        next_position = cursors.Position(key=last[-3], task_id=last[0], snapshot=snapshot)
        next_cursor = cursors.encode(next_position, secret=secret, owner=user.id, listing=listing_id)
    return [public(row[: len(COLUMNS)]) for row in rows], total, next_cursor
