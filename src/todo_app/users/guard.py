"""The door in front of /auth/login and /auth/signup, before anything parses the request.

- Every request is counted against its address (RATE_LIMIT_AUTH_PER_MINUTE), malformed ones too:
  FastAPI rejects a body it cannot parse before any dependency would run.
- A request that a browser sent from another site (an `Origin` that is neither this service's own
  nor listed in CORS_ORIGINS) is refused with 403 and counts against nobody. Otherwise any web page
  could make its visitors' browsers post sign-ins (a form post needs no CORS preflight) and use up
  the failure budget of the visitor's own account from the visitor's own address.
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from todo_app.errors import TooManyRequests
from todo_app.ratelimit import AuthLimits, Network, client_address, is_trusted_proxy

GUARDED_PATHS = frozenset({"/auth/login", "/auth/signup"})
CROSS_SITE = "Sign-in and sign-up are not accepted from another site"


class AuthGuard:
    def __init__(
        self, app: ASGIApp, *, limits: AuthLimits, trusted: Sequence[Network], origins: Sequence[str]
    ) -> None:
        self.app = app
        self.limits = limits
        self.trusted = tuple(trusted)
        self.origins = frozenset(origin.lower() for origin in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in GUARDED_PATHS or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        peer = scope["client"][0] if scope.get("client") else None
        origin = headers.get("origin")
        if origin is not None and not self._same_site(origin, headers, peer):
            await JSONResponse({"detail": CROSS_SITE}, status_code=403)(scope, receive, send)
            return
        address = client_address(peer, headers.getlist("x-forwarded-for"), self.trusted)
        try:
            await self.limits.count_request(address)
        except TooManyRequests as exc:
            response = JSONResponse({"detail": exc.detail}, status_code=429, headers=exc.headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _same_site(self, origin: str, headers: Headers, peer: str | None) -> bool:
        origin = origin.strip().lower()
        if origin in self.origins:
            return True
        host = headers.get("host", "")
        if is_trusted_proxy(peer, self.trusted):  # the proxy says which host the browser asked for
            host = headers.get("x-forwarded-host", host).split(",")[0]
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return (
            parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc == host.strip().lower()
        )
