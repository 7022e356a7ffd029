"""The outermost middleware: gives each request its id (request_id.py), returns it as `X-Request-ID`
on every response, the ones the other middlewares answer themselves included, and writes the
request's access line once the response is done.

uvicorn's own access line is off: it cost a fifth of the list route's throughput, and it names the
raw path with its query string. This one is plain ASGI and builds nothing unless the line will be
written (LOG_ACCESS on, `todo_app.access` enabled for INFO). It names the route template
(`/tasks/{task_id}`), never the raw path, so no id or query value becomes part of a label; a request
no route took (an unknown path, or one answered before routing: a 413, a 429 at the /auth door, a
replayed idempotent answer) is `<unmatched>`. Status 0 means the app sent no response (the client
left first).
"""

import functools
import logging
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_app.observability import request_id
from todo_app.observability.templates import route_template
from todo_app.ratelimit import Network, client_address

log = logging.getLogger("todo_app.access")


class RequestLog:
    def __init__(self, app: ASGIApp, *, trusted: Sequence[Network] = (), access_log: bool = True) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context, token = request_id.enter(request_id.choose_id(scope["headers"]))
        id_header = (request_id.HEADER, context.request_id.encode("ascii"))
        root_path = scope.get("root_path", "")
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log and log.isEnabledFor(logging.INFO):
                self._write(scope, root_path, status, time.perf_counter() - started, context.user_id)
            request_id.leave(token)

    def _write(self, scope: Scope, root_path: str, status: int, seconds: float, user_id: int | None) -> None:
        peer = scope.get("client")
        peer_host = peer[0] if peer else None
        if self.trusted:
            forwarded = [
                value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
            ]
            client = client_address(peer_host, forwarded, self.trusted)
        else:
            client = _direct_client(peer_host)
        fields = {
            "method": scope["method"],
            "route": route_template(scope, root_path),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "client": client,
        }
        args: tuple[int, ...]
        if user_id is None:
            text, args = "%s %s %s %.2fms client=%s", ()
        else:
            text, args = "%s %s %s %.2fms client=%s user_id=%s", (user_id,)
            fields["user_id"] = user_id
        summary = (fields["method"], fields["route"], status, fields["duration_ms"], client, *args)
        # makeRecord + handle is log.info without its stack walk for the caller's file and line,
        # which no line format shows.
        log.handle(
            log.makeRecord(log.name, logging.INFO, __file__, 0, text, summary, None, extra={"fields": fields})
        )


@functools.lru_cache(maxsize=4096)
def _direct_client(peer: str | None) -> str:
    """The client address when no proxy is trusted: the peer, normalised. Remembered, since the
    same few addresses (a load balancer, keep-alive clients) make most requests."""
    return client_address(peer, (), ())
