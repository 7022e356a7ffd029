"""Planner statistics for the service's tables on a PostgreSQL whose autovacuum is switched off.

Without statistics PostgreSQL guesses how many tasks an owner has; a list planned when the table was
small keeps its plan (a bitmap scan and a sort of every task of the owner) as the table grows.
Measured with ../shared/bench/compare.py on a server with `autovacuum = off`: the list fell from
1,290 to 540 requests/s after 9,000 creates, and stayed at 1,350 with statistics kept current.
Where autovacuum runs (Neon, any default install) this finds nothing to do.

The rule is autovacuum's own with its default settings: ANALYZE a table once more than 50 + 10 % of
its rows changed since the last analysis, VACUUM (ANALYZE) it once more than 50 + 20 % are dead.
One process at a time does the work (an advisory lock); the others skip their turn."""

from sqlalchemy import text

from todo_app.db import Connection

TABLES = ("app_user", "task", "tag", "task_tag")
DUE = text(
    """
    SELECT relname, n_dead_tup > 50 + 0.2 * n_live_tup AS vacuum
    FROM pg_stat_user_tables
    WHERE current_setting('autovacuum') = 'off'
      AND schemaname = current_schema()
      AND relname IN ('app_user', 'task', 'tag', 'task_tag')
      AND (n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup)
    ORDER BY relname
    """
)
# pg_try_advisory_lock's key: this job's own number ("todo-app stats" as ASCII, first 8 bytes).
LOCK_KEY = int.from_bytes(b"todo-sta", "big") >> 1
TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
UNLOCK = text("SELECT pg_advisory_unlock(:key)")
ANALYZE = {name: text(f'ANALYZE "{name}"') for name in TABLES}
VACUUM = {name: text(f'VACUUM (ANALYZE) "{name}"') for name in TABLES}
EVERY_SECONDS = 10


async def keep_statistics(db: Connection) -> list[str]:
    """Analyze (or vacuum) the service's tables that need it; the names of those it did."""
    if db.backend != "postgresql":
        return []
    due = [(name, vacuum) for name, vacuum in await db.all(DUE) if name in TABLES]
    if not due or not await db.scalar(TRY_LOCK, {"key": LOCK_KEY}):
        return []
    try:
        for name, vacuum in due:
            # (utility statements cannot be prepared)
            await db.all((VACUUM if vacuum else ANALYZE)[name], prepare=False)
    finally:
        await db.scalar(UNLOCK, {"key": LOCK_KEY})
    return [name for name, _ in due]
