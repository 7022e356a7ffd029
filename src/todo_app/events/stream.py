"""One open event stream: the change feed (sync/feed.py) as Server-Sent Events, from a position on.

The stream holds no database connection while it waits. It takes one each time it is woken (its
user's tasks changed: events/hub.py) and at each heartbeat, to re-check its token and read the feed
from where it got to, then gives it back before it sends anything. It ends when the token is
signed out, revoked or expires, when the client goes, or when the hub drains (shutdown).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
from pydantic_core import to_json
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from todo_app.db import DatabaseUnavailable
from todo_app.events import service
from todo_app.events.hub import EventHub
from todo_app.events.service import Slot, StreamAuth
from todo_app.sync import feed
from todo_app.sync.feed import Change, Position

log = logging.getLogger(__name__)

BATCH = 200  # changes read per round trip
RETRY_MILLISECONDS = 2000  # how long EventSource waits before reconnecting
EVENT_OF_KIND = {
    "created": "task.created",
    "updated": "task.updated",
    "restored": "task.restored",
    "deleted": "task.deleted",
    "purged": "task.deleted",
}
HEARTBEAT = b": keep-alive\n\n"
RESET = b"event: reset\ndata: {}\n\n"
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # (nginx: do not buffer)


def message(event: str, data: Any, event_id: str | None = None) -> bytes:
    """One SSE message; JSON data is one line (to_json escapes newlines inside strings)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\n".encode() + b"data: " + to_json(data) + b"\n\n"


class EventStream:
    def __init__(
        self, hub: EventHub, *, auth: StreamAuth, slot: Slot, start: Position, secret: bytes
    ) -> None:
        self._hub = hub
        self._auth = auth
        self._slot = slot
        self._position = start
        self._secret = secret
        self._subscription = hub.subscribe(auth.user_id)  # before the first read: nothing slips by
        self._closed = False

    def _cursor(self, position: Position) -> str:
        return feed.encode_cursor(position, secret=self._secret, owner=self._auth.user_id)

    def _event(self, change: Change) -> bytes:
        data = change.task if change.task is not None else {"id": change.position.task_id}
        # (a change whose task is gone since counts as deleted, whatever its kind was)
        kind = change.kind if change.task is not None else "deleted"
        return message(EVENT_OF_KIND.get(kind, "task.updated"), data, self._cursor(change.position))

    async def body(self) -> AsyncIterator[bytes]:
        # An `id` alone sets the client's Last-Event-ID without an event: a reconnection before the
        # first change resumes from here too.
        yield f": stream open\nretry: {RETRY_MILLISECONDS}\nid: {self._cursor(self._position)}\n\n".encode()
        loop = asyncio.get_running_loop()
        beat_at = loop.time() + self._hub.heartbeat_seconds
        while not self._hub.closing:
            if loop.time() >= beat_at:
                yield HEARTBEAT
                await self._hub.slots.renew(self._slot)
                beat_at = loop.time() + self._hub.heartbeat_seconds
            self._subscription.event.clear()  # a wake from here on means another read
            try:
                changes = await self._read()
            except _Revoked:
                return
            except DatabaseUnavailable as exc:  # keep the stream; read again at the next wake or beat
                log.warning("event stream: database unavailable (%s)", exc)
                changes = []
            if changes:
                self._position = changes[-1].position
                yield b"".join(self._event(change) for change in changes)
                if len(changes) == BATCH:
                    continue
            await self._sleep_until(beat_at)

    async def _read(self) -> list[Change]:
        async with self._hub.database.connection() as db:
            if not await service.still_valid(db, self._auth):
                raise _Revoked()
            return await feed.changes_since(db, user_id=self._auth.user_id, after=self._position, limit=BATCH)

    async def _sleep_until(self, deadline: float) -> None:
        """Until woken (a change, or the hub draining) or `deadline` (loop time)."""
        try:
            async with asyncio.timeout_at(deadline):
                await self._subscription.event.wait()
        except TimeoutError:
            pass

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._hub.unsubscribe(self._subscription)
        await self._hub.slots.release(self._slot)


class _Revoked(Exception):
    """The stream's token is no longer accepted."""


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` that, however it ends (finished, client gone, server stopping), closes
    its stream: the subscription and the place it held among the user's streams."""

    media_type = "text/event-stream"

    def __init__(self, stream: EventStream) -> None:
        super().__init__(stream.body(), headers=HEADERS)
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.body_iterator.aclose()  # type: ignore[attr-defined]
                await self._stream.close()
