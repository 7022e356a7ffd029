"""Recurring tasks in the write path: checking a task's rule, moving a completed or skipped task to
its next occurrence, and its completion history. The dates come from tasks/recurrence.py (pure);
this module reads and writes them inside the caller's transaction (tasks/service.py, tasks/bulk.py),
which has already taken the owner's change number `version`."""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import bindparam, insert, select, update
from sqlmodel import col

from todo_app.db import Connection
from todo_app.errors import Conflict, Unprocessable
from todo_app.models import metadata
from todo_app.tasks import listing, recurrence
from todo_app.tasks.models import Task, TaskCompletion
from todo_app.tasks.schemas import Recurrence
from todo_app.users.models import User
from todo_app.zones import local_now

FIRST_YEAR = 1900  # a series is counted from its start: one in year 1 would cost millions of dates
NOT_RECURRING = "This task does not repeat"
SERIES_OVER = "This series has no further occurrence"
_THIS_TASK = (col(Task.id) == bindparam("task_id"), col(Task.user_id) == bindparam("owner"))
ZONE = select(col(User.timezone)).where(col(User.id) == bindparam("owner"))
SERIES = select(
    col(Task.completed),
    col(Task.reminders),
    col(Task.due_date),
    col(Task.due_time),
    col(Task.recurrence_rule),
    col(Task.recurrence_from),
    col(Task.series_start),
    col(Task.series_done),
).where(*_THIS_TASK, listing.LIVE)
# Open recurring tasks this write stamped (a bulk completion moves each of them on).
STAMPED_OPEN_SERIES = select(col(Task.id), *SERIES.selected_columns[2:]).where(
    col(Task.user_id) == bindparam("owner"),
    col(Task.version) == bindparam("version"),
    col(Task.recurrence_rule).is_not(None),
    col(Task.completed).is_(False),
    listing.LIVE,
)
MOVE = (
    update(Task)
    .where(*_THIS_TASK)
    .values(
        due_date=bindparam("new_due_date"),
        due_key=bindparam("new_due_key"),
        series_done=col(Task.series_done) + 1,
        version=bindparam("version"),
        updated_at=bindparam("now"),
    )
)
FINISH = (
    update(Task)
    .where(*_THIS_TASK)
    .values(
        completed=True,
        completed_at=bindparam("now"),
        series_done=col(Task.series_done) + 1,
        version=bindparam("version"),
        updated_at=bindparam("now"),
    )
)
RECORD = insert(TaskCompletion).values(
    task_id=bindparam("task_id"),
    due_date=bindparam("due_date"),
    due_time=bindparam("due_time", type_=metadata.tables["task_completion"].c.due_time.type),
    completed_at=bindparam("now"),
)
COMPLETIONS = (
    select(col(TaskCompletion.due_date), col(TaskCompletion.due_time), col(TaskCompletion.completed_at))
    .where(col(TaskCompletion.task_id) == bindparam("task_id"))
    .order_by(col(TaskCompletion.completed_at).desc(), col(TaskCompletion.id).desc())
)
_RECURRENCE: TypeAdapter[Recurrence] = TypeAdapter(Recurrence)


@dataclass(frozen=True)
class Series:
    """A task's place in its series, as stored."""

    task_id: int
    due_date: date
    due_time: time | None
    rule: str
    from_: str
    start: date
    done: int


