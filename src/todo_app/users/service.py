"""Accounts: create, look up, authenticate. Password hashing never runs on the event loop."""

from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from todo_app.errors import Conflict, Unauthorized
from todo_app.security import MAX_ID, PasswordHasher
from todo_app.users.models import User, UserPublic
from todo_app.validation import is_storable

PUBLIC_COLUMNS = (User.id, User.email, User.created_at)
BAD_CREDENTIALS = "Incorrect email or password"
GET = select(*PUBLIC_COLUMNS).where(User.id == bindparam("user_id"))  # runs on every authenticated request


async def get(db: AsyncConnection, *, user_id: int) -> UserPublic | None:
    if not 1 <= user_id <= MAX_ID:
        return None
    row = (await db.execute(GET, {"user_id": user_id})).first()
    return UserPublic.model_validate(row._mapping) if row else None


async def create(db: AsyncConnection, hasher: PasswordHasher, *, email: str, password: str) -> UserPublic:
    hashed = await to_thread.run_sync(hasher.hash, password, limiter=hasher.limiter)
    stmt = insert(User).values(email=email, hashed_password=hashed, created_at=datetime.now(UTC))
    try:
        row = (await db.execute(stmt.returning(*PUBLIC_COLUMNS))).one()
    except IntegrityError:
        raise Conflict("An account with this email already exists") from None
    return UserPublic.model_validate(row._mapping)


async def authenticate(
    db: AsyncConnection, hasher: PasswordHasher, *, email: str, password: str
) -> UserPublic:
    """The user whose password this is; one identical 401 for unknown emails and wrong passwords."""
    email = email.strip().lower()
    found = None
    if is_storable(email):
        stmt = select(*PUBLIC_COLUMNS, User.hashed_password).where(User.email == email)
        found = (await db.execute(stmt)).first()
    hashed = found.hashed_password if found else None
    ok, new_hash = await to_thread.run_sync(hasher.verify, password, hashed, limiter=hasher.limiter)
    if not ok or found is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if new_hash is not None:  # BCRYPT_ROUNDS changed since this hash was made
        await db.execute(update(User).where(User.id == found.id).values(hashed_password=new_hash))
    return UserPublic(id=found.id, email=found.email, created_at=found.created_at)
