"""Request -> connection, client address, user. The only place that turns a request into a user."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.datastructures import State

from todo_app.config import Settings
from todo_app.db import Connection
from todo_app.errors import INVALID_TOKEN, Unauthorized
from todo_app.observability import request_id
from todo_app.ratelimit import AuthLimits, client_address
from todo_app.security import PasswordHasher
from todo_app.tokens import InvalidToken, TokenClaims
from todo_app.users import service as users
from todo_app.users.models import UserPublic

# Reads `Authorization: Bearer <token>` (scheme case-insensitive) and gives /docs its Authorize button.
bearer_token = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


async def get_db(request: Request) -> AsyncIterator[Connection]:
    """One pooled connection for the request (waiters are served first come, first served)."""
    async with request.app.state.db.connection() as conn:
        yield conn


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_hasher(request: Request) -> PasswordHasher:
    return cast(PasswordHasher, request.app.state.hasher)


async def get_limits(request: Request) -> AuthLimits:
    return cast(AuthLimits, request.app.state.limits)


async def get_client_address(request: Request) -> str:
    """The socket peer, or what a proxy listed in TRUSTED_PROXIES says the client was."""
    peer = request.client.host if request.client else None
    trusted = request.app.state.settings.trusted_proxies
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)


Db = Annotated[Connection, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Hasher = Annotated[PasswordHasher, Depends(get_hasher)]
Limits = Annotated[AuthLimits, Depends(get_limits)]
ClientAddress = Annotated[str, Depends(get_client_address)]


@dataclass(frozen=True)
class Session:
    """The signed-in user and the token they are using."""

    user: UserPublic
    token: TokenClaims


async def session_from_token(state: State, db: Connection, token: str) -> Session | None:
    """The session a bearer token stands for; None for a token that is malformed, expired, signed
    with another key, signed out, of an older generation, or whose user is gone. Shared by
    get_session and the middleware that must know the user before the app runs (idempotency keys).
    A session found is noted for the request's access line (observability/request_id.py): the
    user id is already at hand here, so the line costs no query of its own."""
    try:
        claims = state.tokens.verify(token)
    except InvalidToken:
        return None
    owner = await users.for_token(db, user_id=claims.user_id, jti=claims.jti)
    if owner is None or owner.revoked or owner.token_version != claims.version:
        return None
    request_id.note_user(owner.user.id)
    return Session(owner.user, claims)


async def get_session(
    request: Request, db: Db, token: Annotated[str | None, Depends(bearer_token)]
) -> Session:
    if not token:
        raise Unauthorized("Not authenticated")
    session = await session_from_token(request.app.state, db, token)
    if session is None:
        raise Unauthorized(INVALID_TOKEN)
    return session


async def get_current_user(session: Annotated[Session, Depends(get_session)]) -> UserPublic:
    return session.user


CurrentSession = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[UserPublic, Depends(get_current_user)]
