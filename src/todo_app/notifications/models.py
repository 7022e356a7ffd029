"""The notification table: what a reminder produced, and the outbox of its email.

The scheduler writes a row in the transaction that claims the pending `reminder` (tasks/models.py),
so each reminder gives one notification. The email is sent afterwards from the same row: a process
claims it by moving `email_due_at` into the future (a lease), sends, then clears `email_due_at` and
sets `emailed_at`; a process that dies mid-send leaves the lease to expire and another sends."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)
from todo_app.tasks.models import TITLE_MAX

ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_id_id", "user_id", "id"),
        Index("ix_notification_email_due_at", "email_due_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    # NULL once the task is deleted for good; the title is kept as it was when the reminder fell due.
    task_id: int | None = Field(
        default=None, sa_column=Column(ID_TYPE, ForeignKey("task.id", ondelete="SET NULL"), nullable=True)
    )
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    remind_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # NULL: missed (it fell due more than a day before any process could send it).
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    late: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The email outbox: due (or leased until) this time; NULL when there is nothing (more) to send.
    email_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    email_attempts: int = Field(
        default=0, sa_column=Column(SmallInteger(), nullable=False, server_default="0")
    )
    emailed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
