"""Tasks of one owner: the one write path for every front door. Every statement is scoped
`WHERE user_id = :owner`: this is the only place ownership is enforced, and another user's task is
indistinguishable from a missing one. Each write is one transaction that first takes the owner's
next change number (tasks/changes.py)."""

from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Update,
    bindparam,
    case,
    delete,
    insert,
    literal,
    not_,
    select,
    update,
)

from todo_app.db import Connection, ForeignKeyViolation
from todo_app.db.types import MAX_ID
from todo_app.errors import INVALID_TOKEN, NotFound, Unauthorized, Unprocessable
from todo_app.tags import service as tags
from todo_app.tasks import changes as changelog
from todo_app.tasks import etag, listing, priority
from todo_app.tasks.changes import next_change
from todo_app.tasks.listing import COLUMNS, FIELDS
from todo_app.tasks.models import Task, TaskChange, TaskTag
from todo_app.users.models import User, UserPublic
from todo_app.zones import local_now

TASK_NOT_FOUND = "Task not found"
THIS_TASK = (Task.id == bindparam("task_id"), Task.user_id == bindparam("owner"), listing.LIVE)
# What a write may set, besides the timestamps and version it always sets.
STORED = ("title", "description", "completed", "completed_at", "due_date", "due_time", "due_key", "priority")

