"""At most 10 open streams per user: counted in the process, or across processes in Redis, where the
entries of a process that died lapse on their own."""

import asyncio
import logging
from contextlib import AsyncExitStack

from tests.events.conftest import HEARTBEAT, WAIT, live_server, open_stream, with_settings
from tests.factories import make_user
from todo_app.events.service import MAX_STREAMS_PER_USER, StreamSlots


async def open_streams(stack: AsyncExitStack, client, user, n: int) -> list:
    return [await stack.enter_async_context(open_stream(client, user["headers"])) for _ in range(n)]


async def eventually_opens(client, user) -> None:
    """A stream closed by its client frees its place as soon as the server sees it go."""
    async with asyncio.timeout(WAIT):
        while True:
            async with client.stream("GET", "/events", headers=user["headers"]) as r:
                if r.status_code == 200:
                    return
                assert r.status_code == 429
            await asyncio.sleep(0.05)


async def test_the_eleventh_stream_is_429_and_a_closed_one_frees_its_place(live):
    c = live.client
    ann, bob = await make_user(c), await make_user(c)
    async with AsyncExitStack() as stack:
        await open_streams(stack, c, ann, MAX_STREAMS_PER_USER)
        r = await c.get("/events", headers=ann["headers"])
        assert r.status_code == 429
        assert "10" in r.json()["detail"]
        assert int(r.headers["retry-after"]) >= 1
        async with open_stream(c, bob["headers"]):  # other users are not affected
            pass
        await stack.aclose()
    await eventually_opens(c, ann)


async def test_streams_are_counted_across_processes_in_redis(settings, redis_url):
    shared = with_settings(settings, events_heartbeat_seconds=HEARTBEAT, redis_url=redis_url)
    async with live_server(shared) as a, live_server(shared) as b, AsyncExitStack() as stack:
        ann = await make_user(a.client)
        await open_streams(stack, a.client, ann, 6)
        await open_streams(stack, b.client, ann, 4)
        for server in (a, b):
            assert (await server.client.get("/events", headers=ann["headers"])).status_code == 429
        await stack.aclose()
        await eventually_opens(b.client, ann)


async def test_a_dead_processs_streams_lapse_in_redis(redis_url):
    slots = StreamSlots(redis_url, limit=2, lease_seconds=2)
    try:
        assert (await slots.acquire(7)) is not None
        kept = await slots.acquire(7)
        assert kept is not None
        assert kept.shared
        assert await slots.acquire(7) is None
        # One is renewed (a live stream's heartbeat); the other, never released, lapses.
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with asyncio.timeout(WAIT):
            while (await slots.acquire(7)) is None:
                await slots.renew(kept)
                await asyncio.sleep(0.05)
        assert loop.time() - started >= 1.5
        assert await slots.acquire(7) is None  # the renewed one still counts
    finally:
        await slots.close()


async def test_without_redis_streams_are_counted_in_the_process(settings, caplog):
    caplog.set_level(logging.ERROR, logger="todo_app.events.service")
    unreachable = with_settings(
        settings, events_heartbeat_seconds=HEARTBEAT, redis_url="redis://127.0.0.1:1/0"
    )
    async with live_server(unreachable) as live, AsyncExitStack() as stack:
        ann = await make_user(live.client)
        await open_streams(stack, live.client, ann, MAX_STREAMS_PER_USER)
        assert (await live.client.get("/events", headers=ann["headers"])).status_code == 429
    assert "Redis unreachable" in caplog.text
