"""Recurring tasks, reminders, notifications and the calendar feed.

- `task.recurrence_rule`, `recurrence_from`, `series_start`, `series_done`: the series a task
  belongs to (tasks/recurrence.py); `task.reminders`: its reminders as a JSON array.
- `task_completion`: every completed occurrence of a recurring task.
- `reminder`: pending reminders, claimed once by the scheduler.
- `notification`: what a reminder produced, with the outbox of its email.
- `calendar_feed`: the hash of each user's secret calendar URL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)
TASK_COLUMNS = ("recurrence_rule", "recurrence_from", "series_start", "series_done", "reminders")


def upgrade() -> None:
    # (plain ALTERs, not batch copies: a copy of task would drop its triggers)
    op.add_column("task", sa.Column("recurrence_rule", sa.String(500), nullable=True))
    op.add_column("task", sa.Column("recurrence_from", sa.String(10), nullable=True))
    op.add_column("task", sa.Column("series_start", sa.Date(), nullable=True))
    op.add_column("task", sa.Column("series_done", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("task", sa.Column("reminders", sa.Text(), nullable=True))
    op.create_table(
        "task_completion",
        sa.Column("id", ID, nullable=False),
        sa.Column("task_id", ID, sa.ForeignKey("task.id", ondelete="CASCADE"), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_task_completion"),
    )
    op.create_index("ix_task_completion_task_id_completed_at", "task_completion", ["task_id", "completed_at"])
    op.create_table(
        "reminder",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("task_id", ID, sa.ForeignKey("task.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("remind_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminder"),
    )
    op.create_index("ix_reminder_remind_at", "reminder", ["remind_at"])
    op.create_index("ix_reminder_task_id", "reminder", ["task_id"])
    op.create_table(
        "notification",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("task_id", ID, sa.ForeignKey("task.id", ondelete="SET NULL"), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("remind_at", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("read_at", UTC_TIME, nullable=True),
        sa.Column("email_due_at", UTC_TIME, nullable=True),
        sa.Column("email_attempts", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("emailed_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
    )
    op.create_index("ix_notification_user_id_id", "notification", ["user_id", "id"])
    op.create_index("ix_notification_email_due_at", "notification", ["email_due_at"])
    op.create_table(
        "calendar_feed",
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_calendar_feed"),
        sa.UniqueConstraint("secret_hash", name="uq_calendar_feed_secret_hash"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed")
    op.drop_table("notification")
    op.drop_table("reminder")
    op.drop_table("task_completion")
    for column in TASK_COLUMNS:
        op.execute(f"ALTER TABLE task DROP COLUMN {column}")  # not a batch copy: it would drop triggers
