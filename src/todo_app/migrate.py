"""Bring the schema up to date with Alembic; safe when several processes start at once."""

import fcntl
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from todo_app.config import ConfigError, Settings
from todo_app.db import parse_database_url

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


# Search indexes built by the migrations alone, per backend (see migration 0004): SQLite's FTS5
# table with its shadow tables, PostgreSQL's trigram index. The models do not describe them.
SEARCH_ONLY_IN_MIGRATIONS = ("task_search", "ix_task_search")


def described_by_models(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparison of models and database: leave out what only migrations build."""
    return not (name and name.startswith(SEARCH_ONLY_IN_MIGRATIONS))


def alembic_config(database_url: str) -> Config:
    target = parse_database_url(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["sync_url"] = target.sync_url
    config.attributes["backend"] = target.backend
    return config


def upgrade(settings: Settings) -> None:
    """Upgrade to head. PostgreSQL serialises concurrent runs with a transaction-scoped advisory
    lock (taken in env.py, safe behind PgBouncer); SQLite with a lock file beside the database,
    and the SQLite file is put in WAL mode first."""
    config = alembic_config(settings.effective_migration_url)
    sqlite_path = parse_database_url(settings.effective_migration_url).sqlite_path
    if sqlite_path is None:
        command.upgrade(config, "head")
        return
    Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{sqlite_path}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        use_wal(sqlite_path)
        command.upgrade(config, "head")


def use_wal(path: str) -> None:
    """Put the file in WAL mode (readers and one writer at once; kept in the file, so done once).
    Switching needs an exclusive lock, so it happens here, before the service opens connections."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    finally:
        conn.close()
    if mode != "wal":
        raise ConfigError(f"DATABASE_URL: SQLite cannot use WAL mode for {path} (journal_mode is {mode})")


@dataclass(frozen=True)
class ShippedSchema:
    """The migrations this release carries: their newest revision and every one they know."""

    head: str
    known: frozenset[str]

    def behind(self, current: set[str]) -> bool:
        """Whether a database at `current` (its alembic_version rows) lacks migrations this release
        needs. A revision this release does not know was written by a newer one (`todo-app migrate`
        runs before processes are replaced, one by one): the old processes keep serving."""
        if current == {self.head}:
            return False
        return not current or bool(current & self.known)


def shipped_schema() -> ShippedSchema:
    """Read from the migration scripts (files only, no database): once per process, at start-up."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    assert head is not None, "no migrations shipped"
    return ShippedSchema(head=head, known=frozenset(r.revision for r in scripts.walk_revisions()))
