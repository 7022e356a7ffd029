"""Accounts: sign up, authenticate, tokens' validity, password change, deletion.
Password hashing never runs on the event loop."""

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from anyio import to_thread
from sqlalchemy import BigInteger, Float, bindparam, cast, exists, func, insert, select, update
from sqlalchemy import delete as sql_delete  # (`delete` is this module's: the account's)
from sqlmodel import col

from todo_app.db import Connection, UniqueViolation
from todo_app.db.types import MAX_ID
from todo_app.errors import INVALID_TOKEN, BadRequest, Conflict, Unauthorized
from todo_app.security import PasswordHasher
from todo_app.tasks import reminders
from todo_app.users.models import RevokedToken, User, UserPublic

BAD_CREDENTIALS = "Incorrect email or password"
WRONG_PASSWORD = "The password is incorrect"  # noqa: S105 (a message)
PUBLIC_COLUMNS = (col(User.id), col(User.email), col(User.created_at), col(User.timezone))

# On every authenticated request: the user, their token generation, and whether this token was
# signed out, in one round trip.
FOR_TOKEN = select(
    *PUBLIC_COLUMNS,
    col(User.token_version),
    exists().where(col(RevokedToken.jti) == bindparam("jti")).label("revoked"),
).where(col(User.id) == bindparam("user_id"))
BY_EMAIL = select(*PUBLIC_COLUMNS, col(User.hashed_password), col(User.token_version)).where(
    col(User.email) == bindparam("email")
)
HASH_OF = select(col(User.hashed_password)).where(col(User.id) == bindparam("user_id"))
# An existing account's hash, chosen by `fraction` of the id range: its cost stands in for an
# unknown email's (see authenticate). One index probe.
_PICKED_ID = cast(
    select(func.max(col(User.id))).scalar_subquery() * bindparam("fraction", type_=Float), BigInteger
)
HASH_LIKE = (
    select(col(User.hashed_password)).where(col(User.id) >= _PICKED_ID).order_by(col(User.id)).limit(1)
)
CREATE = (
    insert(User)
    .values(email=bindparam("new_email"), hashed_password=bindparam("new_hash"), created_at=bindparam("now"))
    .returning(*PUBLIC_COLUMNS)
)
REHASH = (
    update(User).where(col(User.id) == bindparam("user_id")).values(hashed_password=bindparam("new_hash"))
)
NEW_PASSWORD = (
    update(User)
    .where(col(User.id) == bindparam("user_id"))
    .values(hashed_password=bindparam("new_hash"), token_version=col(User.token_version) + 1)
)
NEXT_GENERATION = (
    update(User).where(col(User.id) == bindparam("user_id")).values(token_version=col(User.token_version) + 1)
)
REVOKE = insert(RevokedToken).values(jti=bindparam("new_jti"), expires_at=bindparam("new_expires_at"))
FORGET_EXPIRED = sql_delete(RevokedToken).where(col(RevokedToken.expires_at) < bindparam("cutoff"))
# A token is accepted through the whole second of its `exp` (valid while exp >= now, in whole
# seconds), so its revocation is kept one second past it.
REVOCATION_GRACE = timedelta(seconds=1)
DELETE = sql_delete(User).where(col(User.id) == bindparam("user_id"))
SET_TIMEZONE = (
    update(User)
    .where(col(User.id) == bindparam("user_id"))
    .values(timezone=bindparam("new_timezone"))
    .returning(*PUBLIC_COLUMNS)
)


@dataclass(frozen=True)
class TokenOwner:
    user: UserPublic
    token_version: int
    revoked: bool


def _public(row: tuple[Any, ...]) -> UserPublic:
    return UserPublic(id=row[0], email=row[1], created_at=row[2], timezone=row[3])


async def for_token(db: Connection, *, user_id: int, jti: str) -> TokenOwner | None:
    if not 1 <= user_id <= MAX_ID:
        return None
    row = await db.first(FOR_TOKEN, {"user_id": user_id, "jti": jti})
    return TokenOwner(_public(row), row[4], bool(row[5])) if row else None


