"""A user's secret calendar URL and the open tasks it shows (ics.py writes them as iCalendar).

The secret is the URL's only credential: 32 random bytes (256 bits) from `secrets`, URL-safe
base64, shown once. Only its SHA-256 is stored, in a unique (so indexed) column, and a request is
looked up by the hash of what it presents: the lookup costs the same whichever secrets exist (a
timing difference could only tell an attacker about hashes, whose preimages they cannot choose), and
a copy of the database opens no feed. A value that is not shaped like a secret is refused before it
is hashed, and answered exactly as an unknown one is. Issuing a new secret replaces the old one, so
the old URL stops working at once; deleting the account deletes the row (ON DELETE CASCADE).
"""

import dataclasses
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread
from sqlalchemy import bindparam, delete, false, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from todo_app.calendar_feed import ics
from todo_app.calendar_feed.models import CalendarFeed
from todo_app.db import Connection, ForeignKeyViolation
from todo_app.errors import INVALID_TOKEN, Unauthorized
from todo_app.tasks import tagnames
from todo_app.tasks.listing import LIVE
from todo_app.tasks.models import DUE_FIRST_KEY, NEG_ID, Task
from todo_app.users.models import User

SECRET_BYTES = 32
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32): 43 characters, no padding
# The feed shows at most this many open tasks, the soonest due first: the feed is built whole for
# each request, and nothing else bounds how many tasks a user has.
MAX_FEED_TASKS = 2000
# Moves on whenever ics.py would write the same tasks differently, so no cached feed outlives it.
FORMAT = "1"


def _upsert(dialect_insert: Any) -> Any:
    stmt = dialect_insert(CalendarFeed).values(
        user_id=bindparam("owner"), secret_hash=bindparam("new_hash"), created_at=bindparam("now")
    )
    return stmt.on_conflict_do_update(
        index_elements=[col(CalendarFeed.user_id)],
        set_={"secret_hash": stmt.excluded.secret_hash, "created_at": stmt.excluded.created_at},
    )


ISSUE = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}
REVOKE = delete(CalendarFeed).where(col(CalendarFeed.user_id) == bindparam("owner"))
OWNER = (
    select(col(CalendarFeed.user_id), col(User.timezone))
    .join(User, col(User.id) == col(CalendarFeed.user_id))
    .where(col(CalendarFeed.secret_hash) == bindparam("hash"))
)
FEED_FIELDS = tuple(field.name for field in dataclasses.fields(ics.FeedTask))
OPEN_TASKS = (
    select(
        col(Task.id),
        col(Task.title),
        col(Task.description),
        col(Task.due_date),
        col(Task.due_time),
        col(Task.priority),
        col(Task.tag_names),
        col(Task.recurrence_rule),
        col(Task.recurrence_from),
        col(Task.series_start),
        col(Task.reminders),
        col(Task.created_at),
        col(Task.updated_at),
    )
    .where(
        col(Task.user_id) == bindparam("owner"),
        LIVE,
        col(Task.completed) == false(),
        col(Task.due_key).is_not(None),
    )
    .order_by(DUE_FIRST_KEY, NEG_ID)  # the index ix_task_user_id_due_first
    .limit(MAX_FEED_TASKS)
)


@dataclass(frozen=True)
class Feed:
    user_id: int
    zone: str
    tasks: tuple[ics.FeedTask, ...]
    etag: str  # a strong entity tag, quoted: the feed's bytes follow from what it is computed from


def url_for(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


async def issue(db: Connection, *, user_id: int) -> str:
    """A new secret for the user's feed, replacing any earlier one; only its hash is kept."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    params = {"owner": user_id, "new_hash": _hash(secret), "now": datetime.now(UTC)}
    try:
        await db.execute(ISSUE[db.backend], params)
    except ForeignKeyViolation:
        # The account was deleted after this request was authenticated: its token is dead now.
        raise Unauthorized(INVALID_TOKEN) from None
    return secret


async def revoke(db: Connection, *, user_id: int) -> None:
    """No feed any more (also when there was none)."""
    await db.execute(REVOKE, {"owner": user_id})


async def find(db: Connection, *, secret: str) -> Feed | None:
    """The feed this secret opens, or None: for a malformed, unknown or replaced secret alike."""
    if not SECRET_SHAPE.fullmatch(secret):
        return None
    owner = await db.first(OWNER, {"hash": _hash(secret)})
    if owner is None:
        return None
    user_id, zone = owner
    rows = await db.all(OPEN_TASKS, {"owner": user_id})
    tasks = tuple(_feed_task(row) for row in rows)
    digest = hashlib.sha256(repr((FORMAT, zone, rows)).encode()).hexdigest()[:32]
    return Feed(user_id=user_id, zone=zone, tasks=tasks, etag=f'"{digest}"')


async def render(feed: Feed) -> bytes:
    """The feed as iCalendar, built on a worker thread (a few thousand tasks take a while)."""
    return await to_thread.run_sync(lambda: ics.calendar(feed.tasks, zone=feed.zone))


def _feed_task(row: tuple[Any, ...]) -> ics.FeedTask:
    """A row of OPEN_TASKS, its columns in FeedTask's order: the tags (joined by U+001F) and the
    reminders (JSON) as the API lists them."""
    task = dict(zip(FEED_FIELDS, row, strict=True))
    names = task["tags"]
    task["tags"] = tuple(tagnames.ordered(names.split("\x1f"))) if names else ()
    task["reminders"] = _reminders(task["reminders"])
    return ics.FeedTask(**task)


def _reminders(text: str | None) -> tuple[dict[str, object], ...]:
    """The stored JSON array (tasks/schemas.py reminders_json); a row that is not one shows none."""
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()
