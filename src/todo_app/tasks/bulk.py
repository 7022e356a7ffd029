"""Changes to every task of a listing at once (PATCH /tasks, DELETE /tasks): one transaction each,
all or nothing, with the same filters as GET /tasks."""

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, Update, and_, bindparam, case, delete, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from todo_app.db import Connection
from todo_app.errors import Unprocessable
from todo_app.tags import service as tags
from todo_app.tasks import changes as changelog
from todo_app.tasks import listing, priority, series, service, tagnames
from todo_app.tasks import reminders as pending
from todo_app.tasks.changes import next_change
from todo_app.tasks.listing import Filters, Shape
from todo_app.tasks.models import Tag, Task, TaskTag
from todo_app.tasks.schemas import BulkChange
from todo_app.tasks.sqlfuncs import hh_mm
from todo_app.users.models import UserPublic
from todo_app.zones import local_now

NEEDS_A_FILTER = "Say which tasks: give a filter or ids, or all=true to delete every task"
THIS_CHANGE = (col(Task.user_id) == bindparam("owner"), col(Task.version) == bindparam("version"))


def _values(change: BulkChange) -> dict[str, Any]:
    """Column values for the UPDATE (each a bind parameter named new_<column>)."""
    values: dict[str, Any] = {}
    sent = change.model_fields_set
    if change.completed is not None:
        values["completed"] = change.completed
        if not change.completed:
            values["completed_at"] = None  # (completing keeps or sets it: see _update)
    if change.priority is not None:
        values["priority"] = priority.rank(change.priority)
    if "due_date" in sent and (change.due_date is None or "due_time" in sent):
        values["due_date"] = change.due_date
        values["due_time"] = datetime.strptime(change.due_time, "%H:%M").time() if change.due_time else None
        values["due_key"] = listing.due_key(change.due_date, change.due_time)
    elif "due_date" in sent:  # another day, each task keeping its time (see _update)
        values["due_date"] = change.due_date
    if "due_date" in values and change.due_date is None:
        values["recurrence_rule"] = None  # a task without a due date cannot repeat
    return values


@lru_cache(maxsize=256)
def _update(shape: Shape, fields: frozenset[str], completing: bool) -> Update:
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
    if "due_date" in fields and "due_key" not in fields:
        values["due_key"] = bindparam("new_due_day") + func.coalesce(
            hh_mm(col(Task.due_time)), literal_column("'24:00'")
        )
    if "due_date" in fields:  # a recurring task's series starts again on its new due date
        repeats = col(Task.recurrence_rule).is_not(None)
        values["series_start"] = case((repeats, bindparam("new_due_date")), else_=None)
        values["series_done"] = 0
    if "recurrence_rule" in fields:  # (cleared with the due date)
        values.update(recurrence_from=None, series_start=None, series_done=0)
    if completing:
        # An open recurring task stays open: it moves to its next occurrence afterwards
        # (series.complete_stamped). Others keep the completion time they had.
        open_series = and_(col(Task.recurrence_rule).is_not(None), col(Task.completed).is_(False))
        values["completed"] = case((open_series, False), else_=True)
        values["completed_at"] = case(
            (col(Task.completed_at).is_not(None), col(Task.completed_at)),
            (open_series, None),
            else_=bindparam("now"),
        )
    return (
        update(Task)
        .where(*listing.where(shape))
        .values(**values, version=bindparam("version"), updated_at=bindparam("now"))
    )


@lru_cache(maxsize=256)
def _trash(shape: Shape) -> Update:
    return (
        update(Task)
        .where(*listing.where(shape))
        .values(deleted_at=bindparam("now"), version=bindparam("version"))
    )


def _add_tag(dialect_insert: Any) -> Any:
    changed: Select[int | None, Any] = select(col(Task.id), bindparam("tag_id")).where(*THIS_CHANGE)
    return dialect_insert(TaskTag).from_select(["task_id", "tag_id"], changed).on_conflict_do_nothing()