async def create(db: Connection, hasher: PasswordHasher, *, email: str, password: str) -> UserPublic:
    hashed = await to_thread.run_sync(hasher.hash, password, limiter=hasher.limiter)
    try:
        row = await db.first(CREATE, {"new_email": email, "new_hash": hashed, "now": datetime.now(UTC)})
    except UniqueViolation:
        raise Conflict("An account with this email already exists") from None
    assert row is not None
    return _public(row)


async def authenticate(
    db: Connection, hasher: PasswordHasher, *, email: str | None, password: str
) -> tuple[UserPublic, int]:
    """The user whose password this is, and their token generation. One identical 401 for unknown
    (or impossible: None) emails and wrong passwords, after the same bcrypt work: an unknown email
    is checked at the cost of an account picked by a digest of the email, so its timing follows
    the mix of costs real accounts have, also while a BCRYPT_ROUNDS change is rolling out."""
    found = await db.first(BY_EMAIL, {"email": email}) if email is not None else None
    hashed = found[4] if found else None
    like = None if found else await db.scalar(HASH_LIKE, {"fraction": _fraction(email or "")})
    verify = partial(hasher.verify, password, hashed, cost_like=like)
    ok, new_hash = await to_thread.run_sync(verify, limiter=hasher.limiter)
    if not ok or found is None:
        raise Unauthorized(BAD_CREDENTIALS)
    if new_hash is not None:  # BCRYPT_ROUNDS changed since this hash was made
        await db.all(REHASH, {"user_id": found[0], "new_hash": new_hash})
    return _public(found), found[5]


def _fraction(email: str) -> float:
    digest = hashlib.blake2b(email.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


async def check_password(db: Connection, hasher: PasswordHasher, *, user_id: int, password: str) -> None:
    """BadRequest unless `password` is this (signed-in) user's password."""
    hashed = await db.scalar(HASH_OF, {"user_id": user_id})
    ok, _ = await to_thread.run_sync(hasher.verify, password, hashed, limiter=hasher.limiter)
    if not ok:
        raise BadRequest(WRONG_PASSWORD)


async def change_password(db: Connection, hasher: PasswordHasher, *, user_id: int, new_password: str) -> None:
    """Store the new hash and move the token generation on: every earlier token stops working."""
    hashed = await to_thread.run_sync(hasher.hash, new_password, limiter=hasher.limiter)
    await db.all(NEW_PASSWORD, {"user_id": user_id, "new_hash": hashed})
    await _tokens_changed(db, user_id)


async def _tokens_changed(db: Connection, user_id: int) -> None:
    """Tell every process: the user's open event streams re-check their tokens now (events/hub.py),
    rather than at their next heartbeat."""
    await db.notify(f"{user_id}:revoked")


async def revoke_token(
    db: Connection, *, user_id: int, jti: str, expires_at: datetime, now: datetime | None = None
) -> None:
    """Refuse this one token from now on; ids of tokens that can no longer be used are dropped."""
    with suppress(UniqueViolation):  # signed out twice at once: already refused
        await db.all(REVOKE, {"new_jti": jti, "new_expires_at": expires_at})
    await db.all(FORGET_EXPIRED, {"cutoff": (now or datetime.now(UTC)) - REVOCATION_GRACE})
    await _tokens_changed(db, user_id)


async def revoke_all_tokens(db: Connection, *, user_id: int) -> None:
    await db.all(NEXT_GENERATION, {"user_id": user_id})
    await _tokens_changed(db, user_id)


async def delete(db: Connection, *, user_id: int) -> None:
    """The user and, by ON DELETE CASCADE, all their tasks."""
    await db.all(DELETE, {"user_id": user_id})
    await _tokens_changed(db, user_id)


async def update_profile(db: Connection, *, user_id: int, timezone: str) -> UserPublic:
    """A new time zone moves the owner's reminders that count back from a due time (same transaction,
    under the owner's row lock as task writes)."""
    async with db.transaction():
        row = await db.first(SET_TIMEZONE, {"user_id": user_id, "new_timezone": timezone})
        if row is None:  # deleted after this request was authenticated
            raise Unauthorized(INVALID_TOKEN)
        await reminders.rearm_user(db, user_id=user_id)
    return _public(row)
