"""One per process: hears that a user's tasks changed, in whichever process the write was served, and
wakes that user's event streams here (events/stream.py), which then read the change feed.

Every task write tells CHANGES_CHANNEL "<user id>:<change number>" once it commits (db/notices.py).
On PostgreSQL the hub holds one connection of its own outside the pool that LISTENs on the channel,
opened while this process has streams open (an idle service runs no query, so Neon can suspend it)
and opened again with backoff when it drops; every stream is woken after each (re)connection, since
notices may have been missed meanwhile. On SQLite (one process) it is one of the database's local
listeners.
"""

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import uvicorn

from todo_app.config import Settings
from todo_app.db import Database, parse_database_url
from todo_app.db.notices import CHANGES_CHANNEL
from todo_app.events.service import MAX_STREAMS_PER_USER, StreamSlots

log = logging.getLogger(__name__)
SignalHandler = Callable[[int, FrameType | None], Any]

APPLICATION_NAME = "todo-app events"  # how the LISTEN session shows in pg_stat_activity
PING_SECONDS = 30.0  # a LISTEN session quiet this long is probed with a query (a half-open TCP
PING_TIMEOUT_SECONDS = 10.0  # connection says nothing otherwise); it closes once no stream is open
RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS = 0.2, 10.0
STABLE_SECONDS = 10.0  # a session that lasted this long resets the backoff
LEASE_HEARTBEATS = 3  # a stream's entry in Redis lapses after this many missed heartbeats (+5 s)


def listen_url(database_url: str, migration_url: str | None = None) -> str:
    """Where to LISTEN: a session straight to PostgreSQL, as PgBouncer in transaction mode (Neon's
    `-pooler` hosts) does not carry LISTEN. MIGRATION_DATABASE_URL when set (on Neon, the direct
    URL), else DATABASE_URL; either way without `-pooler` in its host names."""
    parts = urlsplit(parse_database_url(migration_url or database_url).raw)
    userinfo, at, hosts = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{hosts.replace('-pooler.', '.')}"))


def notice_owner(payload: str) -> int | None:
    """The user id of a notice "<user id>:<anything>"; None for anything else."""
    owner, colon, _ = payload.partition(":")
    return int(owner) if colon and owner.isascii() and owner.isdigit() and len(owner) <= 19 else None


class Subscription:
    """One stream's doorbell: `event` is set when its user's tasks may have changed, or to end it."""

    __slots__ = ("event", "user_id")

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.event = asyncio.Event()


class EventHub:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.heartbeat_seconds = settings.events_heartbeat_seconds
        self.slots = StreamSlots(
            settings.redis_url,
            limit=MAX_STREAMS_PER_USER,
            lease_seconds=LEASE_HEARTBEATS * settings.events_heartbeat_seconds + 5,
        )
        self._url = (
            listen_url(settings.effective_database_url, settings.migration_database_url)
            if database.backend == "postgresql"
            else None
        )
        self._subscribers: dict[int, set[Subscription]] = {}
        self._wanted = asyncio.Event()  # set while any stream is open
        self._listener: asyncio.Task[None] | None = None
        self._signals: dict[int, tuple[SignalHandler, SignalHandler]] = {}
        self.closing = False
        self.sessions = 0  # LISTEN sessions opened so far
        self.open_streams = 0  # streams subscribed in this process (the metrics read it)

    # Streams

    def subscribe(self, user_id: int) -> Subscription:
        subscription = Subscription(user_id)
        self._subscribers.setdefault(user_id, set()).add(subscription)
        self.open_streams += 1
        self._wanted.set()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.user_id, set())
        if subscription in subscribers:
            self.open_streams -= 1
        subscribers.discard(subscription)
        if not subscribers:
            self._subscribers.pop(subscription.user_id, None)
        if not self._subscribers:
            self._wanted.clear()

    def notice(self, payload: str) -> None:
        """A change notice: wake the streams of the user it names."""
        owner = notice_owner(payload)
        for subscription in self._subscribers.get(owner, ()) if owner is not None else ():
            subscription.event.set()

    def wake_all(self) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.event.set()

    def drain(self) -> None:
        """End every stream (each finishes its response at once) and refuse new ones."""
        self.closing = True
        self.wake_all()

    # Lifecycle (main.create_app's lifespan)

    async def start(self) -> None:
        self.closing = False
        if self._url is None:
            self.database.local_listeners.append(self.notice)
        else:
            self._listener = asyncio.create_task(self._listen_forever(), name="events listener")
        self._drain_on_shutdown_signals()

    async def stop(self) -> None:
        self.drain()
        for sig, (previous, ours) in self._signals.items():
            if signal.getsignal(sig) is ours:
                signal.signal(sig, previous)
        self._signals.clear()
        with contextlib.suppress(ValueError):
            self.database.local_listeners.remove(self.notice)
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        await self.slots.close()

    def _drain_on_shutdown_signals(self) -> None:
        """uvicorn answers SIGINT/SIGTERM by waiting for every open response to finish before it
        runs the lifespan's shutdown (and so stop()): open streams would hold it up for good. So
        when uvicorn's handler is in place, the same signals drain the streams first."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if not callable(previous) or not isinstance(getattr(previous, "__self__", None), uvicorn.Server):
                continue

            def ours(signum: int, frame: FrameType | None, previous: SignalHandler = previous) -> None:
                loop.call_soon_threadsafe(self.drain)
                previous(signum, frame)

            try:
                signal.signal(sig, ours)
            except ValueError:  # not the main thread: uvicorn's handlers are not ours to wrap
                return
            self._signals[sig] = (previous, ours)

    # The LISTEN session (PostgreSQL)

    async def _listen_forever(self) -> None:
        assert self._url is not None
        delay = RECONNECT_MIN_SECONDS
        while True:
            await self._wanted.wait()
            started = asyncio.get_running_loop().time()
            try:
                await self._listen(self._url)
                continue  # no stream open here any more
            except (psycopg.Error, OSError, TimeoutError) as exc:
                log.warning("event notices: LISTEN session lost (%s)", exc)
            except Exception:
                log.exception("event notices: LISTEN session failed")
            if asyncio.get_running_loop().time() - started > STABLE_SECONDS:
                delay = RECONNECT_MIN_SECONDS
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 (not a secret)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _listen(self, url: str) -> None:
        """LISTEN until no stream is open here (returns) or the session fails (raises)."""
        conn = await psycopg.AsyncConnection.connect(
            url, autocommit=True, connect_timeout=10, application_name=APPLICATION_NAME
        )
        async with conn:
            await conn.execute(f"LISTEN {CHANGES_CHANNEL}")
            self.sessions += 1
            self.wake_all()  # whatever was written while nobody listened
            while self._subscribers:
                async with contextlib.aclosing(conn.notifies(timeout=PING_SECONDS)) as notices:
                    async for notice in notices:
                        self.notice(notice.payload)
                async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                    await conn.execute("SELECT 1")
