"""Planner statistics on a PostgreSQL without autovacuum (as on the CI machines): the service
analyzes its own tables once enough of them changed, and vacuums them once enough rows are dead."""

import pytest
from sqlalchemy import text

from todo_app.db import upkeep

INSERT = text(
    "INSERT INTO task (user_id, title, completed, created_at, updated_at, priority, version) "
    "SELECT :owner, 'task ' || n, false, now(), now(), 0, 0 FROM generate_series(1, :n) AS n"
)
FLUSH = text("SELECT pg_stat_force_next_flush()")
STATS = text(
    "SELECT last_analyze IS NOT NULL, last_vacuum IS NOT NULL, n_mod_since_analyze "
    "FROM pg_stat_user_tables WHERE relname = 'task' AND schemaname = current_schema()"
)
AUTOVACUUM = text("SELECT current_setting('autovacuum')")


async def _owner(db) -> int:
    return await db.scalar(
        text(
            "INSERT INTO app_user (email, hashed_password, created_at, timezone) "
            "VALUES ('stats@example.com', 'x', now(), 'UTC') RETURNING id"
        )
    )


async def test_sqlite_has_nothing_to_keep(app):
    if app.state.db.backend != "sqlite":
        pytest.skip("SQLite only")
    async with app.state.db.connection() as db:
        assert await upkeep.keep_statistics(db) == []


async def test_a_grown_table_is_analyzed_and_one_full_of_dead_rows_vacuumed(app):
    if app.state.db.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    async with app.state.db.connection() as db:
        autovacuum_off = await db.scalar(AUTOVACUUM) == "off"
        owner = await _owner(db)
        await db.execute(INSERT, {"owner": owner, "n": 2000})
        await db.scalar(FLUSH)  # this backend's counts reach the shared statistics now
        done = await upkeep.keep_statistics(db)
        if not autovacuum_off:  # autovacuum looks after the tables; nothing to do
            assert done == []
            return
        assert "task" in done
        analyzed, _, changed = await db.first(STATS)
        assert analyzed
        assert changed == 0
        assert "task" not in await upkeep.keep_statistics(db)  # just analyzed

        await db.execute(
            text("UPDATE task SET title = title || '!' WHERE user_id = :owner"), {"owner": owner}
        )
        await db.scalar(FLUSH)
        assert "task" in await upkeep.keep_statistics(db)
        _, vacuumed, changed = await db.first(STATS)
        assert vacuumed
        assert changed == 0


async def test_only_one_process_does_the_work_at_a_time(app):
    if app.state.db.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    db_ = app.state.db
    async with db_.connection() as other, db_.connection() as db:
        if await db.scalar(AUTOVACUUM) != "off":
            pytest.skip("autovacuum is on: nothing to contend for")
        await db.execute(INSERT, {"owner": await _owner(db), "n": 2000})
        await db.scalar(FLUSH)
        assert await other.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": upkeep.LOCK_KEY})
        try:
            assert await upkeep.keep_statistics(db) == []  # another process holds the job
        finally:
            await other.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": upkeep.LOCK_KEY})
        assert "task" in await upkeep.keep_statistics(db)
