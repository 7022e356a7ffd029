"""Organise tasks: due dates, priorities, tags, completion times, time zones, the sort indexes and
the search index.

Each sort order has an index that yields it directly (see tasks/models.py), so a page deep into a
listing costs what the first one does. `q` is served by a trigram index: on PostgreSQL a GIN index
over (user_id, title and description) with pg_trgm and btree_gin, so a search reads only the
owner's entries; on SQLite an FTS5 trigram table kept by triggers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SEARCH_TEXT = "title || ' ' || coalesce(description, '')"
SORT_INDEXES = {
    "ix_task_user_id_created_at_neg_id": "user_id, created_at, (-id)",
    "ix_task_user_id_updated_at": "user_id, updated_at, id",
    "ix_task_user_id_updated_at_neg_id": "user_id, updated_at, (-id)",
    "ix_task_user_id_priority": "user_id, priority, id",
    "ix_task_user_id_priority_neg_id": "user_id, priority, (-id)",
    "ix_task_user_id_title": "user_id, lower(title), id",
    "ix_task_user_id_title_neg_id": "user_id, lower(title), (-id)",
    "ix_task_user_id_due_first": "user_id, coalesce(due_key, '~'), (-id)",
    "ix_task_user_id_due_last": "user_id, coalesce(due_key, ''), id",
    "ix_task_user_id_version": "user_id, version",
}
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE task_search USING fts5(body, tokenize='trigram')",
    f"INSERT INTO task_search (rowid, body) SELECT id, {SEARCH_TEXT} FROM task",  # noqa: S608 (constants)
    "CREATE TRIGGER task_search_insert AFTER INSERT ON task BEGIN "
    "INSERT INTO task_search (rowid, body) VALUES (NEW.id, NEW.title || ' ' || coalesce(NEW.description, '')); END",
    "CREATE TRIGGER task_search_update AFTER UPDATE OF title, description ON task BEGIN "
    "UPDATE task_search SET body = NEW.title || ' ' || coalesce(NEW.description, '') WHERE rowid = NEW.id; END",
    "CREATE TRIGGER task_search_delete AFTER DELETE ON task BEGIN "
    "DELETE FROM task_search WHERE rowid = OLD.id; END",
]
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    f"CREATE INDEX ix_task_search ON task USING gin (user_id, ({SEARCH_TEXT}) gin_trgm_ops)",
]


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("due_time", sa.Time(), nullable=True))
        batch.add_column(sa.Column("due_key", sa.String(16), nullable=True))
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"))
    # The best record of when a task already complete was completed is its last change.
    op.execute("UPDATE task SET completed_at = updated_at WHERE completed")
    for name, columns in SORT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON task ({columns})")
    op.create_table(
        "tag",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_tag_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", "name_key", name="uq_tag_user_id_name_key"),
    )
    op.create_table(
        "task_tag",
        sa.Column("task_id", ID, nullable=False),
        sa.Column("tag_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("task_id", "tag_id", name=op.f("pk_task_tag")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_tag_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_task_tag_tag_id_tag"), ondelete="CASCADE"
        ),
    )
    op.create_index("ix_task_tag_tag_id_task_id", "task_tag", ["tag_id", "task_id"])
    for statement in PG_SEARCH if op.get_bind().dialect.name == "postgresql" else SQLITE_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_task_search")
    else:
        for name in ("task_search_insert", "task_search_update", "task_search_delete"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE task_search")
    op.drop_index("ix_task_tag_tag_id_task_id", table_name="task_tag")
    op.drop_table("task_tag")
    op.drop_table("tag")
    for name in SORT_INDEXES:
        op.execute(f"DROP INDEX {name}")
    # Plain ALTER TABLE (SQLite 3.35+ has DROP COLUMN): a batch copy of the table would lose the
    # counter triggers of migration 0002.
    for column in ("version", "priority", "due_key", "due_time", "due_date", "completed_at"):
        op.execute(f"ALTER TABLE task DROP COLUMN {column}")
    for column in ("change_seq", "timezone"):
        op.execute(f"ALTER TABLE app_user DROP COLUMN {column}")
