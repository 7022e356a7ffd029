"""One pooled connection as a request sees it: compiled Core statements on psycopg 3 (PostgreSQL) or
aiosqlite (SQLite), transactions, change notices, and the errors a caller can act on.

Every connection is in autocommit mode: a single statement needs no BEGIN/COMMIT round trip, and a
write of several statements runs inside `Connection.transaction()`, which never outlives the
request (nothing holds a transaction open behind Neon's PgBouncer).
"""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite
import psycopg
from psycopg import errors as pg_errors
from sqlalchemy.sql import ClauseElement

from todo_app.db.notices import Notices
from todo_app.db.statements import Compiled, StatementCache

if TYPE_CHECKING:
    from todo_app.observability.tracing import StatementTracer

log = logging.getLogger(__name__)
T = TypeVar("T")

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


# Change notices ("<user id>:<change number>") reach every process LISTENing on CHANGES_CHANNEL on
# PostgreSQL (sent after commit, db/notices.py); on SQLite, the one process's own listeners.
Listener = Callable[[str], None]


class Connection:
    """One pooled connection for the duration of a request."""

    def __init__(
        self,
        driver: Any,
        statements: StatementCache,
        backend: str,
        listeners: list[Listener] | None = None,
        notices: Notices | None = None,
        tracer: "StatementTracer | None" = None,
    ) -> None:
        self._driver = driver
        self._statements = statements
        self._backend = backend
        self._listeners = listeners if listeners is not None else []
        self._notices = notices
        self._tracer = tracer  # None unless traces are on (observability/tracing.py)
        self._in_transaction = False
        self._pending: list[str] = []
        self._inflight: asyncio.Future[Any] | None = None  # SQLite: the call on its thread

    @property
    def backend(self) -> str:
        return self._backend

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Statements inside run as one transaction: all of them take effect or none. On SQLite it
        begins IMMEDIATE (the write lock up front, so two writers never deadlock upgrading). The
        change notices given inside go once it has committed; none if it rolls back."""
        begin = self._pg_transaction if self._backend == "postgresql" else self._sqlite_transaction
        self._in_transaction = True
        try:
            async with begin():
                yield
        except BaseException:
            self._pending.clear()
            raise
        finally:
            self._in_transaction = False
        self._send_pending()

    @asynccontextmanager
    async def _pg_transaction(self) -> AsyncIterator[None]:
        try:
            async with self._driver.transaction():
                yield
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    @asynccontextmanager
    async def _sqlite_transaction(self) -> AsyncIterator[None]:
        await self._sqlite_statement("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self._sqlite_call(self._driver.rollback())
            raise
        await self._sqlite_statement("COMMIT")

    async def notify(self, payload: str) -> None:
        """Tell every process's listeners on CHANGES_CHANNEL, once the current transaction (if any)
        has committed; nothing is told if it rolls back. Outside a transaction, call it after the
        write: in autocommit mode that write has committed."""
        if self._in_transaction:
            self._pending.append(payload)
        else:
            self._deliver(payload)

    def _send_pending(self) -> None:
        pending, self._pending = self._pending, []
        for payload in pending:
            self._deliver(payload)

    def _deliver(self, payload: str) -> None:
        if self._notices is not None:
            self._notices.send(payload)
            return
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
        """Every statement of the service passes here: with traces on, each runs in a span of its own."""
        if self._tracer is None:
            return await self._execute(compiled, params, rowcount=rowcount, prepare=prepare)
        with self._tracer.statement(compiled.sql):
            return await self._execute(compiled, params, rowcount=rowcount, prepare=prepare)

    async def _execute(
        self,
        compiled: Compiled,
        params: dict[str, Any],
        *,
        rowcount: bool = False,
        prepare: bool | None = None,
    ) -> list[tuple[Any, ...]] | int:
        try:
            if self._backend == "postgresql":
                cursor: psycopg.AsyncCursor[tuple[Any, ...]] = await self._driver.execute(
                    compiled.sql, params, prepare=prepare
                )
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
                if rowcount:
                    return await self._sqlite_call(self._sqlite_rowcount(sql, params))
                return list(await self._sqlite_call(self._driver.execute_fetchall(sql, params)))
            except sqlite3.OperationalError as exc:
                if (exc.sqlite_errorcode & 0xFF) != SQLITE_BUSY or attempt == SQLITE_BUSY_RETRIES:
                    raise
                log.warning("SQLite busy (%s); retrying the statement", exc)
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _sqlite_rowcount(self, sql: str, params: dict[str, Any]) -> int:
        cursor: aiosqlite.Cursor = await self._driver.execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def _sqlite_call(self, call: Awaitable[T]) -> T:
        """A call on the SQLite connection's own thread, run to its end even when the request that
        awaits it is cancelled (a client gone, an event stream closed). Rows are fetched to the last
        in the same call: a SELECT left open on the thread keeps its read snapshot, and the next
        statement on that connection, another request's, would read through it (and fail to
        write). The pool takes the connection back only once the call is over (Database)."""
        inflight = asyncio.ensure_future(call)
        inflight.add_done_callback(_retrieved)
        self._inflight = inflight
        return await asyncio.shield(inflight)

    @property
    def idle(self) -> bool:
        return self._inflight is None or self._inflight.done()

    async def settle(self) -> None:
        """Until the last call on the thread is over (however it ended)."""
        if self._inflight is not None:
            await asyncio.wait([self._inflight])


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Its awaiter may have gone (cancelled): the outcome is looked at, so asyncio does not log it."""
    if not future.cancelled():
        future.exception()
