"""Request -> database connection and request -> user. The only place that turns a request into a user."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from todo_app.config import Settings
from todo_app.errors import Unauthorized
from todo_app.security import InvalidToken, PasswordHasher, decode_access_token
from todo_app.users import service as users
from todo_app.users.models import UserPublic

# Reads `Authorization: Bearer <token>` (scheme case-insensitive) and gives /docs its Authorize button.
bearer_token = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


async def get_db(request: Request) -> AsyncIterator[AsyncConnection]:
    """One pooled connection for the request. The gate queues requests first-come first-served
    for a connection; the pool's own queue lets newcomers overtake waiters, which starves some
    requests for seconds under load."""
    state = request.app.state
    async with state.db_gate, state.engine.connect() as conn:
        yield conn


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_hasher(request: Request) -> PasswordHasher:
    return request.app.state.hasher


Db = Annotated[AsyncConnection, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Hasher = Annotated[PasswordHasher, Depends(get_hasher)]


async def get_current_user(
    db: Db, settings: SettingsDep, token: Annotated[str | None, Depends(bearer_token)]
) -> UserPublic:
    if not token:
        raise Unauthorized("Not authenticated")
    try:
        user_id = decode_access_token(token, secret=settings.jwt_secret.get_secret_value())
    except InvalidToken:
        raise Unauthorized("Invalid or expired token") from None
    user = await users.get(db, user_id=user_id)
    if user is None:
        raise Unauthorized("Invalid or expired token")
    return user


CurrentUser = Annotated[UserPublic, Depends(get_current_user)]
