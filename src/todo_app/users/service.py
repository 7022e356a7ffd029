"""Accounts: create, look up, authenticate. Password hashing never runs on the event loop."""

from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy import bindparam, insert, select, update

from todo_app.db import Connection, UniqueViolation
from todo_app.errors import Conflict, Unauthorized
from todo_app.security import MAX_ID, PasswordHasher
from todo_app.users.models import User, UserPublic
from todo_app.validation import is_storable

BAD_CREDENTIALS = "Incorrect email or password"
PUBLIC_COLUMNS = (User.id, User.email, User.created_at)
GET = select(*PUBLIC_COLUMNS).where(User.id == bindparam("user_id"))  # on every authenticated request
BY_EMAIL = select(*PUBLIC_COLUMNS, User.hashed_password).where(User.email == bindparam("email"))
CREATE = (
    insert(User)
    .values(email=bindparam("new_email"), hashed_password=bindparam("new_hash"), created_at=bindparam("now"))
    .returning(*PUBLIC_COLUMNS)
)
REHASH = update(User).where(User.id == bindparam("user_id")).values(hashed_password=bindparam("new_hash"))


def _public(row: tuple) -> UserPublic:
    return UserPublic(id=row[0], email=row[1], created_at=row[2])


async def get(db: Connection, *, user_id: int) -> UserPublic | None:
    if not 1 <= user_id <= MAX_ID:
        return None
    row = await db.first(GET, {"user_id": user_id})
    return _public(row) if row else None


async def create(db: Connection, hasher: PasswordHasher, *, email: str, password: str) -> UserPublic:
    hashed = await to_thread.run_sync(hasher.hash, password, limiter=hasher.limiter)
    try:
        row = await db.first(CREATE, {"new_email": email, "new_hash": hashed, "now": datetime.now(UTC)})
    except UniqueViolation:
        raise Conflict("An account with this email already exists") from None
    assert row is not None
    return _public(row)


async def authenticate(db: Connection, hasher: PasswordHasher, *, email: str, password: str) -> UserPublic:
    """The user whose password this is; one identical 401 for unknown emails and wrong passwords."""
    email = email.strip().lower()
    found = await db.first(BY_EMAIL, {"email": email}) if is_storable(email) else None
    hashed = found[3] if found else None
    ok, new_hash = await to_thread.run_sync(hasher.verify, password, hashed, limiter=hasher.limiter)
    if not ok or found is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if new_hash is not None:  # BCRYPT_ROUNDS changed since this hash was made
        await db.all(REHASH, {"user_id": found[0], "new_hash": new_hash})
    return _public(found)
