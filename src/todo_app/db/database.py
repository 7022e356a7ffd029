"""Pooled connections that run compiled Core statements: psycopg 3 for PostgreSQL, aiosqlite for SQLite.

Every connection is in autocommit mode: a single statement needs no BEGIN/COMMIT round trip, and a
write of several statements runs inside `Connection.transaction()`, which never outlives the
request (nothing holds a transaction open behind Neon's PgBouncer).
"""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql import ClauseElement

from todo_app.db.statements import Compiled, StatementCache
from todo_app.db.url import DatabaseTarget

log = logging.getLogger(__name__)

# Neon suspends an idle compute after 5 minutes; retire pooled connections well before that.
MAX_CONNECTION_AGE_SECONDS = 240
SELECT_ONE = select(literal(1))
# Per-connection options only, the lock wait first. WAL is a property of the file, set once by the
# migration (todo_app.migrate): switching a file to WAL takes an exclusive lock, so doing it as each
# connection opens failed with "database is locked" whenever another connection was writing.
SQLITE_PRAGMAS = ("busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL")
# SQLITE_BUSY that escapes the busy handler (it is not invoked in every case) is retried this many
# times: every statement runs on its own in autocommit mode, so one refused had no effect.
SQLITE_BUSY_RETRIES = 5
SQLITE_BUSY = 5


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refused to serve; the request should be answered 503."""


class UniqueViolation(Exception):
    """A unique constraint refused the write."""


class ForeignKeyViolation(Exception):
    """The write refers to a row that does not exist (any more), e.g. a user deleted meanwhile."""


# The channel of change notices ("<user id>:<change number>"): PostgreSQL NOTIFY, which is
# transactional (delivered to every LISTENing process at commit, dropped on rollback); on SQLite, the
# one process's own listeners after commit.
CHANGES_CHANNEL = "todo_changes"
NOTIFY = select(func.pg_notify(CHANGES_CHANNEL, bindparam("payload")))
Listener = Callable[[str], None]


class Connection:
    """One pooled connection for the duration of a request."""

    def __init__(
        self, driver: Any, statements: StatementCache, backend: str, listeners: list[Listener] | None = None
    ) -> None:
        self._driver = driver
        self._statements = statements
        self._backend = backend
        self._listeners = listeners if listeners is not None else []
        self._in_transaction = False
        self._pending: list[str] = []

    @property
    def backend(self) -> str:
        return self._backend

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Statements inside run as one transaction: all of them take effect or none. On SQLite it
        begins IMMEDIATE (the write lock up front, so two writers never deadlock upgrading)."""
        if self._backend == "postgresql":
            try:
                async with self._driver.transaction():
                    yield
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                raise DatabaseUnavailable(str(exc)) from exc
            return
        await self._sqlite_statement("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            try:
                yield
            except BaseException:
                await self._driver.execute("ROLLBACK")
                raise
            await self._sqlite_statement("COMMIT")
        except BaseException:
            self._pending.clear()
            raise
        finally:
            self._in_transaction = False
        pending, self._pending = self._pending, []
        for payload in pending:
            self._deliver(payload)

    async def notify(self, payload: str) -> None:
        """Tell every process's listeners on CHANGES_CHANNEL, once the current transaction (if any)
        commits; nothing is told if it rolls back."""
        if self._backend == "postgresql":
            await self.all(NOTIFY, {"payload": payload})
        elif self._in_transaction:
            self._pending.append(payload)
        else:
            self._deliver(payload)

    def _deliver(self, payload: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(payload)
            except Exception:
                log.exception("change listener failed")

    async def _sqlite_statement(self, sql: str) -> None:
        try:
            await self._run_sqlite(sql, {})
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def all(
        self, stmt: ClauseElement, params: Mapping[str, Any] | None = None, *, prepare: bool | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of the statement. `prepare=False`: PostgreSQL plans it for these values every time
        (a statement whose best plan depends on them must not settle on a generic plan)."""
        compiled = self._statements.get(stmt)
        rows = await self._run(compiled, compiled.params(params or {}), prepare=prepare)
        assert isinstance(rows, list)
        return [compiled.row(row) for row in rows]

    async def first(
        self, stmt: ClauseElement, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        rows = await self.all(stmt, params)
        return rows[0] if rows else None

    async def scalar(self, stmt: ClauseElement, params: Mapping[str, Any] | None = None) -> Any:
        row = await self.first(stmt, params)
        return row[0] if row else None

    async def execute(self, stmt: ClauseElement, params: Mapping[str, Any] | None = None) -> int:
        """Run a write without RETURNING; how many rows it changed."""
        compiled = self._statements.get(stmt)
        return await self._run(compiled, compiled.params(params or {}), rowcount=True)  # type: ignore[return-value]

    async def _run(
        self,
        compiled: Compiled,
        params: dict[str, Any],
        *,
        rowcount: bool = False,
        prepare: bool | None = None,
    ) -> list[tuple[Any, ...]] | int:
        try:
            if self._backend == "postgresql":
                cursor = await self._driver.execute(compiled.sql, params, prepare=prepare)
                if rowcount:
                    return cursor.rowcount
                return await cursor.fetchall() if cursor.description else []
            return await self._run_sqlite(compiled.sql, params, rowcount=rowcount)
        except pg_errors.UniqueViolation as exc:
            raise UniqueViolation(str(exc)) from None
        except pg_errors.ForeignKeyViolation as exc:
            raise ForeignKeyViolation(str(exc)) from None
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(str(exc)) from None
            if "FOREIGN KEY" in str(exc):
                raise ForeignKeyViolation(str(exc)) from None
            raise
        except (psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def _run_sqlite(
        self, sql: str, params: dict[str, Any], *, rowcount: bool = False
    ) -> list[tuple[Any, ...]] | int:
        # A refused statement changed nothing, so it can run again; inside a transaction the write
        # lock is already held (BEGIN IMMEDIATE), so only BEGIN itself can meet SQLITE_BUSY.
        for attempt in range(SQLITE_BUSY_RETRIES + 1):
            try:
                async with self._driver.execute(sql, params) as cursor:
                    if rowcount:
                        return cursor.rowcount
                    return list(await cursor.fetchall())
            except sqlite3.OperationalError as exc:
                if (exc.sqlite_errorcode & 0xFF) != SQLITE_BUSY or attempt == SQLITE_BUSY_RETRIES:
                    raise
                log.warning("SQLite busy (%s); retrying the statement", exc)
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")


class Database:
    """The service's connection pool and its compiled statements."""

    def __init__(self, target: DatabaseTarget, *, pool_size: int, pool_timeout: float) -> None:
        self.target = target
        self.backend = target.backend
        self.pool_size = pool_size
        self.pool_timeout = pool_timeout
        dialect = (
            PGDialect_psycopg()
            if self.backend == "postgresql"
            else SQLiteDialect_pysqlite(paramstyle="named")
        )
        self.statements = StatementCache(dialect)
        self._pg: AsyncConnectionPool | None = None
        self._sqlite: asyncio.Queue[aiosqlite.Connection] | None = None
        self._sqlite_all: list[aiosqlite.Connection] = []
        self._sqlite_opening = 0  # connections being opened: they count towards pool_size
        # SQLite only (one process): called with each change notice after its commit. PostgreSQL
        # processes LISTEN on CHANGES_CHANNEL instead.
        self.local_listeners: list[Listener] = []

    async def open(self) -> None:
        if self.backend == "postgresql":
            self._pg = AsyncConnectionPool(
                self.target.raw,
                min_size=1,
                max_size=self.pool_size,
                open=False,
                timeout=self.pool_timeout,
                max_lifetime=MAX_CONNECTION_AGE_SECONDS,
                max_idle=MAX_CONNECTION_AGE_SECONDS / 2,
                # The pre-ping: a connection is checked with a round trip before each use, so one
                # dropped while idle (Neon suspend, pooler restart) is replaced, not handed out.
                check=AsyncConnectionPool.check_connection,
                kwargs={"autocommit": True, "connect_timeout": 10, **self.target.connect_args},
            )
            await self._pg.open(wait=False)
        else:
            self._sqlite = asyncio.Queue()

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()
        for conn in self._sqlite_all:
            await conn.close()
        self._sqlite_all.clear()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        if self._pg is not None:
            try:
                async with self._pg.connection() as driver:
                    yield Connection(driver, self.statements, self.backend)
            except PoolTimeout as exc:
                raise DatabaseUnavailable(str(exc)) from exc
            return
        driver = await self._sqlite_connection()
        try:
            yield Connection(driver, self.statements, self.backend, self.local_listeners)
        finally:
            assert self._sqlite is not None
            if driver.in_transaction:  # a request cancelled mid-transaction: undo before reuse
                await asyncio.shield(driver.rollback())
            self._sqlite.put_nowait(driver)

    async def ping(self) -> None:
        async with self.connection() as conn:
            await conn.all(SELECT_ONE)

    async def _sqlite_connection(self) -> aiosqlite.Connection:
        assert self._sqlite is not None, "Database.open() was not awaited"
        # Take an idle connection synchronously: checking empty() and then awaiting get() would let
        # every concurrent request see the same idle connection and queue behind it.
        try:
            return self._sqlite.get_nowait()
        except asyncio.QueueEmpty:
            pass
        if len(self._sqlite_all) + self._sqlite_opening < self.pool_size:
            self._sqlite_opening += 1
            try:
                conn = await self._open_sqlite()
            finally:
                self._sqlite_opening -= 1
            self._sqlite_all.append(conn)
            return conn
        try:
            return await asyncio.wait_for(self._sqlite.get(), self.pool_timeout)
        except TimeoutError as exc:
            raise DatabaseUnavailable("no SQLite connection free") from exc

    async def _open_sqlite(self) -> aiosqlite.Connection:
        """A new connection with its options set; one that cannot be set up is closed at once (an
        aiosqlite connection left open keeps a non-daemon thread: the process could never exit)."""
        path = self.target.sqlite_path
        assert path is not None
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        try:
            for pragma in SQLITE_PRAGMAS:
                await conn.execute(f"PRAGMA {pragma}")
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        return conn
