"""SQLite's pool after a request was cancelled in the middle of a statement (an event stream closed,
a client gone): the connection comes back idle, outside any transaction, with no read snapshot left
open, so the next request on it sees every committed write and can write itself."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import anyio
import pytest
from sqlalchemy import func, literal, select, text

from todo_app.db import Database, parse_database_url
from todo_app.users.models import User

WAIT = 10.0
# Long enough to be cancelled while it runs; one row at the end, so a cursor left behind after its
# first step would still be reading.
SLOW = select(text("count(*)")).select_from(
    text(
        "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT i FROM n)"
    )
)
USERS = select(func.count()).select_from(User)


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[Database]:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own pool (psycopg's discards a connection returned mid-query)")
    db = Database(parse_database_url(database_url), pool_size=1, pool_timeout=WAIT)
    await db.open()
    try:
        yield db
    finally:
        await db.close()


def commit_elsewhere(database_url: str, email: str) -> None:
    """A user committed by another connection (another process, as far as the pool knows)."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None) as other:
        other.execute(
            "INSERT INTO app_user (email, hashed_password, created_at) VALUES (?, 'x', '2026-11-25 00:00:00')",
            (email,),
        )


async def cancelled_while(db: Database, work, *, after: float = 0.1) -> None:
    """Runs work(conn) in a cancel scope that is cancelled once the statement is under way. anyio
    cancels again at every await that follows, as Starlette's does when a client goes."""
    scopes: list[anyio.CancelScope] = []

    async def run() -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            async with db.connection() as conn:
                await work(conn)

    task = asyncio.create_task(run())
    async with asyncio.timeout(WAIT):
        while not scopes or db._sqlite.qsize() or not db._sqlite_all:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # until the connection is checked out, its statement sent
    await asyncio.sleep(after)  # (into the statement, which runs for about a second)
    scopes[0].cancel()
    async with asyncio.timeout(WAIT):
        await task


async def test_a_read_cancelled_while_it_runs_leaves_no_snapshot_behind(one_connection, database_url):
    db = one_connection
    async with db.connection() as conn:
        before = await conn.scalar(USERS)

    async def read_slowly(conn) -> None:
        await conn.all(SLOW)

    await cancelled_while(db, read_slowly)
    commit_elsewhere(database_url, "later@example.com")
    async with asyncio.timeout(WAIT), db.connection() as conn:  # the same connection (pool of one)
        assert await conn.scalar(USERS) == before + 1
        await conn.execute(User.__table__.update().values(timezone="Europe/Berlin"))  # and it can write


async def test_a_transaction_cancelled_midway_is_rolled_back_before_the_connection_is_reused(
    one_connection, database_url
):
    db = one_connection

    async def write_then_read_slowly(conn) -> None:
        async with conn.transaction():
            await conn.execute(User.__table__.update().values(timezone="Asia/Tokyo"))
            await conn.all(SLOW)

    commit_elsewhere(database_url, "someone@example.com")
    await cancelled_while(db, write_then_read_slowly)
    commit_elsewhere(database_url, "after@example.com")  # the write lock was let go
    async with asyncio.timeout(WAIT), db.connection() as conn:
        zones = await conn.all(select(User.timezone, literal(1)).distinct())
    assert [zone for zone, _ in zones] == ["UTC"]


async def test_a_request_cancelled_while_it_waits_for_the_write_lock_leaves_no_transaction_open(
    one_connection, database_url
):
    """Cancelled while BEGIN IMMEDIATE waits for another writer: once that writer is done, the
    BEGIN goes through on the connection's thread. Handed back at once, the connection would carry
    that transaction into the next request: reads from an old snapshot, writes never committed,
    and every other writer locked out."""
    db = one_connection
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")

        async def write(conn) -> None:
            async with conn.transaction():
                await conn.execute(User.__table__.update().values(timezone="Asia/Tokyo"))

        await cancelled_while(db, write, after=0.3)
        other.execute("COMMIT")
    finally:
        other.close()
    commit_elsewhere(database_url, "after-the-lock@example.com")
    async with asyncio.timeout(WAIT), db.connection() as conn:
        assert (
            await conn.scalar(
                select(func.count()).select_from(User).where(User.email.like("after-the-lock%"))
            )
            == 1
        )
        await conn.execute(User.__table__.update().values(timezone="America/Lima"))
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as check:  # committed, seen elsewhere
        assert check.execute("SELECT DISTINCT timezone FROM app_user").fetchall() == [("America/Lima",)]
