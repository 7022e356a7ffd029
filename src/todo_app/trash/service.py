"""The trash: tasks deleted from the list, kept `TRASH_RETENTION_DAYS` to be restored or deleted
for good. Writes go through the change log like every task write (tasks/changes.py)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlmodel import col

from todo_app.db import Connection
from todo_app.errors import NotFound
from todo_app.tags import service as tags
from todo_app.tasks import changes as changelog
from todo_app.tasks import reminders
from todo_app.tasks import service as tasks
from todo_app.tasks.changes import next_change
from todo_app.tasks.fields import public
from todo_app.tasks.listing import COLUMNS
from todo_app.tasks.models import Task
from todo_app.users.models import User

OWNER = col(Task.user_id) == bindparam("owner")
TRASHED = col(Task.deleted_at).is_not(None)
THIS_TRASHED = (col(Task.id) == bindparam("task_id"), OWNER, TRASHED)
PAGE = (
    select(*COLUMNS, col(Task.deleted_at))
    .where(OWNER, TRASHED)
    .order_by(col(Task.deleted_at).desc(), col(Task.id).desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
COUNT = select(func.count()).select_from(Task).where(OWNER, TRASHED)
RESTORE = (
    update(Task)
    .where(*THIS_TRASHED)
    .values(deleted_at=None, version=bindparam("version"))
    .returning(col(Task.tag_names))
)
PURGE_ONE = delete(Task).where(*THIS_TRASHED)
PURGE_ALL = delete(Task).where(OWNER, TRASHED)
PURGE_OLD = delete(Task).where(OWNER, TRASHED, col(Task.deleted_at) < bindparam("trashed_before"))
# Owners with tasks trashed before the cutoff (a few at a time).
OWNERS_TO_PURGE = (
    select(col(User.id))
    .where(
        exists().where(
            col(Task.user_id) == col(User.id), TRASHED, col(Task.deleted_at) < bindparam("trashed_before")
        )
    )
    .limit(bindparam("limit"))
)


async def page(db: Connection, *, user_id: int, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Trashed tasks, latest deleted first (the task JSON plus deleted_at), and how many in all."""
    rows = await db.all(PAGE, {"owner": user_id, "limit": limit, "offset": offset})
    total = await db.scalar(COUNT, {"owner": user_id})
    return [{**public(row[:-1]), "deleted_at": row[-1]} for row in rows], total


async def restore(db: Connection, *, user_id: int, task_id: int) -> dict[str, Any]:
    """Back to the list with the same id and fields (its tags named again)."""
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        row = await db.first(RESTORE, {"task_id": task_id, "owner": user_id, "version": version})
        if row is None:
            raise NotFound("No such task in the trash")
        if row[0]:
            await tags.set_for_task(db, user_id=user_id, task_id=task_id, names=row[0].split("\x1f"))
        await reminders.rearm(db, user_id=user_id, version=version)  # (those still ahead)
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.RESTORED, now=now)
        return await tasks.get(db, user_id=user_id, task_id=task_id)


async def purge(db: Connection, *, user_id: int, task_id: int) -> None:
    """Delete one trashed task for good."""
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        params = {"task_id": task_id}
        stmt = changelog.RECORD_PURGE_ONE
        if not await changelog.record_purge(db, stmt, params, user_id=user_id, version=version, now=now):
            raise NotFound("No such task in the trash")
        await db.execute(PURGE_ONE, {"task_id": task_id, "owner": user_id})


async def empty(db: Connection, *, user_id: int) -> int:
    """Delete every trashed task of the owner for good; how many."""
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        await changelog.record_purge(
            db, changelog.RECORD_PURGE_ALL, {}, user_id=user_id, version=version, now=now
        )
        return await db.execute(PURGE_ALL, {"owner": user_id})


async def purge_expired(db: Connection, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete for good what has been in the trash longer than the retention; how many tasks.
    Any number of processes may run it at once: each owner's purge holds the owner's row."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    purged = 0
    while owners := await db.all(OWNERS_TO_PURGE, {"trashed_before": cutoff, "limit": 100}):
        for (user_id,) in owners:
            async with db.transaction():
                version = await next_change(db, user_id=user_id)
                params = {"trashed_before": cutoff}
                stmt = changelog.RECORD_PURGE_OLD
                await changelog.record_purge(db, stmt, params, user_id=user_id, version=version, now=now)
                purged += await db.execute(PURGE_OLD, {"owner": user_id, "trashed_before": cutoff})
    return purged
