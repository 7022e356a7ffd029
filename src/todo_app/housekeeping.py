"""The background jobs every process runs (scheduler.py): each is safe to run in several processes
at once."""

from functools import partial

from todo_app.config import Settings
from todo_app.db import upkeep
from todo_app.idempotency import service as idempotency
from todo_app.notifications import jobs as notifications
from todo_app.scheduler import Job
from todo_app.sync import compaction
from todo_app.trash import service as trash

HOURLY = 3600.0


def jobs_for(settings: Settings, backend: str, observer: notifications.Observer | None = None) -> list[Job]:
    """`observer`: told of the reminder jobs' work (the metrics, when on)."""
    days = settings.trash_retention_days
    jobs = [
        Job("trash retention", HOURLY, partial(trash.purge_expired, retention_days=days)),
        # (a purged task's change is kept as long as trashed tasks are: a device that synced within
        # that time learns of it; one that did not starts over)
        Job("change log compaction", HOURLY, partial(compaction.compact, keep_days=days)),
        Job("idempotency keys", HOURLY, idempotency.expire),
        *notifications.jobs_for(settings, observer),
    ]
    if backend == "postgresql":
        jobs.append(Job("statistics", upkeep.EVERY_SECONDS, upkeep.keep_statistics))
    return jobs