NEW_TASK = {"description": None, "completed": False, "due_date": None, "due_time": None, "priority": "none"}
# listing.COLUMNS as RETURNING can name them (the stored tag names unlabelled).
RETURNED = tuple(Task.tag_names if column.key == "tags" else column for column in COLUMNS)
GET = select(*COLUMNS).where(*THIS_TASK)
STATE = select(Task.completed, Task.completed_at, Task.due_date, Task.due_time).where(*THIS_TASK)
_TASK = Task.__table__.c
_NEW_VALUES = {field: bindparam(f"new_{field}", type_=_TASK[field].type) for field in STORED}
_NOW = bindparam("now", type_=_TASK.created_at.type)
CREATE = (
    insert(Task)
    .values(
        user_id=bindparam("owner"),
        **_NEW_VALUES,
        version=bindparam("version"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*RETURNED)
)


def _create_in_one_statement() -> Select:
    """PostgreSQL: the change number, the task and its change-log row in one statement (one round
    trip, atomic without a transaction block). No row when the owner is gone."""
    seq = (
        update(User)
        .where(User.id == bindparam("owner"))
        .values(change_seq=User.change_seq + 1)
        .returning(User.id, User.change_seq)
        .cte("next_change")
    )
    names = ["user_id", *STORED, "version", "created_at", "updated_at"]
    new = (
        insert(Task)
        .from_select(names, select(seq.c.id, *_NEW_VALUES.values(), seq.c.change_seq, _NOW, _NOW))
        .returning(*RETURNED, Task.user_id)
        .cte("new_task")
    )
    kind = literal(changelog.CREATED, type_=String())
    logged = (
        insert(TaskChange)
        .from_select(
            ["user_id", "seq", "task_id", "kind", "changed_at"],
            select(new.c.user_id, new.c.version, new.c.id, kind, _NOW),
        )
        .cte("logged")
    )
    return select(*(new.c[column.name] for column in RETURNED)).add_cte(logged)


CREATE_NOW = _create_in_one_statement()
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
# To the trash: its tag links go (tags count live tasks only); tag_names keeps the names.
TRASH = update(Task).where(*THIS_TASK).values(deleted_at=bindparam("now"), version=bindparam("version"))
UNLINK_TRASHED = delete(TaskTag).where(
    TaskTag.task_id.in_(
        select(Task.id).where(
            Task.user_id == bindparam("owner"),
            Task.version == bindparam("version"),
            Task.deleted_at.is_not(None),
        )
    )
)


class PreconditionFailed(Exception):
    """If-Match named another version of the task: nothing was changed (412)."""

    def __init__(self, task: dict[str, Any]) -> None:
        super().__init__("precondition failed")
        self.task = task


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
        if not tag_names and db.backend == "postgresql":
            row = await db.first(CREATE_NOW, {**params, "owner": user.id, "now": now})
            if row is None:  # the account was deleted after this request was authenticated
                raise Unauthorized(INVALID_TOKEN)
            task = public(row)
            await db.notify(f"{user.id}:{task['version']}")  # (committed: it ran on its own)
            return task
        async with db.transaction():
            version = await next_change(db, user_id=user.id)  # holds the owner's row: tags are named once
            row = await db.first(CREATE, {**params, "owner": user.id, "now": now, "version": version})
            assert row is not None
            task = public(row)
            if tag_names:
                task["tags"] = await tags.set_for_task(
                    db, user_id=user.id, task_id=task["id"], names=tag_names
                )
            await changelog.record(db, user_id=user.id, version=version, kind=changelog.CREATED, now=now)
            return task
    except ForeignKeyViolation:
        # The account was deleted after this request was authenticated: its token is dead now.
        raise Unauthorized(INVALID_TOKEN) from None


async def _check(db: Connection, *, user_id: int, task_id: int, if_match: etag.Condition | None) -> None:
    """Inside the write's transaction, after next_change: 404 for no such live task, 412 (with the
    current task) when If-Match names another version."""
    if if_match is None:
        return
    row = await db.first(GET, {"task_id": task_id, "owner": user_id})
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    current = public(row)
    if not if_match.matches(current["version"]):
        raise PreconditionFailed(current)


async def update_fields(
    db: Connection,
    *,
    user_id: int,
    task_id: int,
    changes: dict[str, Any],
    if_match: etag.Condition | None = None,
) -> dict[str, Any]:
    """Apply a PATCH (or, with every field, a PUT). due_time needs a due date, the task's own or
    one sent with it; clearing the due date clears the time."""
    _check_id(task_id)
    now = datetime.now(UTC)
    changes = dict(changes)
    tag_names = changes.pop("tags", None)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        await _check(db, user_id=user_id, task_id=task_id, if_match=if_match)
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
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        return await get(db, user_id=user_id, task_id=task_id)


async def toggle(
    db: Connection, *, user_id: int, task_id: int, if_match: etag.Condition | None = None
) -> dict[str, Any]:
    _check_id(task_id)
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        await _check(db, user_id=user_id, task_id=task_id, if_match=if_match)
        params = {"task_id": task_id, "owner": user_id, "version": version, "now": now}
        if await db.execute(TOGGLE, params) == 0:
            raise NotFound(TASK_NOT_FOUND)
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        return await get(db, user_id=user_id, task_id=task_id)


async def delete_one(
    db: Connection, *, user_id: int, task_id: int, if_match: etag.Condition | None = None
) -> None:
    """To the trash (trash/service.py restores or purges it)."""
    _check_id(task_id)
    now = datetime.now(UTC)
    async with db.transaction():
        # The owner's row first, as every write of an existing task takes it: the counter trigger
        # takes it after the task's row, and two writes taking the two locks in opposite orders
        # would deadlock.
        version = await next_change(db, user_id=user_id)
        await _check(db, user_id=user_id, task_id=task_id, if_match=if_match)
        params = {"task_id": task_id, "owner": user_id, "version": version, "now": now}
        if await db.execute(TRASH, params) == 0:
            raise NotFound(TASK_NOT_FOUND)
        await trash_stamped(db, user_id=user_id, version=version, now=now)


async def trash_stamped(db: Connection, *, user_id: int, version: int, now: datetime) -> int:
    """After tasks were moved to the trash stamped with `version`: unlink their tags, log them."""
    await db.execute(UNLINK_TRASHED, {"owner": user_id, "version": version})
    return await changelog.record(db, user_id=user_id, version=version, kind=changelog.DELETED, now=now)
