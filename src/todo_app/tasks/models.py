"""The task, tag and task_tag tables. The shapes the routes accept and return are in schemas.py."""

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # (importing it applies the naming convention first)

TITLE_MAX = 200
DESCRIPTION_MAX = 1000
TAG_NAME_MAX = 40
ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
DUE_KEY_CHARS = 16  # "YYYY-MM-DDTHH:MM"
RECURRENCE_RULE_MAX = 500


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = {"sqlite_autoincrement": True}  # ids of deleted tasks are never handed out again

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(DESCRIPTION_MAX), nullable=True))
    completed: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    due_date: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    due_time: time | None = Field(default=None, sa_column=Column(Time(), nullable=True))
    # "YYYY-MM-DDTHH:MM" ("T24:00" for a date without a time: it falls due at the end of its day), or
    # NULL without a due date. Written with due_date and due_time; sorting, ranges and "overdue"
    # compare this one string, so one index serves them all.
    due_key: str | None = Field(default=None, sa_column=Column(String(DUE_KEY_CHARS), nullable=True))
    priority: int = Field(default=0, sa_column=Column(SmallInteger(), nullable=False, server_default="0"))
    # The names of the task's tags joined by U+001F, as task_tag says: rewritten by every write that
    # changes them (tasks/listing.py RETAG), so a listing reads them without a query per task.
    tag_names: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    # The owner's change number (app_user.change_seq) of the task's last write: a listing walked by
    # cursor leaves out tasks changed after its first page, so none is returned twice.
    version: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When it went to the trash; NULL while live. A trashed task is in no listing, count or search,
    # and holds no tag links (tag_names keeps the names, to restore them).
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Recurrence (tasks/recurrence.py): the canonical RRULE text and "due" or "completion", or both
    # NULL. `series_start` is the series' first date (DTSTART): the due date when the rule was set or
    # the person last moved the due date; `series_done` counts completions and skips since then.
    recurrence_rule: str | None = Field(
        default=None, sa_column=Column(String(RECURRENCE_RULE_MAX), nullable=True)
    )
    recurrence_from: str | None = Field(default=None, sa_column=Column(String(10), nullable=True))
    series_start: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    series_done: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    # The reminders as the API shows them, a JSON array (tasks/reminders.py); NULL for none. The
    # pending ones are rows of `reminder`, rewritten by every write that moves them.
    reminders: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))


class TaskCompletion(SQLModel, table=True):
    """One completed occurrence of a recurring task, kept as long as the task."""

    __tablename__ = "task_completion"
    __table_args__ = (Index("ix_task_completion_task_id_completed_at", "task_id", "completed_at"),)

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    task_id: int = Field(sa_column=Column(ID_TYPE, ForeignKey("task.id", ondelete="CASCADE"), nullable=False))
    due_date: date = Field(sa_column=Column(Date(), nullable=False))
    due_time: time | None = Field(default=None, sa_column=Column(Time(), nullable=True))
    completed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Reminder(SQLModel, table=True):
    """A pending reminder: the task's reminder number `position` falls due at `remind_at`. Task
    writes rewrite a task's rows (tasks/reminders.py); the scheduler deletes each row as it turns it
    into a notification, so a row is claimed once."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_remind_at", "remind_at"),)

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    task_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int = Field(sa_column=Column(SmallInteger(), nullable=False))
    remind_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TaskChange(SQLModel, table=True):
    """The change log: one row per task per write, numbered by the owner's change number and written
    in the write's transaction (tasks/changes.py). Delta sync and the event stream read it; a task's
    latest row is the one whose number is its `version` (or its `purged` row once it is gone)."""

    __tablename__ = "task_change"

    user_id: int = Field(
        sa_column=Column(
            ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    seq: int = Field(sa_column=Column(BigInteger(), primary_key=True, nullable=False))
    task_id: int = Field(sa_column=Column(ID_TYPE, primary_key=True, nullable=False))
    kind: str = Field(sa_column=Column(String(8), nullable=False))  # see tasks/changes.py KINDS
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Tag(SQLModel, table=True):
    """A tag of one user, named in the spelling first used; `name_key` makes `Work` and `work` one tag.
    A tag no task carries any more is kept (so a later rename can merge) but listed nowhere."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_tag_user_id_name_key"),)

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=Column(String(TAG_NAME_MAX), nullable=False))
    # casefold() can lengthen a name (ß -> ss): room for three characters per character
    name_key: str = Field(sa_column=Column(String(3 * TAG_NAME_MAX), nullable=False))


class TaskTag(SQLModel, table=True):
    __tablename__ = "task_tag"
    __table_args__ = (Index("ix_task_tag_tag_id_task_id", "tag_id", "task_id"),)

    task_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(ID_TYPE, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


# Sort keys. Every order is "key, then newest id first"; an index on (user_id, key, id) serves the
# key descending (scanned backwards) and one on (user_id, key, -id) the key ascending, so a cursor
# page is an index seek with a row comparison whatever the sort.
_t = metadata.tables["task"].c  # Task.__table__.c, typed (its columns are Column objects)
NEG_ID = -_t.id
TITLE_KEY = func.lower(_t.title)
DUE_FIRST_KEY = func.coalesce(_t.due_key, literal_column("'~'"))  # no due date: last
DUE_LAST_KEY = func.coalesce(_t.due_key, literal_column("''"))  # ... also under -due
SORT_INDEXES = (
    Index("ix_task_user_id_created_at", _t.user_id, _t.created_at, _t.id),
    Index("ix_task_user_id_created_at_neg_id", _t.user_id, _t.created_at, NEG_ID),
    Index("ix_task_user_id_updated_at", _t.user_id, _t.updated_at, _t.id),
    Index("ix_task_user_id_updated_at_neg_id", _t.user_id, _t.updated_at, NEG_ID),
    Index("ix_task_user_id_priority", _t.user_id, _t.priority, _t.id),
    Index("ix_task_user_id_priority_neg_id", _t.user_id, _t.priority, NEG_ID),
    Index("ix_task_user_id_title", _t.user_id, TITLE_KEY, _t.id),
    Index("ix_task_user_id_title_neg_id", _t.user_id, TITLE_KEY, NEG_ID),
    Index("ix_task_user_id_due_first", _t.user_id, DUE_FIRST_KEY, NEG_ID),
    Index("ix_task_user_id_due_last", _t.user_id, DUE_LAST_KEY, _t.id),
    Index("ix_task_user_id_version", _t.user_id, _t.version),
    Index("ix_task_user_id_deleted_at", _t.user_id, _t.deleted_at),
)
