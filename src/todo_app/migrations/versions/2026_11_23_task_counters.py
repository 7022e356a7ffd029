"""Per-user task counters, kept by triggers, so X-Total-Count never counts rows.

Counting a user's tasks on every list request read every one of them (the visibility map of a
busy table is rarely set, so an index-only count still visits the heap): with 3,000 tasks the
list route lost a third of its throughput. Triggers keep two counters on the user row exact in the
same transaction as each write, on PostgreSQL and SQLite alike.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE app_user SET
  task_count = (SELECT count(*) FROM task WHERE task.user_id = app_user.id),
  completed_count = (SELECT count(*) FROM task WHERE task.user_id = app_user.id AND task.completed)
"""

PG_FUNCTION = """
CREATE FUNCTION task_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE app_user SET task_count = task_count - 1, completed_count = completed_count - OLD.completed::int
    WHERE id = OLD.user_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE app_user SET task_count = task_count + 1, completed_count = completed_count + NEW.completed::int
    WHERE id = NEW.user_id;
  END IF;
  RETURN NULL;
END $$
"""
PG_TRIGGERS = [
    "CREATE TRIGGER task_counters_insert_delete AFTER INSERT OR DELETE ON task "
    "FOR EACH ROW EXECUTE FUNCTION task_counters()",
    "CREATE TRIGGER task_counters_update AFTER UPDATE OF completed, user_id ON task FOR EACH ROW "
    "WHEN (OLD.completed IS DISTINCT FROM NEW.completed OR OLD.user_id IS DISTINCT FROM NEW.user_id) "
    "EXECUTE FUNCTION task_counters()",
]

_SQLITE_ADD = "UPDATE app_user SET task_count = task_count + 1, completed_count = completed_count + NEW.completed WHERE id = NEW.user_id;"
_SQLITE_REMOVE = "UPDATE app_user SET task_count = task_count - 1, completed_count = completed_count - OLD.completed WHERE id = OLD.user_id;"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER task_counters_insert AFTER INSERT ON task BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER task_counters_delete AFTER DELETE ON task BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER task_counters_update AFTER UPDATE OF completed, user_id ON task "
    "WHEN OLD.completed IS NOT NEW.completed OR OLD.user_id IS NOT NEW.user_id "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
]


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("task_count", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("completed_count", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER task_counters_update ON task")
        op.execute("DROP TRIGGER task_counters_insert_delete ON task")
        op.execute("DROP FUNCTION task_counters()")
    else:
        for name in ("task_counters_insert", "task_counters_delete", "task_counters_update"):
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("completed_count")
        batch.drop_column("task_count")
