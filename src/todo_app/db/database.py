"""The connection pool: psycopg 3's for PostgreSQL, a small one of aiosqlite connections for SQLite.
What a request does with a connection is in connection.py.
"""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite
import psycopg
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout
from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from todo_app.db.connection import (
    Connection,
    DatabaseUnavailable,
    Listener,
)
from todo_app.db.notices import NOTIFY_MANY, Notices
from todo_app.db.statements import StatementCache
from todo_app.db.url import DatabaseTarget

if TYPE_CHECKING:
    from todo_app.observability.tracing import StatementTracer

log = logging.getLogger(__name__)

# Neon suspends an idle compute after 5 minutes; retire pooled connections well before that.
MAX_CONNECTION_AGE_SECONDS = 240
# While the server is away (a restart, a failover), a new connection is tried at least this often
# while requests wait for one, so writes resume within about this long of its return. (The pool's
# own retries back off 1, 2, 4 ... s: after a 3-second restart the next try could be 4 s later.)
RECONNECT_SECONDS = 0.5
SELECT_ONE = select(literal(1))
# Per-connection options only, the lock wait first. WAL is a property of the file, set once by the
# migration (todo_app.migrate): switching a file to WAL takes an exclusive lock, so doing it as each
# connection opens failed with "database is locked" whenever another connection was writing.
SQLITE_PRAGMAS = ("busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL")


@dataclass(frozen=True)
class PoolStats:
    size: int  # connections open
    in_use: int  # lent out (on SQLite, those settling after a cancelled request too)
    waiting: int  # requests waiting for one


class Database:
    """The service's connection pool and its compiled statements."""

    def __init__(
        self,
        target: DatabaseTarget,
        *,
        pool_size: int,
        pool_timeout: float,
        tracer: "StatementTracer | None" = None,
    ) -> None:
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
        self.tracer = tracer  # spans for the statements, when traces are on
        self._pg: AsyncConnectionPool | None = None
        self._pg_in_use: set[psycopg.AsyncConnection] = set()  # (for close(): see there)
        self._sqlite: asyncio.Queue[aiosqlite.Connection] | None = None
        self._sqlite_all: list[aiosqlite.Connection] = []
        self._settling: set[asyncio.Task[None]] = set()  # connections on their way back
        self._sqlite_opening = 0  # connections being opened: they count towards pool_size
        # SQLite only (one process): called with each change notice after its commit. PostgreSQL
        # processes LISTEN on CHANGES_CHANNEL instead.
        self.local_listeners: list[Listener] = []
        self.notices = Notices(self._notify_many)

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
                check=self._check_pooled,
                reconnect_timeout=RECONNECT_SECONDS,
                reconnect_failed=self._reconnect_failed,
                kwargs={"autocommit": True, "connect_timeout": 10, **self.target.connect_args},
            )
            await self._pg.open(wait=False)
        else:
            self._sqlite = asyncio.Queue()

    async def _check_pooled(self, driver: psycopg.AsyncConnection) -> None:
        """The pre-ping. One idle connection found dead means the server dropped them all (a
        restart, a suspend): they are all replaced now. Otherwise each request after it would meet
        the next dead one, and the pool makes a request that met one wait 1, 2, 4 ... s."""
        try:
            await AsyncConnectionPool.check_connection(driver)
        except Exception:
            if self._pg is not None and not self._pg.closed:
                log.warning("a pooled database connection was dead; replacing the idle ones")
                await self._pg.drain()
            raise

    async def _reconnect_failed(self, pool: AsyncConnectionPool) -> None:
        """A connection attempt kept failing for RECONNECT_SECONDS. While requests wait, try again
        at once (`check()` grows an empty pool); with nobody waiting stay quiet: the next request
        starts a new attempt itself."""
        if not pool.closed and pool.get_stats().get("requests_waiting", 0):
            await pool.check()

    async def _notify_many(self, payloads: list[str]) -> None:
        async with self.connection() as conn:
            await conn.all(NOTIFY_MANY, {"payloads": payloads})

    async def close(self) -> None:
        if self._pg is not None:
            # A connection still out belongs to a request the shutdown cut off (SHUTDOWN_TIMEOUT):
            # cancel its statement in the server, or one waiting for a lock would still run, and
            # commit, once the lock is free, long after its client was told it failed.
            cancels = (driver.cancel_safe(timeout=2) for driver in list(self._pg_in_use))
            await asyncio.gather(*cancels, return_exceptions=True)
            await self.notices.drain()
            await self._pg.close()
        if self._settling:
            await asyncio.gather(*self._settling, return_exceptions=True)
        for conn in self._sqlite_all:
            await conn.close()
        self._sqlite_all.clear()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        if self._pg is not None:
            # Every way of losing the server ends here as DatabaseUnavailable (503): no connection
            # within pool_timeout, the pool closed by a shutdown, or a connection broken when it
            # is handed back (statements convert their own errors, Connection._run).
            try:
                async with self._pg.connection() as driver:
                    self._pg_in_use.add(driver)
                    try:
                        yield Connection(
                            driver, self.statements, self.backend, notices=self.notices, tracer=self.tracer
                        )
                    finally:
                        self._pg_in_use.discard(driver)
            except (PoolTimeout, PoolClosed, psycopg.OperationalError, psycopg.InterfaceError) as exc:
                raise DatabaseUnavailable(str(exc)) from exc
            return
        lite = await self._sqlite_connection()
        conn = Connection(lite, self.statements, self.backend, self.local_listeners, tracer=self.tracer)
        try:
            yield conn
        finally:
            self._give_back(lite, conn)

    def _give_back(self, driver: aiosqlite.Connection, conn: Connection) -> None:
        """Back to the pool at once when idle. A request cancelled mid-statement or mid-transaction
        leaves that to a task of its own (the request's task may be cancelled again at any await):
        it waits for the statement, rolls the transaction back, then returns the connection."""
        assert self._sqlite is not None
        if conn.idle and not driver.in_transaction:
            self._sqlite.put_nowait(driver)
            return
        task = asyncio.get_running_loop().create_task(self._settle_and_give_back(driver, conn))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle_and_give_back(self, driver: aiosqlite.Connection, conn: Connection) -> None:
        assert self._sqlite is not None
        try:
            await conn.settle()
            if driver.in_transaction:
                await driver.rollback()
        except Exception:
            log.exception("a SQLite connection could not be made idle; closing it")
            self._sqlite_all.remove(driver)
            await driver.close()
            return
        self._sqlite.put_nowait(driver)

    def stats(self) -> PoolStats:
        """The pool as it is now, for the metrics (observability/metrics.py). Reads only."""
        if self._pg is not None:
            pg = self._pg.get_stats()
            # Lent out by connection() (the pool's own size - available would count the one it
            # may be opening in advance as in use too).
            return PoolStats(pg.get("pool_size", 0), len(self._pg_in_use), pg.get("requests_waiting", 0))
        if self._sqlite is None:
            return PoolStats(0, 0, 0)
        size = len(self._sqlite_all)
        # asyncio.Queue keeps its waiting get() calls in `_getters` (no public count); cancelled
        # ones are removed from it.
        waiting = len(getattr(self._sqlite, "_getters", ()))
        return PoolStats(size, size - self._sqlite.qsize(), waiting)

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
