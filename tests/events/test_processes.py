"""Event streams as `todo-app serve` runs them: several processes on one PostgreSQL database, and a
shutdown that does not wait for streams to end on their own."""

import asyncio
import json
import signal
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PG_SERVER_URL, TEST_SECRET
from tests.events.conftest import WAIT, open_stream
from tests.factories import make_task, make_user
from tests.test_cli import CLI, clean_env, free_port

CROSS_PROCESS_BAR_SECONDS = 1.0


def spawn(tmp_path: Path, port: int, database_url: str, env: dict[str, str]) -> subprocess.Popen:
    log = tmp_path / f"serve-{port}.log"
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=clean_env(
            tmp_path,
            DATABASE_URL=database_url,
            JWT_SECRET=TEST_SECRET,
            RATE_LIMIT_AUTH_PER_MINUTE="0",
            RATE_LIMIT_LOGIN_FAILURES="0",
            **env,
        ),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def output(tmp_path: Path) -> str:
    return "\n".join(log.read_text() for log in sorted(tmp_path.glob("serve-*.log")))


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable]:
    started: list[tuple[subprocess.Popen, httpx2.AsyncClient]] = []

    async def start(database_url: str, **env: str) -> tuple[subprocess.Popen, httpx2.AsyncClient]:
        """`todo-app serve` on a free port, and a client of it once /health answers."""
        port = free_port()
        proc = spawn(tmp_path, port, database_url, env)
        client = httpx2.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=httpx2.Timeout(WAIT, read=None)
        )
        started.append((proc, client))
        async with asyncio.timeout(60):
            while True:
                assert proc.poll() is None, output(tmp_path)
                try:
                    if (await client.get("/health")).status_code == 200:
                        return proc, client
                except httpx2.TransportError:
                    pass
                await asyncio.sleep(0.1)

    yield start
    for proc, client in started:
        await client.aclose()
        proc.kill()
        await asyncio.to_thread(proc.wait, 10)


async def test_a_shutdown_ends_open_streams_at_once(serve, database_url, tmp_path):
    """uvicorn waits for open responses before it runs the lifespan's shutdown: SIGTERM must end
    the streams itself, or the process would never exit."""
    proc, client = await serve(database_url, EVENTS_HEARTBEAT_SECONDS="60")
    ann = await make_user(client)
    async with open_stream(client, ann["headers"]) as one, open_stream(client, ann["headers"]) as two:
        loop = asyncio.get_running_loop()
        started = loop.time()
        proc.send_signal(signal.SIGTERM)
        await asyncio.gather(one.end(), two.end())
        assert loop.time() - started < 10  # (never, without the drain: heartbeats are 60 s apart)
    assert await asyncio.to_thread(proc.wait, WAIT) == 0  # a stop asked for and done
    assert "Application shutdown complete" in output(tmp_path)


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_a_write_on_one_process_reaches_a_stream_on_another_within_a_second(
    serve, database_url, redis_url
):
    # Heartbeats far off: events can only arrive through NOTIFY.
    env = {"EVENTS_HEARTBEAT_SECONDS": "60", "REDIS_URL": redis_url}
    (_, a), (_, b) = await serve(database_url, **env), await serve(database_url, **env)
    ann = await make_user(a)
    async with open_stream(a, ann["headers"]) as stream:
        loop = asyncio.get_running_loop()
        for i in range(5):
            task = await make_task(b, ann, title=f"written on b, {i}")
            answered = loop.time()
            event = await stream.event()
            assert json.loads(event.data)["id"] == task["id"]
            assert event.received_at - answered < CROSS_PROCESS_BAR_SECONDS
        # Deleted on a, then on b: each arrives once, in order.
        await a.delete(f"/tasks/{task['id']}", headers=ann["headers"])
        event = await stream.event()
        assert (event.event, json.loads(event.data)) == ("task.deleted", {"id": task["id"]})

    # The ten streams a user may hold are counted across both processes (REDIS_URL).
    async with AsyncExitStack() as stack:
        for client in [a] * 5 + [b] * 5:
            await stack.enter_async_context(open_stream(client, ann["headers"]))
        for client in (a, b):
            assert (await client.get("/events", headers=ann["headers"])).status_code == 429
