"""DATABASE_URL -> what each part of the service needs to connect. All URL quirks live here."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from todo_app.config import ConfigError


@dataclass(frozen=True)
class DatabaseTarget:
    """One parsed DATABASE_URL."""

    backend: str  # "postgresql" or "sqlite"
    raw: str  # as given: libpq reads `sslmode`, `channel_binding`, ... straight from it
    sync_url: URL  # for Alembic (SQLAlchemy, sync psycopg / sqlite3)
    connect_args: dict[str, Any] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> str | None:
        return self.sync_url.database if self.backend == "sqlite" else None


def parse_database_url(raw: str) -> DatabaseTarget:
    """Accept `sqlite:///file.db` and `postgres(ql)://` URLs exactly as Neon hands them out.

    psycopg 3 passes libpq parameters such as `sslmode=require&channel_binding=require` through
    untouched. Behind a Neon `-pooler` host (PgBouncer in transaction mode) server-side prepared
    statements are switched off, since consecutive statements may land on different server sessions.
    """
    raw = raw.strip()
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if url.drivername not in ("postgres", "postgresql", "postgresql+psycopg"):
            raise ConfigError("DATABASE_URL: use a plain postgresql:// URL (psycopg 3 is built in)")
        pooled = "-pooler." in (url.host or "")
        libpq = raw.replace("postgresql+psycopg://", "postgresql://", 1)
        return DatabaseTarget(
            "postgresql",
            libpq,
            url.set(drivername="postgresql+psycopg"),
            {"prepare_threshold": None} if pooled else {},
        )
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError("DATABASE_URL: SQLite needs a file path, e.g. sqlite:///data/todo.db")
        return DatabaseTarget("sqlite", raw, url.set(drivername="sqlite"))
    raise ConfigError(f"DATABASE_URL: unsupported database {backend!r} (use postgresql:// or sqlite:///)")
