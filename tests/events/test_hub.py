"""The hub: where it LISTENs, which streams a notice wakes, and (PostgreSQL) a LISTEN session that is
opened only while streams are open and comes back after it was killed."""

import asyncio
import json

import psycopg
import pytest

from tests.conftest import pg_conninfo
from tests.events.conftest import WAIT, live_server, open_stream, with_settings
from tests.factories import make_task, make_user
from todo_app.events.hub import APPLICATION_NAME, listen_url, notice_owner

NEON = "ep-cool-darkness-123456{pooler}.us-east-2.aws.neon.tech"
NEON_QUERY = "?sslmode=require&channel_binding=require"


@pytest.mark.parametrize(
    ("database_url", "migration_url", "expected"),
    [
        (
            f"postgresql://alex:AbC%2F1@{NEON.format(pooler='-pooler')}/neondb{NEON_QUERY}",
            None,
            f"postgresql://alex:AbC%2F1@{NEON.format(pooler='')}/neondb{NEON_QUERY}",
        ),
        (
            f"postgres://alex:pw@{NEON.format(pooler='-pooler')}:5432/neondb{NEON_QUERY}",
            f"postgresql://owner:pw2@{NEON.format(pooler='')}/neondb?sslmode=require",
            f"postgresql://owner:pw2@{NEON.format(pooler='')}/neondb?sslmode=require",
        ),
        (
            f"postgresql+psycopg://alex:pw@{NEON.format(pooler='-pooler')}/neondb",
            None,
            f"postgresql://alex:pw@{NEON.format(pooler='')}/neondb",
        ),
        ("postgresql://postgres@127.0.0.1:5432/todo", None, "postgresql://postgres@127.0.0.1:5432/todo"),
        ("postgresql://u@db-1,db-2-pooler.example.com/x", None, "postgresql://u@db-1,db-2.example.com/x"),
        ("postgresql://pooler-fan@db.internal/x", None, "postgresql://pooler-fan@db.internal/x"),
    ],
)
def test_listen_url_reaches_postgresql_directly(database_url, migration_url, expected):
    assert listen_url(database_url, migration_url) == expected


@pytest.mark.parametrize(
    ("payload", "owner"),
    [("12:34", 12), ("12:", 12), ("7:revoked", 7), ("", None), ("12", None), ("x:1", None), ("-1:2", None)],
)
def test_notice_owner(payload, owner):
    assert notice_owner(payload) == owner


async def wait_until(condition) -> None:
    async with asyncio.timeout(WAIT):
        while not condition():  # noqa: ASYNC110 (a counter, polled with a deadline)
            await asyncio.sleep(0.02)


async def notify_then_roll_back(conn, payload: str) -> None:
    async with conn.transaction():
        await conn.notify(payload)
        raise RuntimeError("rolled back")


async def test_a_committed_notice_wakes_its_users_streams_only(app):
    hub, db = app.state.hub, app.state.db
    ann, ann2, bob = hub.subscribe(1), hub.subscribe(1), hub.subscribe(2)
    try:
        if db.backend == "postgresql":
            await wait_until(lambda: hub.sessions >= 1)
            for subscription in (ann, ann2, bob):  # (woken once as the session opened)
                subscription.event.clear()
        async with db.connection() as conn:
            with pytest.raises(RuntimeError):
                await notify_then_roll_back(conn, "2:1")
            async with conn.transaction():
                await conn.notify("1:1")
        async with asyncio.timeout(WAIT):
            await ann.event.wait()
            await ann2.event.wait()
        # Notices arrive in commit order: the rolled-back one would have come first.
        assert not bob.event.is_set()
    finally:
        for subscription in (ann, ann2, bob):
            hub.unsubscribe(subscription)


def listeners(database_url: str) -> int:
    with psycopg.connect(pg_conninfo(database_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            (APPLICATION_NAME,),
        ).fetchone()
        return row[0]


def kill_listeners(database_url: str) -> int:
    with psycopg.connect(pg_conninfo(database_url), autocommit=True) as conn:
        return len(
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND datname = current_database()",
                (APPLICATION_NAME,),
            ).fetchall()
        )


async def test_the_hub_reconnects_after_its_listen_session_is_killed(settings, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    # Heartbeats far off: an event can only arrive through a notice.
    async with live_server(with_settings(settings, events_heartbeat_seconds=120)) as live:
        c, ann = live.client, await make_user(live.client)
        hub = live.app.state.hub
        assert listeners(database_url) == 0  # nobody listens while no stream is open
        async with open_stream(c, ann["headers"]) as stream:
            await wait_until(lambda: hub.sessions == 1)  # (opened for the first stream)
            assert listeners(database_url) == 1
            first = await make_task(c, ann)
            assert json.loads((await stream.event()).data)["id"] == first["id"]

            assert kill_listeners(database_url) == 1
            in_the_gap = await make_task(c, ann)  # its notice may reach nobody
            await wait_until(lambda: hub.sessions >= 2)
            assert json.loads((await stream.event()).data)["id"] == in_the_gap["id"]
            later = await make_task(c, ann)
            assert json.loads((await stream.event()).data)["id"] == later["id"]
            assert listeners(database_url) == 1
