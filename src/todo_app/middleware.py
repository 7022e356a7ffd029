"""HTTP-wide guards: response headers, a last-resort 500, the request body limit, CORS, the /auth
door; outside them all, the request id and access line (observability/access.py). Plain ASGI, so
they cost next to nothing on the hot path."""

import json
import logging

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_app.config import Settings
from todo_app.idempotency.middleware import Idempotency
from todo_app.observability import request_id
from todo_app.observability.access import RequestLog
from todo_app.observability.templates import route_template
from todo_app.ratelimit import AuthLimits
from todo_app.users.guard import AuthGuard

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = b'{"detail":"Request body too large (limit: 1 MiB)"}'
INTERNAL_ERROR = "Internal server error"


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` everywhere; `Cache-Control: no-store` on /auth/*, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_auth = scope["path"] == "/auth" or scope["path"].startswith("/auth/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if is_auth:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CatchAll:
    """An exception nothing else handled: logged once, with its traceback, and answered with a bare
    JSON 500 (no internals; only the request id, by which an operator finds that traceback) that
    still passes through SecurityHeaders. Starlette's own last resort would log it and re-raise it
    to the server, which logs it again, and it sits outside every middleware, so its 500 carried
    none of the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # (the route's template, not its path: a path can hold a secret, as the calendar feed's does)
            template = route_template(scope, scope.get("root_path", ""))
            log.exception("unhandled error on %s %s", scope["method"], template)
            if not started:  # else too late for a 500; the server closes the half-sent response
                await _send_json(send, 500, _internal_error_body(), (b"cache-control", b"no-store"))


def _internal_error_body() -> bytes:
    context = request_id.current()
    body = {"detail": INTERNAL_ERROR}
    if context is not None:
        body["request_id"] = context.request_id
    return json.dumps(body, separators=(",", ":")).encode()


class BodyLimit:
    """413 for bodies over MAX_BODY_BYTES, decided before anything parses them: by Content-Length when
    sent, else by reading (at most the limit plus one chunk) ahead of the application."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await _too_large(send)
                return
            if b"transfer-encoding" not in headers:
                await self.app(scope, receive, send)  # the server reads exactly Content-Length bytes
                return
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS") and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            size += len(message.get("body", b""))
            if size > self.limit:
                await _too_large(send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], then=receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _send_json(send: Send, status: int, body: bytes, *extra: tuple[bytes, bytes]) -> None:
    """A whole JSON response written straight to ASGI, for answers given before (or instead of)
    the application."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send) -> None:
    await _send_json(send, 413, TOO_LARGE)


def install_middleware(app: FastAPI, *, settings: Settings, limits: AuthLimits) -> None:
    """Outermost first: the request id and access line (so every line logged inside has the id,
    and every response, whoever answers it, carries it), headers on every response (500s, 413s and
    CORS preflights too), the last resort for errors, CORS, the /auth door (it counts what the body
    limit refuses too), the body limit, then idempotency keys (they buffer only bodies within the
    limit)."""
    app.add_middleware(Idempotency, state=app.state)
    app.add_middleware(BodyLimit)
    app.add_middleware(
        AuthGuard, limits=limits, trusted=settings.trusted_proxies, origins=settings.cors_origins
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "Last-Event-ID",
                "X-Request-ID",
            ],
            expose_headers=[
                "X-Total-Count",
                "Retry-After",
                "ETag",
                "Link",
                "Idempotent-Replayed",
                "X-Request-ID",
                "X-Unread-Count",
            ],
            max_age=600,
        )
    app.add_middleware(CatchAll)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog, trusted=settings.trusted_proxies, access_log=settings.log_access)
