"""Request -> database connection and request -> user. The only place that turns a request into a user."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from todo_app.config import Settings
from todo_app.db import Connection
from todo_app.errors import Unauthorized
from todo_app.security import InvalidToken, PasswordHasher
from todo_app.users import service as users
from todo_app.users.models import UserPublic

# Reads `Authorization: Bearer <token>` (scheme case-insensitive) and gives /docs its Authorize button.
bearer_token = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


async def get_db(request: Request) -> AsyncIterator[Connection]:
    """One pooled connection for the request (waiters are served first come, first served)."""
    async with request.app.state.db.connection() as conn:
        yield conn


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_hasher(request: Request) -> PasswordHasher:
    return request.app.state.hasher


Db = Annotated[Connection, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Hasher = Annotated[PasswordHasher, Depends(get_hasher)]


async def get_current_user(
    request: Request, db: Db, token: Annotated[str | None, Depends(bearer_token)]
) -> UserPublic:
    if not token:
        raise Unauthorized("Not authenticated")
    try:
        user_id = request.app.state.tokens.user_id(token)
    except InvalidToken:
        raise Unauthorized("Invalid or expired token") from None
    user = await users.get(db, user_id=user_id)
    if user is None:
        raise Unauthorized("Invalid or expired token")
    return user


CurrentUser = Annotated[UserPublic, Depends(get_current_user)]
