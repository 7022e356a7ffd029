"""The email outbox: notifications whose `email_due_at` has come are leased, sent, then marked.

A process leases a batch by moving `email_due_at` LEASE ahead in one statement (rows chosen
`FOR UPDATE SKIP LOCKED` on PostgreSQL, under the write lock on SQLite), so processes never lease
the same row. It starts no send after half the lease (a send ends within smtp.SEND_SECONDS), hands
what is left back, and marks each row only while its lease is still its own. A process that
dies mid-batch leaves its lease to expire: another then sends (the one case a reminder may be
emailed twice: a process stopped between the server's answer and the mark).

A failed attempt is retried after RETRY_FIRST, doubling up to RETRY_MAX, MAX_ATTEMPTS in all; a
message the server refuses for good (smtp.PermanentFailure) is not retried.
"""

import logging
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import bindparam, select, update
from sqlmodel import col

from todo_app.db import Connection, UTCDateTime
from todo_app.notifications import smtp
from todo_app.notifications.models import Notification
from todo_app.tasks.models import Task
from todo_app.users.models import User

log = logging.getLogger(__name__)

BATCH = 10
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)

_NOW = bindparam("now", type_=UTCDateTime())
_LEASE_UNTIL = bindparam("lease_until", type_=UTCDateTime())
_DUE = (
    select(col(Notification.id))
    .where(col(Notification.email_due_at) <= _NOW)
    .order_by(col(Notification.email_due_at), col(Notification.id))
    .limit(bindparam("batch"))
    .with_for_update(skip_locked=True)
)
TAKE = (
    update(Notification)
    .where(col(Notification.id).in_(_DUE))
    .values(email_due_at=_LEASE_UNTIL)
    .returning(
        col(Notification.id),
        col(Notification.user_id),
        col(Notification.title),
        col(Notification.remind_at),
        col(Notification.late),
        col(Notification.email_attempts),
    )
)
# Most turns find nothing due: on SQLite they then never take the write lock.
ANY_DUE = select(col(Notification.id)).where(col(Notification.email_due_at) <= _NOW).limit(1)
DETAILS = (
    select(col(User.email), col(User.timezone), col(Task.due_date), col(Task.due_time))
    .select_from(Notification)
    .join(User, col(User.id) == col(Notification.user_id))
    .outerjoin(Task, col(Task.id) == col(Notification.task_id))
    .where(col(Notification.id) == bindparam("id"))
)
_LEASED = (col(Notification.id) == bindparam("id"), col(Notification.email_due_at) == _LEASE_UNTIL)
SENT = (
    update(Notification)
    .where(*_LEASED)
    .values(email_due_at=None, emailed_at=_NOW, email_attempts=col(Notification.email_attempts) + 1)
)
FAILED = (
    update(Notification)
    .where(*_LEASED)
    .values(
        email_due_at=bindparam("retry_at", type_=UTCDateTime()),
        email_attempts=col(Notification.email_attempts) + 1,
    )
)
HAND_BACK = update(Notification).where(*_LEASED).values(email_due_at=_NOW)
DROP = update(Notification).where(*_LEASED).values(email_due_at=None)


def retry_delay(attempts: int) -> timedelta:
    """How long after the `attempts`-th failed attempt the next one is due."""
    delay: timedelta = min(RETRY_MAX, RETRY_FIRST * 2 ** min(attempts - 1, 20))  # (int ** int: Any)
    return delay


async def send_due(
    db: Connection,
    *,
    target: smtp.SmtpTarget,
    sender: str,
    outcome: Callable[[bool], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Send the emails due at `now`; how many went. `outcome(ok)` is told of every attempt."""
    sent = 0
    while True:
        taken_at = now or datetime.now(UTC)
        if db.backend == "sqlite" and await db.first(ANY_DUE, {"now": taken_at}) is None:
            return sent
        lease = {"lease_until": taken_at + LEASE}
        batch = await db.all(TAKE, {"now": taken_at, "batch": BATCH, **lease})
        started = clock.monotonic()
        for index, (notification_id, user_id, title, remind_at, late, attempts) in enumerate(batch):
            row = {"id": notification_id, **lease}
            if clock.monotonic() - started > LEASE.total_seconds() / 2:
                for later in batch[index:]:
                    await db.execute(HAND_BACK, {"id": later[0], "now": taken_at, **lease})
                return sent
            details = await db.first(DETAILS, {"id": notification_id})
            if details is None:  # (the owner was deleted meanwhile)
                await db.execute(DROP, row)
                continue
            email, zone, due_date, due_time = details
            reminder = smtp.ReminderEmail(email, title, remind_at, zone, late, due_date, due_time)
            failure = await _attempt(target, smtp.compose(reminder, sender=sender))
            if outcome is not None:
                outcome(failure is None)
            done_at = now or datetime.now(UTC)
            if failure is None:
                sent += await db.execute(SENT, {**row, "now": done_at})
                continue
            attempts += 1
            final = isinstance(failure, smtp.PermanentFailure) or attempts >= MAX_ATTEMPTS
            retry_at = None if final else done_at + retry_delay(attempts)
            await db.execute(FAILED, {**row, "retry_at": retry_at})
            log.warning(
                "reminder email %s (user %s) via %s failed, attempt %s%s: %s: %s",
                notification_id, user_id, target, attempts, ", giving up" if final else "",
                type(failure).__name__, failure,
            )  # fmt: skip
        if len(batch) < BATCH:
            return sent


async def _attempt(target: smtp.SmtpTarget, message: EmailMessage) -> Exception | None:
    try:
        await smtp.send(target, message)
    except Exception as exc:
        return exc
    return None
