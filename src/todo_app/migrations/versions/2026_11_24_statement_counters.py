"""PostgreSQL keeps the task counters once per statement, not once per row.

Completing 10,000 tasks in one PATCH took 5.2 s: the row trigger updated the owner's row 10,000
times in one transaction, and each update had to walk the row's growing chain of versions. Statement
triggers with transition tables update each owner's row once per statement, by the net change.
(Transition tables cannot be combined with a column list, so the UPDATE trigger fires for every
UPDATE of task and adds nothing when `completed` and `user_id` did not change.) SQLite keeps its row
triggers: it has no version chains.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A statement's net change per owner: +1 task (and +1 completed if it is) for each new row version,
# -1 for each old one.
_APPLY = """
  UPDATE app_user SET task_count = task_count + delta.tasks,
                      completed_count = completed_count + delta.completed
  FROM (SELECT user_id, sum(tasks) AS tasks, sum(completed) AS completed FROM ({rows}) AS changed
        GROUP BY user_id) AS delta
  WHERE app_user.id = delta.user_id AND (delta.tasks <> 0 OR delta.completed <> 0);
  RETURN NULL;
"""
_NEW = "SELECT user_id, 1 AS tasks, completed::int AS completed FROM new_rows"
_OLD = "SELECT user_id, -1 AS tasks, -completed::int AS completed FROM old_rows"
FUNCTIONS = {
    "task_counters_inserted": _APPLY.format(rows=_NEW),
    "task_counters_deleted": _APPLY.format(rows=_OLD),
    "task_counters_updated": _APPLY.format(rows=f"{_NEW} UNION ALL {_OLD}"),
}
TRIGGERS = [
    "CREATE TRIGGER task_counters_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION task_counters_inserted()",
    "CREATE TRIGGER task_counters_delete AFTER DELETE ON task REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION task_counters_deleted()",
    "CREATE TRIGGER task_counters_update AFTER UPDATE ON task "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION task_counters_updated()",
]
# Migration 0002's row triggers, restored by the downgrade.
ROW_TRIGGERS = [
    "CREATE TRIGGER task_counters_insert_delete AFTER INSERT OR DELETE ON task "
    "FOR EACH ROW EXECUTE FUNCTION task_counters()",
    "CREATE TRIGGER task_counters_update AFTER UPDATE OF completed, user_id ON task FOR EACH ROW "
    "WHEN (OLD.completed IS DISTINCT FROM NEW.completed OR OLD.user_id IS DISTINCT FROM NEW.user_id) "
    "EXECUTE FUNCTION task_counters()",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER task_counters_update ON task")
    op.execute("DROP TRIGGER task_counters_insert_delete ON task")
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN{body}END $$")
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("task_counters_insert", "task_counters_delete", "task_counters_update"):
        op.execute(f"DROP TRIGGER {name} ON task")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
    for statement in ROW_TRIGGERS:
        op.execute(statement)
