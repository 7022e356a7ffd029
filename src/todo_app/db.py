"""Database engines from a URL. Every PostgreSQL / Neon / SQLite quirk lives in this module.

Each request runs its statements on one pooled connection in autocommit mode: every write the
service makes is a single statement (INSERT/UPDATE/DELETE ... RETURNING), so there is no
BEGIN/COMMIT round trip to pay and nothing holds a transaction open behind Neon's PgBouncer.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

from todo_app.config import ConfigError

# Neon suspends idle computes after 5 minutes; drop pooled connections well before that.
POOL_RECYCLE_SECONDS = 240
SQLITE_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")


@dataclass(frozen=True)
class DatabaseTarget:
    """One parsed DATABASE_URL: which backend, and the SQLAlchemy URLs for each use."""

    backend: str  # "postgresql" or "sqlite"
    async_url: URL
    sync_url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> str | None:
        return self.sync_url.database if self.backend == "sqlite" else None


def parse_database_url(raw: str) -> DatabaseTarget:
    """Accept `sqlite:///file.db` and `postgres(ql)://` URLs exactly as Neon hands them out.

    psycopg 3 passes libpq parameters such as `sslmode` and `channel_binding` straight through,
    so the query string is kept as it is. Behind a Neon `-pooler` host (PgBouncer in transaction
    mode) server-side prepared statements are switched off.
    """
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if url.drivername not in ("postgres", "postgresql", "postgresql+psycopg"):
            raise ConfigError(
                "DATABASE_URL: use a plain postgresql:// URL (the psycopg 3 driver is built in)"
            )
        pg = url.set(drivername="postgresql+psycopg")
        pooled = "-pooler." in (url.host or "")
        return DatabaseTarget("postgresql", pg, pg, {"prepare_threshold": None} if pooled else {})
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError("DATABASE_URL: SQLite needs a file path, e.g. sqlite:///data/todo.db")
        return DatabaseTarget("sqlite", url.set(drivername="sqlite+aiosqlite"), url.set(drivername="sqlite"))
    raise ConfigError(f"DATABASE_URL: unsupported database {backend!r} (use postgresql:// or sqlite:///)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def create_engine_for(target: DatabaseTarget, *, pool_size: int = 10) -> AsyncEngine:
    if target.backend == "sqlite":
        engine = create_async_engine(target.async_url, isolation_level="AUTOCOMMIT")
    else:
        engine = create_async_engine(
            target.async_url,
            isolation_level="AUTOCOMMIT",
            pool_size=pool_size,
            max_overflow=0,  # overflow connections churn (connect, close) under steady load
            pool_timeout=10,
            pool_pre_ping=True,
            pool_recycle=POOL_RECYCLE_SECONDS,
            connect_args={"connect_timeout": 10, **target.connect_args},
        )
    if target.backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        yield conn


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out, on PostgreSQL (timestamptz) and SQLite (naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
