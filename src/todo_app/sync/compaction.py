"""Keeps the change log small. A task's rows other than its latest change are never read again
(sync/feed.py); they are deleted. The rows of tasks deleted for good (`purged`) are kept as long as
trashed tasks are, then deleted, and the owner's `change_floor` moves past them: a sync cursor from
before the floor is answered 410 (start over)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, case, delete, exists, func, select, update
from sqlmodel import col

from todo_app.db import Connection, UTCDateTime
from todo_app.tasks.changes import PURGED
from todo_app.tasks.models import Task, TaskChange
from todo_app.users.models import User

SUPERSEDED = delete(TaskChange).where(
    exists().where(col(Task.id) == col(TaskChange.task_id), col(Task.version) > col(TaskChange.seq))
)
OF_PURGED = delete(TaskChange).where(
    col(TaskChange.kind) != PURGED, ~exists().where(col(Task.id) == col(TaskChange.task_id))
)
_OLD = (col(TaskChange.kind) == PURGED, col(TaskChange.changed_at) < bindparam("before", type_=UTCDateTime()))
_LAST_OLD = (
    select(func.max(col(TaskChange.seq)))
    .where(col(TaskChange.user_id) == col(User.id), *_OLD)
    .scalar_subquery()
)
RAISE_FLOORS = (
    update(User)
    .where(exists().where(col(TaskChange.user_id) == col(User.id), *_OLD))
    .values(change_floor=case((col(User.change_floor) > _LAST_OLD, col(User.change_floor)), else_=_LAST_OLD))
)
OLD_PURGED = delete(TaskChange).where(*_OLD)


async def compact(db: Connection, *, keep_days: int, now: datetime | None = None) -> int:
    """Delete what no feed needs any more; how many rows."""
    before = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    deleted = await db.execute(SUPERSEDED)
    deleted += await db.execute(OF_PURGED)
    async with db.transaction():
        await db.execute(RAISE_FLOORS, {"before": before})
        deleted += await db.execute(OLD_PURGED, {"before": before})
    return deleted