def checked(value: Any, *, due_date: date | None) -> tuple[str, str] | None:
    """A recurrence as sent (a Recurrence, or a dict with "rule" and "from"; None for none) checked
    against the series' first date: (canonical rule, from). 422 saying what is wrong otherwise."""
    if value is None:
        return None
    if not isinstance(value, Recurrence):
        try:
            value = _RECURRENCE.validate_python(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise Unprocessable(f"recurrence: {error['msg']}") from None
    if due_date is None:
        raise Unprocessable("A recurring task needs a due_date: it is the series' first occurrence")
    if due_date.year < FIRST_YEAR:
        raise Unprocessable(f"A recurring task's due date must be in {FIRST_YEAR} or later")
    try:
        rule = recurrence.parse(value.rule, value.from_, start=due_date)
    except recurrence.RecurrenceError as exc:
        raise Unprocessable(f"recurrence.rule: {exc}") from None
    return rule.text, rule.from_


async def zone_of(db: Connection, user_id: int) -> str:
    return await db.scalar(ZONE, {"owner": user_id}) or "UTC"


@dataclass(frozen=True)
class Found:
    completed: bool
    reminders: bool  # whether it has any
    series: Series | None  # None when it does not repeat


async def find(db: Connection, *, user_id: int, task_id: int) -> Found | None:
    """One of the owner's live tasks as a series; None when there is no such task."""
    row = await db.first(SERIES, {"task_id": task_id, "owner": user_id})
    if row is None:
        return None
    completed, reminders, due_date, due_time, rule, from_, start, done = row
    found = None
    if rule is not None and due_date is not None:
        found = Series(task_id, due_date, due_time, rule, from_, start or due_date, done)
    return Found(bool(completed), reminders is not None, found)


def next_date(series: Series, *, zone: str, now: datetime) -> date | None:
    """Where the task goes when this occurrence is done (completed or skipped), or None."""
    try:
        rule = recurrence.parse(series.rule, series.from_, start=series.start)
    except recurrence.RecurrenceError:
        return None  # (a stored rule was checked when it was set; one that no longer fits has ended)
    today = local_now(zone, now).date()
    return recurrence.next_due(
        rule,
        start=series.start,
        current_due=series.due_date,
        today=today,
        completed_on=today,
        done_so_far=series.done,
        due_time=series.due_time,
        zone=zone,
    )


async def complete(
    db: Connection, *, user_id: int, series: Series, zone: str, version: int, now: datetime
) -> None:
    """Record the completion of the current occurrence and move on to the next, or, when the series
    is over, complete the task for good."""
    await db.execute(
        RECORD,
        {"task_id": series.task_id, "due_date": series.due_date, "due_time": series.due_time, "now": now},
    )
    await _move(
        db, user_id=user_id, series=series, to=next_date(series, zone=zone, now=now), version=version, now=now
    )


async def skip(
    db: Connection, *, user_id: int, series: Series, zone: str, version: int, now: datetime
) -> None:
    """Move on to the next occurrence without recording a completion; 409 when there is none."""
    to = next_date(series, zone=zone, now=now)
    if to is None:
        raise Conflict(SERIES_OVER)
    await _move(db, user_id=user_id, series=series, to=to, version=version, now=now)


async def _move(
    db: Connection, *, user_id: int, series: Series, to: date | None, version: int, now: datetime
) -> None:
    params: dict[str, Any] = {"task_id": series.task_id, "owner": user_id, "version": version, "now": now}
    if to is None:
        await db.execute(FINISH, params)
        return
    due_time = series.due_time.strftime("%H:%M") if series.due_time is not None else None
    await db.execute(MOVE, {**params, "new_due_date": to, "new_due_key": listing.due_key(to, due_time)})


async def complete_stamped(db: Connection, *, user_id: int, version: int, now: datetime) -> None:
    """A bulk completion: move each open recurring task the write stamped to its next occurrence."""
    rows = await db.all(STAMPED_OPEN_SERIES, {"owner": user_id, "version": version})
    if not rows:
        return
    zone = await zone_of(db, user_id)
    for task_id, due_date, due_time, rule, from_, start, done in rows:
        if due_date is None:
            continue
        series = Series(task_id, due_date, due_time, rule, from_, start or due_date, done)
        await complete(db, user_id=user_id, series=series, zone=zone, version=version, now=now)


async def completions(db: Connection, *, task_id: int) -> list[dict[str, Any]]:
    """Every completed occurrence of the task, newest first (the caller checked ownership)."""
    rows = await db.all(COMPLETIONS, {"task_id": task_id})
    return [
        {
            "due_date": due_date,
            "due_time": due_time.strftime("%H:%M") if due_time is not None else None,
            "completed_at": completed_at,
        }
        for due_date, due_time, completed_at in rows
    ]
