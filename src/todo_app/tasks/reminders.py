"""Pending reminders: when each of a task's reminders falls due (`instants`, pure), and the `reminder`
rows that say so, rewritten by every task write that may move them (`rearm`, `rearm_user`).

A task's `reminders` column holds the list the API shows, a JSON array of {"before_minutes": n}
(before the due date and time, in the owner's zone; none without a due time) and {"at": "...Z"}.
Its pending ones are rows of `reminder` (position = index in that list, remind_at in UTC) for a task
that is live, open and has such reminders still ahead. The scheduler claims and deletes a row when
it falls due (notifications/claim.py), so a row gives one notification.

Callers run `rearm` inside the write's transaction after `next_change`: the owner's row lock makes
the rewrites of one owner's rows follow one another. A row already due but not yet claimed when a
write rewrites it is kept if the write leaves it as it was (same task, position and time), so an
edit of another field in that moment does not lose it; the claim's row lock (PostgreSQL) or the
write lock (SQLite) makes sure it is then either claimed or rewritten, never both.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, and_, bindparam, delete, exists, insert, or_, select
from sqlalchemy.sql.dml import ReturningDelete
from sqlmodel import col

from todo_app.db import Connection, UTCDateTime
from todo_app.tasks.models import Reminder, Task
from todo_app.tasks.recurrence import occurrence_instant
from todo_app.users.models import User

INSERT_BATCH = 50  # rows per INSERT (4 parameters each)

_HAS_ROWS = exists().where(col(Reminder.task_id) == col(Task.id))
_ARMED = and_(
    col(Task.reminders).is_not(None), col(Task.deleted_at).is_(None), col(Task.completed).is_(False)
)
_OWNER = col(Task.user_id) == bindparam("owner")
_STAMPED = (_OWNER, col(Task.version) == bindparam("version"))


def _tasks(*where: Any) -> Select[*tuple[Any, ...]]:
    """The tasks that have pending rows or may need some: a task without reminders and without rows
    costs nothing more than this one query."""
    return (
        select(
            col(Task.id),
            col(Task.reminders),
            col(Task.due_date),
            col(Task.due_time),
            _ARMED,
            col(User.timezone),
            _HAS_ROWS,
        )
        .join_from(Task, User, col(User.id) == col(Task.user_id))
        .where(*where, or_(_ARMED, _HAS_ROWS))
    )


def _clear(*where: Any) -> ReturningDelete[int, int, datetime]:
    return (
        delete(Reminder)
        .where(col(Reminder.user_id) == bindparam("owner"), *where)
        .returning(col(Reminder.task_id), col(Reminder.position), col(Reminder.remind_at))
    )


STAMPED_TASKS = _tasks(*_STAMPED)
OWNED_TASKS = _tasks(_OWNER)
CLEAR_STAMPED = _clear(col(Reminder.task_id).in_(select(col(Task.id)).where(*_STAMPED)))
CLEAR_OWNED = _clear()


@cache
def _insert(rows: int) -> Insert:
    """INSERT of `rows` reminder rows (one statement per size, at most INSERT_BATCH of them)."""
    values = [
        {
            "user_id": bindparam(f"u{i}"),
            "task_id": bindparam(f"t{i}"),
            "position": bindparam(f"p{i}"),
            "remind_at": bindparam(f"r{i}", type_=UTCDateTime()),
        }
        for i in range(rows)
    ]
    return insert(Reminder).values(values)


def instants(
    reminders: list[dict[str, Any]],
    *,
    due_date: date | None,
    due_time: time | None,
    zone: str,
    now: datetime,
) -> list[tuple[int, datetime]]:
    """(position, UTC instant) of each reminder that falls due after `now`, in list order.
    before_minutes counts back from the due date and time in `zone` (a wall-clock time in a
    daylight-saving gap or fold as recurrence.occurrence_instant reads it); it needs both."""
    return [(position, at) for position, at in _all_instants(reminders, due_date, due_time, zone) if at > now]


def _all_instants(
    reminders: list[dict[str, Any]], due_date: date | None, due_time: time | None, zone: str
) -> list[tuple[int, datetime]]:
    out: list[tuple[int, datetime]] = []
    due: datetime | None = None
    for position, reminder in enumerate(reminders):
        if "at" in reminder:
            out.append((position, datetime.fromisoformat(reminder["at"]).astimezone(UTC)))
        elif "before_minutes" in reminder and due_date is not None and due_time is not None:
            due = due or occurrence_instant(due_date, due_time, zone)
            out.append((position, due - timedelta(minutes=reminder["before_minutes"])))
    return out


async def rearm(db: Connection, *, user_id: int, version: int, now: datetime | None = None) -> None:
    """Rewrite the pending rows of the owner's tasks stamped with `version` (this write's tasks)."""
    await _rewrite(db, STAMPED_TASKS, CLEAR_STAMPED, {"owner": user_id, "version": version}, user_id, now)


async def rearm_user(db: Connection, *, user_id: int, now: datetime | None = None) -> None:
    """Rewrite the pending rows of every task of the owner (their time zone changed). Call it in a
    transaction that holds the owner's row (an UPDATE of it)."""
    await _rewrite(db, OWNED_TASKS, CLEAR_OWNED, {"owner": user_id}, user_id, now)


async def _rewrite(
    db: Connection,
    tasks: Select[*tuple[Any, ...]],
    clear: ReturningDelete[int, int, datetime],
    params: dict[str, Any],
    user_id: int,
    now: datetime | None,
) -> None:
    now = now or datetime.now(UTC)
    found = await db.all(tasks, params)
    if not found:
        return
    kept: set[tuple[int, int, datetime]] = set()  # due but unclaimed: kept if still as they were
    if any(row[6] for row in found):
        kept = {row for row in await db.all(clear, params) if row[2] <= now}
    rows: list[tuple[int, int, datetime]] = []
    for task_id, text, due_date, due_time, armed, zone, _ in found:
        if not armed:
            continue
        for position, at in _all_instants(json.loads(text), due_date, due_time, zone):
            if at > now or (task_id, position, at) in kept:
                rows.append((task_id, position, at))
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        values: dict[str, Any] = {}
        for i, (task_id, position, at) in enumerate(batch):
            values.update({f"u{i}": user_id, f"t{i}": task_id, f"p{i}": position, f"r{i}": at})
        await db.execute(_insert(len(batch)), values)
