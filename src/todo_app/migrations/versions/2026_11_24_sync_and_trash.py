"""Many devices: the trash, the change log, idempotency keys and event-stream tickets.

- `task.deleted_at`: a deleted task goes to the trash first. Trashed tasks count nowhere: the
  counters (PostgreSQL statement triggers, SQLite row triggers) count live tasks only.
- `task_change`: one row per task per write, numbered by the owner's change number and written in
  the write's transaction (tasks/changes.py). Delta sync and the event stream read it.
- `app_user.change_floor`: changes numbered below it were compacted away; a sync cursor older than
  it is answered 410.
- `idempotency_key`: a retried request's first answer, per user and key, for 24 hours.
- `event_ticket`: single-use credentials for EventSource, which cannot send headers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# PostgreSQL: migration 0005's statement triggers, counting only rows outside the trash.
_APPLY = """
  UPDATE app_user SET task_count = task_count + delta.tasks,
                      completed_count = completed_count + delta.completed
  FROM (SELECT user_id, sum(tasks) AS tasks, sum(completed) AS completed FROM ({rows}) AS changed
        GROUP BY user_id) AS delta
  WHERE app_user.id = delta.user_id AND (delta.tasks <> 0 OR delta.completed <> 0);
  RETURN NULL;
"""
_NEW = "SELECT user_id, 1 AS tasks, completed::int AS completed FROM new_rows WHERE deleted_at IS NULL"
_OLD = "SELECT user_id, -1 AS tasks, -completed::int AS completed FROM old_rows WHERE deleted_at IS NULL"
_NEW_ALL = "SELECT user_id, 1 AS tasks, completed::int AS completed FROM new_rows"
_OLD_ALL = "SELECT user_id, -1 AS tasks, -completed::int AS completed FROM old_rows"


def _pg_functions(new: str, old: str) -> dict[str, str]:
    return {
        "task_counters_inserted": _APPLY.format(rows=new),
        "task_counters_deleted": _APPLY.format(rows=old),
        "task_counters_updated": _APPLY.format(rows=f"{new} UNION ALL {old}"),
    }


# SQLite: row triggers, a row counting while it is outside the trash.
_SQLITE_ADD = (
    "UPDATE app_user SET task_count = task_count + 1, completed_count = completed_count + NEW.completed "
    "WHERE id = NEW.user_id AND NEW.deleted_at IS NULL;"
)
_SQLITE_REMOVE = (
    "UPDATE app_user SET task_count = task_count - 1, completed_count = completed_count - OLD.completed "
    "WHERE id = OLD.user_id AND OLD.deleted_at IS NULL;"
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER task_counters_insert AFTER INSERT ON task BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER task_counters_delete AFTER DELETE ON task BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER task_counters_update AFTER UPDATE OF completed, user_id, deleted_at ON task "
    "WHEN OLD.completed IS NOT NEW.completed OR OLD.user_id IS NOT NEW.user_id "
    "OR OLD.deleted_at IS NOT NEW.deleted_at "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
]
_SQLITE_ADD_0002 = (
    "UPDATE app_user SET task_count = task_count + 1, completed_count = completed_count + NEW.completed "
    "WHERE id = NEW.user_id;"
)
_SQLITE_REMOVE_0002 = (
    "UPDATE app_user SET task_count = task_count - 1, completed_count = completed_count - OLD.completed "
    "WHERE id = OLD.user_id;"
)
SQLITE_TRIGGERS_0002 = [
    f"CREATE TRIGGER task_counters_insert AFTER INSERT ON task BEGIN {_SQLITE_ADD_0002} END",
    f"CREATE TRIGGER task_counters_delete AFTER DELETE ON task BEGIN {_SQLITE_REMOVE_0002} END",
    "CREATE TRIGGER task_counters_update AFTER UPDATE OF completed, user_id ON task "
    "WHEN OLD.completed IS NOT NEW.completed OR OLD.user_id IS NOT NEW.user_id "
    f"BEGIN {_SQLITE_REMOVE_0002} {_SQLITE_ADD_0002} END",
]


def _set_counters(pg: dict[str, str], sqlite: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, body in pg.items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN{body}END $$"
            )
        return
    for name in ("task_counters_insert", "task_counters_delete", "task_counters_update"):
        op.execute(f"DROP TRIGGER {name}")
    for statement in sqlite:
        op.execute(statement)


def upgrade() -> None:
    # (plain ALTERs, not batch copies: a copy of task would drop its triggers)
    op.add_column("task", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_task_user_id_deleted_at", "task", ["user_id", "deleted_at"])
    op.add_column("app_user", sa.Column("change_floor", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "task_change",
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("task_id", ID, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "seq", "task_id", name="pk_task_change"),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])
    op.create_table(
        "event_ticket",
        sa.Column("ticket_hash", sa.String(64), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("token_version", sa.BigInteger(), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_hash", name="pk_event_ticket"),
    )
    op.create_index("ix_event_ticket_expires_at", "event_ticket", ["expires_at"])
    _set_counters(_pg_functions(_NEW, _OLD), SQLITE_TRIGGERS)


def downgrade() -> None:
    _set_counters(_pg_functions(_NEW_ALL, _OLD_ALL), SQLITE_TRIGGERS_0002)
    op.drop_table("event_ticket")
    op.drop_table("idempotency_key")
    op.drop_table("task_change")
    op.drop_index("ix_task_user_id_deleted_at", "task")
    op.execute("DELETE FROM task WHERE deleted_at IS NOT NULL")
    op.execute("ALTER TABLE task DROP COLUMN deleted_at")
    op.execute("ALTER TABLE app_user DROP COLUMN change_floor")