ADD_TAG = {"postgresql": _add_tag(pg_insert), "sqlite": _add_tag(sqlite_insert)}
OVER_TAGGED = (
    select(col(TaskTag.task_id))
    .where(col(TaskTag.task_id).in_(select(col(Task.id)).where(*THIS_CHANGE)))
    .group_by(col(TaskTag.task_id))
    .having(func.count() > tagnames.MAX_TAGS)
    .limit(1)
)
REMOVE_TAG = delete(TaskTag).where(
    col(TaskTag.tag_id).in_(
        select(col(Tag.id)).where(
            col(Tag.user_id) == bindparam("owner"), col(Tag.name_key) == bindparam("key")
        )
    ),
    col(TaskTag.task_id).in_(select(col(Task.id)).where(*THIS_CHANGE)),
)


async def _params(db: Connection, user: UserPublic, filters: Filters) -> dict[str, Any] | None:
    """Bind values for the filters; None when they name a tag the owner does not have."""
    tag_ids = await tags.ids_of(db, user_id=user.id, keys=filters.tags)
    if tag_ids is None:
        return None
    # (the clock is read only when `overdue` asks for it)
    now_key = listing.now_key(local_now(user.timezone)) if filters.overdue is not None else ""
    return {"owner": user.id, **listing.filter_params(filters, db.backend, now_key=now_key, tag_ids=tag_ids)}


async def update_matching(db: Connection, *, user: UserPublic, filters: Filters, change: BulkChange) -> int:
    """Apply `change` to every matching task; how many matched. The tasks changed are the ones
    stamped with this write's change number, so tag changes apply to exactly them even when the
    change itself moves tasks out of the filter (completing `completed=false`, say)."""
    stored = _values(change)
    completing = bool(change.completed)
    shape = listing.shape_of(filters, db.backend)
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user.id)
        matching = await _params(db, user, filters)
        if matching is None:
            return 0
        params = {
            **matching,
            **{f"new_{name}": value for name, value in stored.items()},
            "version": version,
            "now": now,
        }
        if stored.get("due_date") is not None:
            params["new_due_day"] = f"{stored['due_date'].isoformat()}T"
        matched = await db.execute(_update(shape, frozenset(stored), completing), params)
        if matched and change.add_tags:
            for tag_id, _name in await tags.name_tags(db, user_id=user.id, names=change.add_tags):
                await db.execute(
                    ADD_TAG[db.backend], {"owner": user.id, "version": version, "tag_id": tag_id}
                )
        if (
            matched
            and change.add_tags
            and await db.first(OVER_TAGGED, {"owner": user.id, "version": version})
        ):
            raise Unprocessable(f"A task would have more than {tagnames.MAX_TAGS} tags: nothing was changed")
        if matched:
            for name in change.remove_tags:
                params = {"owner": user.id, "version": version, "key": tagnames.key(name)}
                await db.execute(REMOVE_TAG, params)
        if matched and (change.add_tags or change.remove_tags):
            await db.execute(listing.RETAG, {"owner": user.id, "version": version})
        if matched and completing:
            await series.complete_stamped(db, user_id=user.id, version=version, now=now)
        if matched and ("completed" in stored or "due_date" in stored):
            await pending.rearm(db, user_id=user.id, version=version)
        if matched:
            await changelog.record(db, user_id=user.id, version=version, kind=changelog.UPDATED, now=now)
    return matched


async def delete_matching(db: Connection, *, user: UserPublic, filters: Filters) -> int:
    if not filters.narrows() and not filters.everything:
        raise Unprocessable(NEEDS_A_FILTER)
    """Move every matching task to the trash; how many."""
    shape = listing.shape_of(filters, db.backend)
    now = datetime.now(UTC)
    async with db.transaction():
        # the owner's row before the tasks' (see service.delete_one)
        version = await next_change(db, user_id=user.id)
        matching = await _params(db, user, filters)
        if matching is None:
            return 0
        trashed = await db.execute(_trash(shape), {**matching, "version": version, "now": now})
        if trashed:
            await service.trash_stamped(db, user_id=user.id, version=version, now=now)
            await pending.rearm(db, user_id=user.id, version=version)
        return trashed
