"""The request being served, as far as logs need to know it: its id and, once authenticated, its
user. Held in a context variable, so every log line written while serving the request (in the
event loop or a worker thread) carries the id, and code far from the request (deps.session_from_token,
called by a dependency, the idempotency middleware and /events alike) can note the user without
being handed the request.

The id is the caller's `X-Request-ID` when that is 1-128 characters of `[A-Za-z0-9._-]` (so a proxy's
id follows the request through), a new random one otherwise: a value with spaces, quotes or control
characters would make log lines ambiguous, and an unbounded one would let a caller bloat them.
"""

import logging
import re
import secrets
from collections.abc import Iterable
from contextvars import ContextVar, Token

HEADER = b"x-request-id"
_VALID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


class RequestContext:
    """Mutable on purpose: the middleware keeps a reference and reads `user_id` after the app has
    run, while the app (in a copy of the context) may have set it."""

    __slots__ = ("request_id", "user_id")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.user_id: int | None = None


_current: ContextVar[RequestContext | None] = ContextVar("todo_app_request", default=None)


def current() -> RequestContext | None:
    """The request being served here, or None outside a request (start-up, scheduler jobs)."""
    return _current.get()


def enter(request_id: str) -> tuple[RequestContext, Token[RequestContext | None]]:
    context = RequestContext(request_id)
    return context, _current.set(context)


def leave(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def note_user(user_id: int) -> None:
    """The request was authenticated as this user (for its access line); outside a request, nothing."""
    context = _current.get()
    if context is not None:
        context.user_id = user_id


def choose_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID if it sent exactly one acceptable value, else a new uuid4-sized hex."""
    values = [value for name, value in headers if name == HEADER]
    if len(values) == 1 and _VALID.fullmatch(values[0]):
        return values[0].decode("ascii")
    return secrets.token_hex(16)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (None outside a request). On the handler, so
    it sees the records of every logger, uvicorn's included."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.request_id = context.request_id if context is not None else None
        return True
