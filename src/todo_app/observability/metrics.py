"""Prometheus metrics: `GET /metrics` (text exposition format) behind METRICS_TOKEN.

Requests are counted by RequestMetrics, a plain ASGI middleware outside the access middleware, under
the route template that observability/access.py computes, never the raw path, so the number of
series stays bounded. The gauges (database pool, password-hash
queue, open event streams) are read from the objects that own them when a scrape comes: nothing
runs in the background.

With `todo-app serve --workers N` each worker is its own process: the CLI gives them a private
PROMETHEUS_MULTIPROC_DIR, prometheus-client keeps every counter and histogram in a file there, and
whichever worker answers a scrape adds all the files up. A gauge file holds what its worker last
wrote, so in that mode each worker also writes its gauges as each of its requests ends; its file is
removed when it stops (`mark_process_dead`), so the "livesum" gauges sum the workers alive.
"""

import hmac
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_app.observability.templates import route_template

if TYPE_CHECKING:
    from todo_app.db import Database
    from todo_app.events.hub import EventHub
    from todo_app.security import PasswordHasher

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"
# Seconds. The list route answers in about a millisecond; a bcrypt login takes ~0.25 s at cost 12.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Any other method a client sends is counted as OTHER: a label value must not be the client's choice.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NOT_AUTHENTICATED = "Not authenticated"


def multiprocess_dir() -> str | None:
    """The directory of `serve --workers N` (set by the CLI before the workers start), else None."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """One app's metric families, in a registry of its own (tests build many apps per process)."""

    def __init__(self, *, database: "Database", hasher: "PasswordHasher", hub: "EventHub") -> None:
        self._database, self._hasher, self._hub = database, hasher, hub
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "todo_http_requests", "HTTP requests answered, by route template.",
            ("method", "route", "status"), registry=r,
        )  # fmt: skip
        self.duration = Histogram(
            "todo_http_request_duration_seconds",
            "Time from a request's arrival to its response's end, by route template.",
            ("method", "route"), buckets=BUCKETS, registry=r,
        )  # fmt: skip
        self.refusals = Counter(
            "todo_rate_limit_refusals", "Requests refused with 429 by a rate limit.", ("limit",), registry=r
        )
        # Reminders that fell due, counted by the process that claimed them (notifications/).
        self.reminders_sent = Counter(
            "todo_reminders_sent", "Reminders that became notifications (late ones included).", registry=r
        )
        self.reminders_late = Counter(
            "todo_reminders_late",
            "Of the reminders sent, those claimed late (no process was running).",
            registry=r,
        )
        self.reminders_missed = Counter(
            "todo_reminders_missed",
            "Reminders more than a day late: recorded as missed, not sent.",
            registry=r,
        )
        self.emails_sent = Counter(
            "todo_reminder_emails_sent", "Reminder emails the SMTP server accepted.", registry=r
        )
        self.emails_failed = Counter(
            "todo_reminder_emails_failed",
            "Reminder email attempts that failed (each retry counts).",
            registry=r,
        )

        def gauge(name: str, documentation: str) -> Gauge:
            return Gauge(name, documentation, registry=r, multiprocess_mode="livesum")

        self.pool_size = gauge("todo_db_pool_connections", "Database connections open in the pool.")
        self.pool_in_use = gauge("todo_db_pool_in_use", "Pooled database connections lent out.")
        self.pool_waiting = gauge("todo_db_pool_waiting", "Requests waiting for a database connection.")
        self.pool_max = gauge("todo_db_pool_max_connections", "The pool's limit (DB_POOL_SIZE).")
        self.hash_queue = gauge(
            "todo_password_hash_queue", "Password checks and hashes running or waiting for a thread."
        )
        self.streams = gauge("todo_event_streams_open", "Event streams (GET /events) open.")
        self._gauges = (
            self.pool_size, self.pool_in_use, self.pool_waiting, self.pool_max, self.hash_queue, self.streams,
        )  # fmt: skip
        self._last: tuple[int, ...] = (-1,) * len(self._gauges)  # none written yet
        # (method, route, status) -> (counter child, histogram child): `labels()` builds and locks
        # on every call; the handful of routes served make this dict small.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request done (RequestMetrics calls it for every request but the scrapes)."""
        if route == PATH:
            return
        key = (method if method in METHODS else "OTHER", route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(key[0], route, str(status)),
                self.duration.labels(key[0], route),
            )
        children[0].inc()
        children[1].observe(seconds)
        if self.multiprocess:
            self.refresh()

    def refused(self, limit: str) -> None:
        self.refusals.labels(limit).inc()

    def reminders_claimed(self, *, sent: int, late: int, missed: int) -> None:
        counters = ((self.reminders_sent, sent), (self.reminders_late, late), (self.reminders_missed, missed))
        for counter, count in counters:
            if count:
                counter.inc(count)

    def reminder_email(self, ok: bool) -> None:
        (self.emails_sent if ok else self.emails_failed).inc()

    def refresh(self) -> None:
        """Set each gauge from the object it describes. In multiprocess mode a set is a write to the
        worker's file, so values unchanged since the last refresh (most, between requests) are not
        written again."""
        pool = self._database.stats()
        values = (
            pool.size,
            pool.in_use,
            pool.waiting,
            self._database.pool_size,
            self._hasher.queue_length(),
            self._hub.open_streams,
        )
        for gauge, new, old in zip(self._gauges, values, self._last, strict=True):
            if new != old:
                gauge.set(new)
        self._last = values

    def exposition(self) -> bytes:
        self.refresh()
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()  # a new one per scrape, as prometheus-client asks
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)

    def process_stopped(self) -> None:
        """This worker's gauges stop counting (its counters and histograms stay in the sums)."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())


class RequestMetrics:
    """Outside even the access middleware, so every answer is counted, the 413s and 429s the inner
    middlewares give included. Plain ASGI, and added only when METRICS_TOKEN is set: without it
    nothing is recorded and nothing costs."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        status = 0  # the client left before any response

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = route_template(scope, root_path)
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started)


def endpoint(metrics: Metrics, token: str) -> Callable[[Request], Awaitable[Response]]:
    """The /metrics handler: the exposition for `Authorization: Bearer <METRICS_TOKEN>`, else 401.
    Async, so the gauges are read on the event loop that owns the objects they describe."""
    expected = token.encode()

    async def scrape(request: Request) -> Response:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # compare_digest: the time taken says nothing about how much of the token was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            return JSONResponse(
                {"detail": NOT_AUTHENTICATED}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return scrape
