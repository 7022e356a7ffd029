"""The caller's notifications: a page of them, and marking them read. Every statement is scoped
`WHERE user_id = :owner`: another user's notification is indistinguishable from a missing one."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlmodel import col

from todo_app.db import Connection
from todo_app.db.types import MAX_ID
from todo_app.errors import NotFound
from todo_app.notifications.models import Notification

NOT_FOUND = "Notification not found"
FIELDS = ("id", "task_id", "title", "remind_at", "sent_at", "late", "read")
_OWNER = col(Notification.user_id) == bindparam("owner")
_UNREAD = col(Notification.read_at).is_(None)


def _page(unread: bool | None) -> Select[*tuple[Any, ...]]:
    read = col(Notification.read_at).is_not(None).label("read")
    columns = (
        col(Notification.id),
        col(Notification.task_id),
        col(Notification.title),
        col(Notification.remind_at),
    )
    stmt = (
        select(*columns, col(Notification.sent_at), col(Notification.late), read)
        .where(_OWNER, col(Notification.id) < bindparam("before"))
        .order_by(col(Notification.id).desc())
        .limit(bindparam("limit"))
    )
    if unread is not None:
        stmt = stmt.where(_UNREAD if unread else col(Notification.read_at).is_not(None))
    return stmt


PAGES = {unread: _page(unread) for unread in (None, True, False)}
UNREAD_COUNT = select(func.count()).select_from(Notification).where(_OWNER, _UNREAD)
READ_ONE = (
    update(Notification)
    .where(_OWNER, col(Notification.id) == bindparam("id"))
    .values(read_at=func.coalesce(col(Notification.read_at), bindparam("now")))
)
READ_ALL = update(Notification).where(_OWNER, _UNREAD).values(read_at=bindparam("now"))


async def page(
    db: Connection, *, user_id: int, unread: bool | None, limit: int, before_id: int | None
) -> tuple[list[dict[str, Any]], int]:
    """Newest first (by id), those older than `before_id` when given; and how many are unread."""
    params = {"owner": user_id, "limit": limit, "before": before_id or MAX_ID}
    rows = await db.all(PAGES[unread], params)
    unread_count = await db.scalar(UNREAD_COUNT, {"owner": user_id})
    return [dict(zip(FIELDS, row, strict=True)) for row in rows], unread_count


async def mark_read(db: Connection, *, user_id: int, notification_id: int) -> None:
    """Read (again: the first reading time is kept)."""
    if not 1 <= notification_id <= MAX_ID:
        raise NotFound(NOT_FOUND)
    params = {"owner": user_id, "id": notification_id, "now": datetime.now(UTC)}
    if await db.execute(READ_ONE, params) == 0:
        raise NotFound(NOT_FOUND)


async def mark_all_read(db: Connection, *, user_id: int) -> int:
    return await db.execute(READ_ALL, {"owner": user_id, "now": datetime.now(UTC)})
