"""Change notices: sent after commit (never for a rollback), gathered into one statement per round
trip, a user's change numbers collapsed into the latest, and a failed send costing nothing else."""

import asyncio
import logging

import psycopg
import pytest

from tests.conftest import pg_conninfo
from tests.factories import make_task, make_user
from todo_app.db.notices import CHANGES_CHANNEL, Notices

WAIT = 5.0


class Recorder:
    """A run_batch that keeps each batch, and can be told to fail or to hold a batch."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def __call__(self, payloads: list[str]) -> None:
        self.batches.append(sorted(payloads))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError("database away")


async def test_one_owners_change_numbers_collapse_into_the_latest_and_words_stay():
    recorder = Recorder()
    notices = Notices(recorder)
    for payload in ["1:3", "1:12", "1:4", "2:1", "1:revoked", "1:revoked", "3:revoked", "3:9"]:
        notices.send(payload)
    await notices.drain()
    assert recorder.batches == [sorted(["1:12", "2:1", "1:revoked", "3:revoked", "3:9"])]


async def test_notices_sent_while_a_batch_is_on_its_way_go_in_the_next_one():
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    notices = Notices(recorder)
    notices.send("1:1")
    async with asyncio.timeout(WAIT):
        while not recorder.batches:  # noqa: ASYNC110 (polled with a deadline)
            await asyncio.sleep(0)
    for number in range(2, 50):
        notices.send(f"1:{number}")
    notices.send("2:7")
    recorder.gate.set()
    await notices.drain()
    assert recorder.batches == [["1:1"], ["1:49", "2:7"]]


async def test_a_failed_batch_is_logged_and_the_next_notice_still_goes(caplog):
    recorder = Recorder()
    recorder.fail = True
    notices = Notices(recorder)
    with caplog.at_level(logging.WARNING, logger="todo_app.db.notices"):
        notices.send("1:1")
        await notices.drain()
    assert "change notices not sent (1): database away" in caplog.text
    recorder.fail = False
    notices.send("1:2")
    await notices.drain()
    assert recorder.batches == [["1:1"], ["1:2"]]


@pytest.fixture
def listener(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("NOTIFY is PostgreSQL's (SQLite's local listeners: tests/events/test_hub.py)")
    with psycopg.connect(pg_conninfo(database_url), autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANGES_CHANNEL}")
        yield conn


def heard(conn: psycopg.Connection, *, timeout: float) -> list[str]:
    return [notice.payload for notice in conn.notifies(timeout=timeout, stop_after=100)]


async def notify_then_roll_back(conn, payload: str) -> None:
    async with conn.transaction():
        await conn.notify(payload)
        raise RuntimeError("rolled back")


async def test_a_notice_goes_once_its_transaction_commits_and_never_after_a_rollback(app, listener):
    db = app.state.db
    async with db.connection() as conn:
        with pytest.raises(RuntimeError):
            await notify_then_roll_back(conn, "7:1")
        async with conn.transaction():
            await conn.notify("7:2")
            await db.notices.drain()
            assert heard(listener, timeout=0.2) == []  # not before the commit
    await db.notices.drain()
    assert heard(listener, timeout=WAIT) == ["7:2"]


async def test_a_created_task_is_announced_after_its_statement(app, client, listener):
    user = await make_user(client)
    task = await make_task(client, user)
    await app.state.db.notices.drain()
    assert heard(listener, timeout=WAIT) == [f"{user['id']}:{task['version']}"]
