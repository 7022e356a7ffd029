"""Background jobs: they run on their interval, a failing one is logged and tried again, and they
stop with the app."""

import asyncio
import logging

from todo_app.db import DatabaseUnavailable
from todo_app.scheduler import Job, Scheduler


async def test_jobs_run_repeatedly_and_a_failing_one_neither_stops_itself_nor_the_others(app, caplog):
    runs = {"good": 0, "bad": 0, "offline": 0}

    async def good(db):
        runs["good"] += 1
        return 1

    async def bad(db):
        runs["bad"] += 1
        raise RuntimeError("boom")

    async def offline(db):
        runs["offline"] += 1
        raise DatabaseUnavailable("connection refused")

    scheduler = Scheduler(
        app.state.db, [Job("good", 0.01, good), Job("bad", 0.01, bad), Job("offline", 0.01, offline)]
    )
    with caplog.at_level(logging.WARNING, logger="todo_app.scheduler"):
        scheduler.start()
        for _ in range(500):
            if min(runs.values()) >= 3:
                break
            await asyncio.sleep(0.01)
        await scheduler.stop()
    assert min(runs.values()) >= 3, runs
    assert any("job bad failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert any("job offline: database unavailable" in r.getMessage() for r in caplog.records)
    stopped = dict(runs)
    await asyncio.sleep(0.05)
    assert runs == stopped  # nothing runs after stop()


async def test_run_once_returns_the_jobs_result_or_none_when_it_failed(app):
    async def answer(db):
        return "done"

    async def broken(db):
        raise ValueError("no")

    scheduler = Scheduler(app.state.db, [])
    assert await scheduler.run_once(Job("answer", 1, answer)) == "done"
    assert await scheduler.run_once(Job("broken", 1, broken)) is None


async def test_the_app_schedules_its_housekeeping_and_statistics_upkeep_on_postgresql_only(app):
    names = [job.name for job in app.state.scheduler.jobs]
    # (no SMTP_URL in the tests' settings: no "reminder emails")
    expected = ["trash retention", "change log compaction", "idempotency keys", "reminders"]
    assert names == expected + (["statistics"] if app.state.db.backend == "postgresql" else [])
