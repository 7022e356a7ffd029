"""Numbering and logging of an owner's task writes.

Each write transaction first takes the owner's next change number: that locks the owner's row, so
one owner's writes apply one at a time and their numbers follow commit order. The tasks a write
touches carry the number as their `version` (their ETag), and `record` writes one `task_change` row
per such task in the same transaction, and once it has committed the other processes are told
("<owner>:<number>", db/notices.py). Delta sync and the event stream read that log (sync/feed.py)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, String, bindparam, insert, select, update
from sqlmodel import col

from todo_app.db import Connection, UTCDateTime
from todo_app.errors import INVALID_TOKEN, Unauthorized
from todo_app.tasks.models import Task, TaskChange
from todo_app.users.models import User

CREATED, UPDATED, DELETED, RESTORED, PURGED = "created", "updated", "deleted", "restored", "purged"
KINDS = (CREATED, UPDATED, DELETED, RESTORED, PURGED)

NEXT_CHANGE = (
    update(User)
    .where(col(User.id) == bindparam("owner"))
    .values(change_seq=col(User.change_seq) + 1)
    .returning(col(User.change_seq))
)
_LOGGED = ["user_id", "seq", "task_id", "kind", "changed_at"]
_KIND = bindparam("kind", type_=String())
_NOW = bindparam("now", type_=UTCDateTime())
# Every task this write stamped with its number.
RECORD = insert(TaskChange).from_select(
    _LOGGED,
    select(col(Task.user_id), col(Task.version), col(Task.id), _KIND, _NOW).where(
        col(Task.user_id) == bindparam("owner"), col(Task.version) == bindparam("version")
    ),
)
# Trashed tasks about to be deleted for good: every one of the owner's, or one (task_id), or those
# trashed before a time (trashed_before).
_PURGEABLE = (col(Task.user_id) == bindparam("owner"), col(Task.deleted_at).is_not(None))
RECORD_PURGE_ALL = insert(TaskChange).from_select(
    _LOGGED, select(col(Task.user_id), bindparam("version"), col(Task.id), _KIND, _NOW).where(*_PURGEABLE)
)
RECORD_PURGE_ONE = insert(TaskChange).from_select(
    _LOGGED,
    select(col(Task.user_id), bindparam("version"), col(Task.id), _KIND, _NOW).where(
        *_PURGEABLE, col(Task.id) == bindparam("task_id")
    ),
)
RECORD_PURGE_OLD = insert(TaskChange).from_select(
    _LOGGED,
    select(col(Task.user_id), bindparam("version"), col(Task.id), _KIND, _NOW).where(
        *_PURGEABLE, col(Task.deleted_at) < bindparam("trashed_before", type_=UTCDateTime())
    ),
)


async def next_change(db: Connection, *, user_id: int) -> int:
    """Call first inside the write's transaction."""
    seq: int | None = await db.scalar(NEXT_CHANGE, {"owner": user_id})
    if seq is None:  # the account was deleted after this request was authenticated
        raise Unauthorized(INVALID_TOKEN)
    return seq


async def record(db: Connection, *, user_id: int, version: int, kind: str, now: datetime) -> int:
    """Log every task stamped with `version` as changed by this write (last, inside its
    transaction); how many."""
    logged = await db.execute(RECORD, {"owner": user_id, "version": version, "kind": kind, "now": now})
    if logged:
        await db.notify(f"{user_id}:{version}")
    return logged


async def record_purge(
    db: Connection, stmt: Insert, params: dict[str, Any], *, user_id: int, version: int, now: datetime
) -> int:
    """Log trashed tasks as purged before they are deleted (inside the transaction)."""
    logged = await db.execute(
        stmt, {**params, "owner": user_id, "version": version, "kind": PURGED, "now": now}
    )
    if logged:
        await db.notify(f"{user_id}:{version}")
    return logged
