"""Reminders that fall due become notifications, each exactly once across any number of processes.

One transaction deletes the due `reminder` rows and inserts their notifications: on PostgreSQL one
statement whose rows are chosen `FOR UPDATE SKIP LOCKED`, so processes claiming at once take
disjoint rows and none waits for another; on SQLite the write lock (BEGIN IMMEDIATE) serialises the
claims. A process that dies mid-claim rolls back, and the rows are claimed by the next turn.

A reminder claimed more than `late_after` (two polls, at least a minute) after its time is `late`
(the service was not running, or was behind); one more than MISSED_AFTER (a day) late is recorded
as missed: sent_at NULL, also late, and no email. The notification keeps the task's title as it is now.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Select, bindparam, case, delete, insert, select
from sqlmodel import col

from todo_app.db import Connection, UTCDateTime
from todo_app.notifications.models import Notification
from todo_app.tasks.models import Reminder, Task

BATCH = 200
MISSED_AFTER = timedelta(hours=24)
MIN_LATE_AFTER = timedelta(seconds=60)

_NOW = bindparam("now", type_=UTCDateTime())
_LATE_BEFORE = bindparam("late_before", type_=UTCDateTime())
_MISSED_BEFORE = bindparam("missed_before", type_=UTCDateTime())
_EMAIL_DUE = bindparam("email_due", type_=UTCDateTime())
_COLUMNS = ["user_id", "task_id", "title", "remind_at", "created_at", "sent_at", "late", "email_due_at"]


def _values(user_id: Any, task_id: Any, remind_at: Any) -> Select[*tuple[Any, ...]]:
    """The notification of each reminder row (its task joined by the caller, for the title)."""
    missed = remind_at < _MISSED_BEFORE
    return select(
        user_id,
        task_id,
        col(Task.title),
        remind_at,
        _NOW,
        case((missed, None), else_=_NOW),
        remind_at < _LATE_BEFORE,
        case((missed, None), else_=_EMAIL_DUE),
    )


def _postgresql() -> Insert:
    due = (
        select(col(Reminder.id))
        .where(col(Reminder.remind_at) <= _NOW)
        .order_by(col(Reminder.remind_at))
        .limit(bindparam("batch"))
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    gone = (
        delete(Reminder)
        .where(col(Reminder.id) == due.c.id)
        .returning(col(Reminder.user_id), col(Reminder.task_id), col(Reminder.remind_at))
        .cte("gone")
    )
    values = _values(gone.c.user_id, gone.c.task_id, gone.c.remind_at)
    rows = values.join_from(gone, Task, col(Task.id) == gone.c.task_id)
    return (
        insert(Notification)
        .from_select(_COLUMNS, rows)
        .returning(col(Notification.late), col(Notification.sent_at))
    )


# SQLite: the batch is the first BATCH due rows by (remind_at, id); inside the IMMEDIATE transaction
# no one else writes, so the INSERT and the DELETE name the same rows.
_SQLITE_DUE = (
    select(col(Reminder.id))
    .where(col(Reminder.remind_at) <= _NOW)
    .order_by(col(Reminder.remind_at), col(Reminder.id))
    .limit(bindparam("batch"))
)
_SQLITE_ROWS = (
    _values(col(Reminder.user_id), col(Reminder.task_id), col(Reminder.remind_at))
    .join_from(Reminder, Task, col(Task.id) == col(Reminder.task_id))
    .where(col(Reminder.id).in_(_SQLITE_DUE))
)
SQLITE_NOTIFY = (
    insert(Notification)
    .from_select(_COLUMNS, _SQLITE_ROWS)
    .returning(col(Notification.late), col(Notification.sent_at))
)
SQLITE_DELETE = delete(Reminder).where(col(Reminder.id).in_(_SQLITE_DUE))
# Most turns find nothing due: on SQLite they then never take the write lock.
ANY_DUE = select(col(Reminder.id)).where(col(Reminder.remind_at) <= _NOW).limit(1)
POSTGRESQL_CLAIM = _postgresql()


@dataclass
class Claimed:
    sent: int = 0  # on time or late
    late: int = 0  # of those sent
    missed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.missed


def late_after(poll_seconds: float) -> timedelta:
    return max(MIN_LATE_AFTER, timedelta(seconds=2 * poll_seconds))


async def claim_due(
    db: Connection, *, poll_seconds: float, emails: bool, now: datetime | None = None, batch: int = BATCH
) -> Claimed:
    """Turn every reminder due at `now` into a notification (its email due now when `emails`)."""
    now = now or datetime.now(UTC)
    params = {
        "now": now,
        "late_before": now - late_after(poll_seconds),
        "missed_before": now - MISSED_AFTER,
        "email_due": now if emails else None,
        "batch": batch,
    }
    claimed = Claimed()
    while True:
        if db.backend == "postgresql":
            rows = await db.all(POSTGRESQL_CLAIM, params)
        elif await db.first(ANY_DUE, params) is None:
            return claimed
        else:
            async with db.transaction():
                rows = await db.all(SQLITE_NOTIFY, params)
                await db.execute(SQLITE_DELETE, params)
        for late, sent_at in rows:
            if sent_at is None:
                claimed.missed += 1
            else:
                claimed.sent += 1
                claimed.late += bool(late)
        if len(rows) < batch:
            return claimed
