"""The embedded SQLite default under concurrency: WAL is a property of the file, set once by the
migration; connections only set per-connection options; one whose set-up fails is closed; writers
wait for each other instead of failing."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import make_settings
from tests.factories import make_user
from todo_app import migrate
from todo_app.db import Database, DatabaseUnavailable, parse_database_url
from todo_app.db.database import SQLITE_PRAGMAS


def sqlite_only(app) -> None:
    if app.state.db.backend != "sqlite":
        pytest.skip("SQLite only")


@asynccontextmanager
async def migrated_database(tmp_path: Path, *, pool_size: int) -> AsyncIterator[Database]:
    path = tmp_path / "pool.db"
    migrate.upgrade(make_settings(f"sqlite:///{path}", tmp_path))
    database = Database(parse_database_url(f"sqlite:///{path}"), pool_size=pool_size, pool_timeout=5)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def aiosqlite_threads() -> list[threading.Thread]:
    """aiosqlite runs each connection in a non-daemon thread: one left open keeps a process alive."""
    return [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]


def test_migration_puts_a_new_database_in_wal_mode(tmp_path: Path):
    path = tmp_path / "new.db"
    migrate.upgrade(make_settings(f"sqlite:///{path}", tmp_path))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_connections_never_change_the_journal_mode():
    # Switching to WAL takes an exclusive lock: done per connection, it fails ("database is
    # locked") whenever another connection is writing.
    assert not any(p.startswith("journal_mode") for p in SQLITE_PRAGMAS)
    assert SQLITE_PRAGMAS[0].startswith("busy_timeout"), "wait for locks before anything else"


async def test_a_connection_whose_setup_fails_is_closed(tmp_path: Path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not an SQLite database" * 100)
    before = aiosqlite_threads()
    database = Database(parse_database_url(f"sqlite:///{path}"), pool_size=2, pool_timeout=1)
    await database.open()
    for _ in range(3):
        with pytest.raises(DatabaseUnavailable):
            await database.ping()
    await database.close()
    # A closed connection's thread ends just after close() returns: give it a moment, as the
    # interpreter would at exit. A connection left open never ends.
    for thread in set(aiosqlite_threads()) - set(before):
        thread.join(5)
    assert [t for t in aiosqlite_threads() if t not in before] == []


async def test_a_connection_gets_busy_timeout_and_foreign_keys(app):
    sqlite_only(app)
    async with app.state.db.connection() as conn:
        assert await conn.scalar(text("PRAGMA busy_timeout")) >= 5000
        assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
        assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"


async def test_the_pool_never_opens_more_connections_than_its_size(tmp_path: Path):
    async with migrated_database(tmp_path, pool_size=3) as database:
        await asyncio.gather(*(database.ping() for _ in range(30)))
        assert len(database._sqlite_all) <= 3


async def test_many_concurrent_writers_all_succeed(app, client):
    """Every request holds its own pooled connection: 60 simultaneous writes from 3 users on the
    fresh database must all land (no 503 "database is locked")."""
    sqlite_only(app)
    users = [await make_user(client) for _ in range(3)]

    async def create(i: int):
        user = users[i % 3]
        return await client.post("/tasks", json={"title": f"t{i}"}, headers=user["headers"])

    results = await asyncio.gather(*(create(i) for i in range(60)))
    assert sorted({r.status_code for r in results}) == [201], [
        r.text for r in results if r.status_code != 201
    ]
    for user in users:
        r = await client.get("/tasks?limit=1", headers=user["headers"])
        assert r.headers["x-total-count"] == "20"


async def test_requests_wait_for_a_lock_held_elsewhere(app, client, settings):
    """Another process holding the write lock while the service opens its first connections makes
    requests wait for it, not fail with 503."""
    sqlite_only(app)
    path = parse_database_url(settings.database_url).sqlite_path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        body = {"email": "waits@example.com", "password": "correct horse battery"}
        pending = asyncio.ensure_future(client.post("/auth/signup", json=body))
        done, _ = await asyncio.wait({pending}, timeout=0.5)
        assert not done, f"answered while the lock was held: {pending.result().text}"
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert (await pending).status_code == 201


async def test_concurrent_requests_get_connections_of_their_own(tmp_path: Path):
    """One idle connection must not make every concurrent request queue behind it."""
    async with migrated_database(tmp_path, pool_size=5) as database:
        await database.ping()  # one connection, now idle
        inside, release = 0, asyncio.Event()
        all_inside = asyncio.Event()

        async def hold() -> None:
            nonlocal inside
            async with database.connection():
                inside += 1
                if inside == 5:
                    all_inside.set()
                await release.wait()

        holders = [asyncio.ensure_future(hold()) for _ in range(5)]
        async with asyncio.timeout(10):
            await all_inside.wait()  # five connections at once, not one after another
        release.set()
        await asyncio.gather(*holders)
        assert len(database._sqlite_all) == 5
