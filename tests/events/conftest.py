"""A real server for event streams (httpx's ASGITransport buffers whole responses, so an endless
response needs a socket): uvicorn serving create_app(settings) on a free port, in the test's own
event loop; and a reader of Server-Sent Events with deadlines."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
import uvicorn

from todo_app.config import Settings
from todo_app.http_limits import LimitedHttpToolsProtocol
from todo_app.main import create_app

WAIT = 15.0  # generous: the machine is shared; only the cross-process test holds a 1 s bar
HEARTBEAT = 0.5


@dataclass
class Live:
    app: Any
    base_url: str
    client: httpx2.AsyncClient


def with_settings(settings: Settings, **overrides: object) -> Settings:
    return Settings(_env_file=None, **{**settings.model_dump(), **overrides})  # type: ignore[arg-type]


@asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[Live]:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http=LimitedHttpToolsProtocol,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(WAIT):
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped it
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx2.AsyncClient(base_url=base_url, timeout=httpx2.Timeout(WAIT, read=None)) as client:
            yield Live(app, base_url, client)
    finally:
        app.state.hub.drain()  # streams a failed test left open must not hold up the shutdown
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    async with live_server(with_settings(settings, events_heartbeat_seconds=HEARTBEAT)) as server:
        yield server


@dataclass
class Message:
    event: str | None = None
    data: str | None = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    received_at: float = 0.0  # (event loop time)


class EventReader:
    """The messages of one open `text/event-stream` response, each awaited with a deadline."""

    def __init__(self, response: httpx2.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()
        self.opening: Message | None = None  # the message every stream starts with (retry, id)

    async def message(self, within: float = WAIT) -> Message | None:
        """The next message (comments included); None once the server ended the stream."""
        message = Message()
        async with asyncio.timeout(within):
            async for line in self._lines:
                if line == "":
                    message.received_at = asyncio.get_running_loop().time()
                    return message
                if line.startswith(":"):
                    message.comments.append(line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                message.fields.append(name)
                if name in ("event", "data", "id"):
                    setattr(message, name, value)
        return None

    async def event(self, within: float = WAIT) -> Message | None:
        """The next message that is an event (skipping comments and the opening `id`)."""
        async with asyncio.timeout(within):
            while True:
                message = await self.message(within)
                if message is None or message.event is not None:
                    return message

    async def end(self, within: float = WAIT) -> list[Message]:
        """Every message until the server ends the stream."""
        seen = []
        async with asyncio.timeout(within):
            while (message := await self.message(within)) is not None:
                seen.append(message)
        return seen


@asynccontextmanager
async def open_stream(
    client: httpx2.AsyncClient, headers: dict[str, str] | None = None, **params: str
) -> AsyncIterator[EventReader]:
    """GET /events, asserting 200; the reader is past the opening message (retry, id)."""
    async with client.stream("GET", "/events", headers=headers or {}, params=params) as response:
        if response.status_code != 200:
            await response.aread()
            raise AssertionError(f"{response.status_code}: {response.text}")
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        opening = await reader.message()
        assert opening is not None
        assert opening.id is not None
        assert "retry" in opening.fields
        reader.opening = opening
        yield reader
