"""Tasks of one owner: the one write path for every front door. Every statement is scoped
`WHERE user_id = :owner`: this is the only place ownership is enforced, and another user's task is
indistinguishable from a missing one. Each write is one transaction that first takes the owner's
next change number (tasks/changes.py)."""

from datetime import UTC, date, datetime
from typing import Any

from todo_app.db import Connection, ForeignKeyViolation
from todo_app.db.types import MAX_ID
from todo_app.errors import INVALID_TOKEN, Conflict, NotFound, Unauthorized, Unprocessable
from todo_app.tags import service as tags
from todo_app.tasks import changes as changelog
from todo_app.tasks import etag, series
from todo_app.tasks import reminders as pending
from todo_app.tasks.changes import next_change
from todo_app.tasks.fields import (
    MOVES_REMINDERS,
    NEW_TASK,
    STORED,
    hhmm,
    public,
    reminders_text,
    same_recurrence,
    series_values,
    stored,
)
from todo_app.tasks.statements import (
    CREATE,
    CREATE_NOW,
    GET,
    STATE,
    TOGGLE,
    TRASH,
    UNLINK_TRASHED,
    update_statement,
)
from todo_app.users.models import UserPublic
from todo_app.zones import local_now

TASK_NOT_FOUND = "Task not found"


class PreconditionFailed(Exception):
    """If-Match named another version of the task: nothing was changed (412)."""

    def __init__(self, task: dict[str, Any]) -> None:
        super().__init__("precondition failed")
        self.task = task


def _check_id(task_id: int) -> None:
    if not 1 <= task_id <= MAX_ID:
        raise NotFound(TASK_NOT_FOUND)


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
    """A new task from validated fields (title, description, completed, due_date, due_time, priority,
    recurrence, reminders)."""
    now = datetime.now(UTC)
    fields = {**NEW_TASK, **fields}
    values = stored({**fields, "completed_at": now if fields["completed"] else None})
    values.update(series_values(fields["recurrence"], due_date=fields["due_date"]))
    params = {f"new_{name}": values.get(name) for name in STORED}
    try:
        if not tag_names and values["reminders"] is None and db.backend == "postgresql":
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
            if values["reminders"] is not None:
                await pending.rearm(db, user_id=user.id, version=version)
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
    one sent with it; clearing the due date clears the time. Completing a recurring task moves it
    to its next occurrence (after the other changes apply); a changed rule or due date starts its
    series again from the due date."""
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
        completed, completed_at, due_date, due_time, rule, from_, reminders = state
        old_due_date = due_date
        if "due_date" in changes or "due_time" in changes:
            due_date = changes.get("due_date", due_date)
            due_time = changes["due_time"] if "due_time" in changes else hhmm(due_time)
            if due_date is None and "due_time" in changes and due_time is not None:
                raise Unprocessable("due_time needs a due_date: this task has none")
            if due_date is None:
                due_time = None
            changes.update(due_date=due_date, due_time=due_time)
        else:
            due_time = hhmm(due_time)
        recurring = rule is not None
        sent = changes.pop("recurrence", ...)
        if sent is not ... and due_date == old_due_date and same_recurrence(sent, rule, from_, due_date):
            sent = ...  # (a PUT sending the task's own rule back changes nothing)
        if sent is not ...:
            changes.update(series_values(sent, due_date=due_date))
            recurring = changes["recurrence_rule"] is not None
        elif recurring and due_date != old_due_date:
            if due_date is None:
                raise Unprocessable("This task repeats: send recurrence: null with a null due_date")
            changes.update(series_values({"rule": rule, "from": from_}, due_date=due_date))
        if "reminders" in changes:
            changes["reminders"] = reminders_text(changes["reminders"], due_time=due_time)
        advance = recurring and changes.get("completed") is True and not completed
        if advance:
            del changes["completed"]  # (moved to its next occurrence below, or completed for good)
        elif "completed" in changes:
            changes["completed_at"] = (completed_at or now) if changes["completed"] else None
        values = stored({name: value for name, value in changes.items() if name != "reminders"})
        if "reminders" in changes:
            values["reminders"] = changes["reminders"]
        params = {f"new_{name}": value for name, value in values.items()}
        if values or tag_names is not None or advance:  # (tags alone still move version and updated_at)
            stmt = update_statement(frozenset(values))
            await db.execute(
                stmt, {**params, "task_id": task_id, "owner": user_id, "version": version, "now": now}
            )
        if tag_names is not None:
            await tags.set_for_task(db, user_id=user_id, task_id=task_id, names=tag_names)
        if advance:
            found = await series.find(db, user_id=user_id, task_id=task_id)
            assert found is not None
            assert found.series is not None
            zone = await series.zone_of(db, user_id)
            await series.complete(
                db, user_id=user_id, series=found.series, zone=zone, version=version, now=now
            )
        if (reminders is not None or values.get("reminders") is not None) and (
            advance or MOVES_REMINDERS.intersection(changes)
        ):
            await pending.rearm(db, user_id=user_id, version=version)
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        return await get(db, user_id=user_id, task_id=task_id)


async def toggle(
    db: Connection, *, user_id: int, task_id: int, if_match: etag.Condition | None = None
) -> dict[str, Any]:
    """Complete an open task (a recurring one moves to its next occurrence) or reopen a completed one."""
    _check_id(task_id)
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        await _check(db, user_id=user_id, task_id=task_id, if_match=if_match)
        found = await series.find(db, user_id=user_id, task_id=task_id)
        if found is None:
            raise NotFound(TASK_NOT_FOUND)
        params = {"task_id": task_id, "owner": user_id, "version": version, "now": now}
        if found.series is not None and not found.completed:
            zone = await series.zone_of(db, user_id)
            await series.complete(
                db, user_id=user_id, series=found.series, zone=zone, version=version, now=now
            )
        else:
            await db.execute(TOGGLE, params)
        if found.reminders:
            await pending.rearm(db, user_id=user_id, version=version)
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        return await get(db, user_id=user_id, task_id=task_id)


async def skip(
    db: Connection, *, user_id: int, task_id: int, if_match: etag.Condition | None = None
) -> dict[str, Any]:
    """Move a recurring task to its next occurrence without recording a completion. 409 when it does
    not repeat, is completed, or its series has no further occurrence."""
    _check_id(task_id)
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        await _check(db, user_id=user_id, task_id=task_id, if_match=if_match)
        found = await series.find(db, user_id=user_id, task_id=task_id)
        if found is None:
            raise NotFound(TASK_NOT_FOUND)
        if found.series is None:
            raise Conflict(series.NOT_RECURRING)
        if found.completed:
            raise Conflict("This task is completed: its series is over")
        zone = await series.zone_of(db, user_id)
        await series.skip(db, user_id=user_id, series=found.series, zone=zone, version=version, now=now)
        if found.reminders:
            await pending.rearm(db, user_id=user_id, version=version)
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        return await get(db, user_id=user_id, task_id=task_id)


async def completions(db: Connection, *, user_id: int, task_id: int) -> list[dict[str, Any]]:
    """Every completed occurrence of one of the owner's live tasks, newest first."""
    await get(db, user_id=user_id, task_id=task_id)
    return await series.completions(db, task_id=task_id)


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
        await pending.rearm(db, user_id=user_id, version=version)


async def trash_stamped(db: Connection, *, user_id: int, version: int, now: datetime) -> int:
    """After tasks were moved to the trash stamped with `version`: unlink their tags, log them."""
    await db.execute(UNLINK_TRASHED, {"owner": user_id, "version": version})
    return await changelog.record(db, user_id=user_id, version=version, kind=changelog.DELETED, now=now)
