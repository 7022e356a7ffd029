"""The reminder jobs every process runs (housekeeping.py registers them): claim the reminders that
fell due, and send the emails of the outbox. Both run at start-up, then every REMINDER_POLL_SECONDS
(jittered below it, scheduler.py), so a reminder becomes a notification within that time of its
own, and its email follows within one more turn. They are separate jobs so that a slow or absent
SMTP server never holds up the notifications."""

import logging
from functools import partial
from typing import Protocol

from todo_app.config import Settings
from todo_app.db import Connection
from todo_app.notifications import outbox
from todo_app.notifications.claim import Claimed, claim_due
from todo_app.scheduler import Job

log = logging.getLogger(__name__)


class Observer(Protocol):
    """What is told of the jobs' work (observability/metrics.py Metrics)."""

    def reminders_claimed(self, *, sent: int, late: int, missed: int) -> None: ...

    def reminder_email(self, ok: bool) -> None: ...


async def claim_reminders(
    db: Connection, *, poll_seconds: float, emails: bool, observer: Observer | None
) -> Claimed:
    claimed = await claim_due(db, poll_seconds=poll_seconds, emails=emails)
    if claimed.total:
        log.info("reminders: %s sent (%s late), %s missed", claimed.sent, claimed.late, claimed.missed)
        if observer is not None:
            observer.reminders_claimed(sent=claimed.sent, late=claimed.late, missed=claimed.missed)
    return claimed


def jobs_for(settings: Settings, observer: Observer | None = None) -> list[Job]:
    poll = settings.reminder_poll_seconds
    target = settings.smtp_target
    claim = partial(claim_reminders, poll_seconds=poll, emails=target is not None, observer=observer)
    jobs = [Job("reminders", poll, claim, at_start=True)]
    if target is not None and settings.smtp_from is not None:
        outcome = observer.reminder_email if observer is not None else None
        send = partial(outbox.send_due, target=target, sender=settings.smtp_from, outcome=outcome)
        jobs.append(Job("reminder emails", poll, send, at_start=True))
    return jobs
