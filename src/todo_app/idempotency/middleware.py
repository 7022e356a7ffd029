"""`Idempotency-Key` (IETF draft) on the writes a client may have to retry without knowing whether
the first attempt arrived: every POST under /tasks, and the bulk PATCH and DELETE of /tasks.

A request on one of those routes with the header is served like this (any other request, and one
without the header, passes through untouched and costs no database work):
1. The bearer token is checked as `deps.get_session` checks it; without a valid one the request
   passes through untouched and the app answers 401 (nothing is stored: there is no user to store
   it for). Then a malformed key (not 1-255 visible ASCII characters, or the header sent twice) is
   answered 422.
2. The key is claimed for the caller (idempotency/service.py), with a fingerprint of method, path,
   query string and body. If the caller already used it: the stored answer again for the same
   request (with `Idempotent-Replayed: true`), 422 for a different one, 409 while the first is still
   being served.
3. The app serves the request; the claim's connection went back to the pool before it runs. Its
   answer is held whole (small JSON on these routes) and stored before it is sent, so a client that
   saw an answer gets that answer on retry.

What is stored: every answer below 500 except
- 401: the user vanished or signed out meanwhile, so there is nobody to store it for;
- 409 and 429: they describe a passing state (a conflict, a rate limit), so a retry should run again.
Those, 5xx answers and exceptions (answered 500 outside) release the key: a retry runs afresh (each
write is one transaction, so a 5xx normally means nothing was written). 2xx and the other 4xx
(validation errors, 404) are stored: retrying them would give the same answer anyway, and a
corrected request needs a new key. A request cancelled mid-way (client gone, server stopping) leaves
its claim pending, as a process that died would: whether it took effect is unknown, so the key is
refused as in progress until the claim is 60 s old, then the same request may take it over.
"""

import logging

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_app.db import DatabaseUnavailable, ForeignKeyViolation
from todo_app.deps import bearer_token, session_from_token
from todo_app.errors import AppError, Unprocessable
from todo_app.idempotency import service
from todo_app.idempotency.models import KEY_MAX
from todo_app.idempotency.service import Answer, Claim

log = logging.getLogger(__name__)

HEADER = b"idempotency-key"
REPLAYED = (b"idempotent-replayed", b"true")
# The response headers a replay repeats; the rest (date, security headers) are made afresh.
KEPT_HEADERS = frozenset({"content-type", "location", "etag", "link", "x-total-count"})
NOT_STORED = frozenset({401, 409, 429})
MALFORMED = f"The Idempotency-Key header must be sent once, as 1 to {KEY_MAX} visible ASCII characters"


def applies(method: str, path: str) -> bool:
    """The routes that honour the header: POST /tasks and below it, PATCH and DELETE of /tasks."""
    if method == "POST":
        return path == "/tasks" or path.startswith("/tasks/")
    return path == "/tasks" and method in ("PATCH", "DELETE")


def parse_key(values: list[bytes]) -> str | None:
    """The key, if the header was sent exactly once with 1..KEY_MAX characters in 0x21-0x7E."""
    if len(values) != 1 or not 1 <= len(values[0]) <= KEY_MAX:
        return None
    if any(byte < 0x21 or byte > 0x7E for byte in values[0]):
        return None
    return values[0].decode("ascii")


def storable(status_code: int) -> bool:
    return status_code < 500 and status_code not in NOT_STORED


class Idempotency:
    def __init__(self, app: ASGIApp, *, state: State) -> None:
        self.app = app
        self.state = state  # the app's: its database and token verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == HEADER]
        token = await bearer_token(Request(scope)) if values else None
        if not token:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        if body is None:  # the client left before sending it all
            await self.app(scope, _replay(messages, then=receive), send)
            return
        receive = _replay([{"type": "http.request", "body": body, "more_body": False}], then=receive)
        key = parse_key(values)
        try:
            claimed = await self._claim(scope, token, key, body)
        except AppError as exc:
            error = JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
            await error(scope, receive, send)
            return
        except DatabaseUnavailable as exc:
            await _unavailable(scope, receive, send, exc)
            return
        if claimed is None:
            await self.app(scope, receive, send)
            return
        user_id, outcome = claimed
        if isinstance(outcome, Answer):
            await _send_answer(send, outcome)
            return
        assert key is not None
        await self._serve(scope, receive, send, user_id=user_id, key=key, claim=outcome)

    async def _claim(
        self, scope: Scope, token: str, key: str | None, body: bytes
    ) -> tuple[int, Claim | Answer] | None:
        """The caller's id and the key's claim or stored answer; None when the app is to answer 401
        (no valid token, or the user deleted since). Raises AppError for a malformed, reused or busy
        key. The connection goes back to the pool on return."""
        async with self.state.db.connection() as db:
            session = await session_from_token(self.state, db, token)
            if session is None:
                return None
            if key is None:
                raise Unprocessable(MALFORMED)
            request = service.fingerprint(scope["method"], scope["path"], scope["query_string"], body)
            try:
                outcome = await service.claim(db, user_id=session.user.id, key=key, fingerprint=request)
            except ForeignKeyViolation:
                return None
            return session.user.id, outcome

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, *, user_id: int, key: str, claim: Claim
    ) -> None:
        """Run the app on a claimed key, keep (or release) its answer, then send it."""
        captured = _Captured()
        try:
            await self.app(scope, receive, captured.send)
        except Exception:
            await self._settle(user_id, key, claim, None)
            raise
        answer = captured.answer()
        await self._settle(user_id, key, claim, answer if answer and storable(answer.status_code) else None)
        await captured.forward(send)

    async def _settle(self, user_id: int, key: str, claim: Claim, answer: Answer | None) -> None:
        """Store the answer under the claim, or release the claim (answer None)."""
        try:
            async with self.state.db.connection() as db:
                if answer is None:
                    await service.release(db, user_id=user_id, key=key, claim=claim)
                elif not await service.store(db, user_id=user_id, key=key, claim=claim, answer=answer):
                    log.warning("user %s: an idempotency key's claim was lost before its answer", user_id)
        except DatabaseUnavailable as exc:  # the claim stays pending; the same request takes it over later
            log.error("user %s: an idempotency key could not be settled: %s", user_id, exc)


class _Captured:
    """An ASGI `send` that holds the whole response back."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def answer(self) -> Answer | None:
        if self.start is None:
            return None
        headers = [
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in self.start.get("headers", [])
        ]
        kept = [(name, value) for name, value in headers if name in KEPT_HEADERS]
        return Answer(self.start["status"], kept, b"".join(self.chunks))

    async def forward(self, send: Send) -> None:
        if self.start is None:
            return
        await send(self.start)
        await send({"type": "http.response.body", "body": b"".join(self.chunks)})


async def _send_answer(send: Send, answer: Answer) -> None:
    """A stored answer again, marked as a replay."""
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
    if answer.status_code >= 200 and answer.status_code not in (204, 304):
        headers.append((b"content-length", str(len(answer.body)).encode()))
    headers.append(REPLAYED)
    await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages received and the whole body; None for the body if the client disconnected."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replay(messages: list[Message], then: Receive) -> Receive:
    async def receive() -> Message:
        return messages.pop(0) if messages else await then()

    return receive


async def _unavailable(scope: Scope, receive: Receive, send: Send, exc: DatabaseUnavailable) -> None:
    """A database outage answered by the app's own handler (errors.py), as if a route had met it."""
    app = scope.get("app")
    handler = app.exception_handlers.get(DatabaseUnavailable) if app is not None else None
    if handler is None:
        raise exc
    response = await handler(Request(scope), exc)
    await response(scope, receive, send)
