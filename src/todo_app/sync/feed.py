"""The change feed of one owner: what GET /sync and the event stream send.

A position is (change number, task id) in the change log (tasks/changes.py). From a position, the
feed lists each task whose latest change lies beyond it, once, in change order: a task changed three
times since is sent once, as it is now. A task's latest change is the log row whose number is the
task's `version`; a task deleted for good has only its `purged` row left to count. A client that
applies the feed in order therefore ends with the server's state, whatever writes interleaved.

Cursors are signed (the owner and the position), so a client cannot forge or swap them. Rows below
the owner's `change_floor` were compacted away (sync/compaction.py): a cursor from before the floor
cannot be answered and the client starts over (410)."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import and_, bindparam, or_, select, tuple_
from sqlmodel import col

from todo_app.db import Connection
from todo_app.db.types import MAX_ID
from todo_app.tasks.changes import PURGED
from todo_app.tasks.fields import public
from todo_app.tasks.listing import COLUMNS, LIVE
from todo_app.tasks.models import Task, TaskChange
from todo_app.users.models import User

SIGNATURE_BYTES = 12
MAX_CURSOR_CHARS = 256


class InvalidCursor(ValueError):
    """Malformed, tampered with, or another user's."""


class CursorTooOld(Exception):
    """The log no longer reaches back to this cursor: start over with a full sync."""


@dataclass(frozen=True, order=True)
class Position:
    seq: int
    task_id: int


@dataclass(frozen=True)
class Change:
    position: Position
    kind: str  # tasks/changes.py KINDS
    task: dict[str, Any] | None  # the task now; None when it is in the trash or gone


def secret_for(state: Any) -> bytes:
    """The key sync cursors are signed with, derived from JWT_SECRET (once per app)."""
    if not hasattr(state, "sync_secret"):
        secret = state.settings.jwt_secret.get_secret_value().encode()
        state.sync_secret = hashlib.sha256(b"todo-app sync cursor\0" + secret).digest()
    return cast(bytes, state.sync_secret)  # (app.state is untyped)


def _sign(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def encode_cursor(position: Position, *, secret: bytes, owner: int, prefix: str = "d") -> str:
    payload = f"{prefix}{position.seq}-{position.task_id}"
    return f"{payload}.{_sign(secret + owner.to_bytes(8, 'big'), payload)}"


def decode_cursor(cursor: str, *, secret: bytes, owner: int, prefix: str = "d") -> Position:
    """The position a cursor names (InvalidCursor if it is not one of this owner's)."""
    if len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise InvalidCursor("malformed")
    payload, signature = cursor.split(".")
    if not hmac.compare_digest(
        _sign(secret + owner.to_bytes(8, "big"), payload).encode(), signature.encode()
    ):
        raise InvalidCursor("bad signature")
    if not payload.startswith(prefix):
        raise InvalidCursor("another kind of cursor")
    try:
        seq, task_id = (int(part) for part in payload[len(prefix) :].split("-"))
    except ValueError:
        raise InvalidCursor("malformed") from None
    if not (seq >= 0 and 0 <= task_id <= MAX_ID):
        raise InvalidCursor("malformed")
    return Position(seq, task_id)


HEAD = select(col(User.change_seq), col(User.change_floor)).where(col(User.id) == bindparam("owner"))
FEED = (
    select(col(TaskChange.seq), col(TaskChange.task_id), col(TaskChange.kind), col(Task.deleted_at), *COLUMNS)
    .select_from(TaskChange)
    .outerjoin(Task, col(Task.id) == col(TaskChange.task_id))
    .where(
        col(TaskChange.user_id) == bindparam("owner"),
        tuple_(col(TaskChange.seq), col(TaskChange.task_id))
        > tuple_(bindparam("after_seq"), bindparam("after_task")),
        or_(
            col(Task.version) == col(TaskChange.seq),
            and_(col(Task.id).is_(None), col(TaskChange.kind) == PURGED),
        ),
    )
    .order_by(col(TaskChange.seq), col(TaskChange.task_id))
    .limit(bindparam("limit"))
)


async def head(db: Connection, *, user_id: int) -> Position:
    """Where the log ends now: a feed from here returns only later changes."""
    row = await db.first(HEAD, {"owner": user_id})
    return Position(row[0] if row else 0, MAX_ID)


async def check_reachable(db: Connection, *, user_id: int, position: Position) -> None:
    """CursorTooOld when changes after `position` were compacted away."""
    row = await db.first(HEAD, {"owner": user_id})
    if row is not None and position.seq < row[1]:
        raise CursorTooOld()


async def changes_since(db: Connection, *, user_id: int, after: Position, limit: int) -> list[Change]:
    """Up to `limit` changes after `after`, oldest first, each task once at its latest change.
    (Call check_reachable for a position a client sent.)"""
    params = {"owner": user_id, "after_seq": after.seq, "after_task": after.task_id, "limit": limit}
    out = []
    for seq, task_id, kind, deleted_at, *task in await db.all(FEED, params):
        live = task[0] is not None and deleted_at is None  # else its latest change trashed or purged it
        out.append(Change(Position(seq, task_id), kind, public(tuple(task)) if live else None))
    return out


ALL_LIVE = (
    select(*COLUMNS)
    .where(col(Task.user_id) == bindparam("owner"), LIVE, col(Task.id) > bindparam("after_id"))
    .order_by(col(Task.id))
    .limit(bindparam("limit"))
)


async def live_tasks(db: Connection, *, user_id: int, after_id: int, limit: int) -> list[dict[str, Any]]:
    """The owner's live tasks by id, after `after_id`."""
    rows = await db.all(ALL_LIVE, {"owner": user_id, "after_id": after_id, "limit": limit})
    return [public(row) for row in rows]
