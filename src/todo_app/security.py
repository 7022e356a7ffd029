"""Password hashing and JWT access tokens: pure functions, no FastAPI, no database."""

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from anyio import CapacityLimiter
from jose import JWTError, jwt
from jose.exceptions import JOSEError
from passlib.context import CryptContext

ALGORITHM = "HS256"
BCRYPT_MAX_BYTES = 72
MAX_ID = 2**63 - 1
_SUB = re.compile(r"[1-9][0-9]{0,18}")


class PasswordHasher:
    """bcrypt through passlib. Every verification costs one full bcrypt, found user or not,
    so a wrong password and an unknown email take the same time."""

    def __init__(self, rounds: int) -> None:
        self._context = CryptContext(schemes=["bcrypt"], bcrypt__rounds=rounds)
        self._dummy: str | None = None
        self._limiter: CapacityLimiter | None = None

    @property
    def limiter(self) -> CapacityLimiter:
        """Threads allowed to hash at once: one core is always left to the event loop."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(max(1, (os.cpu_count() or 2) - 1))
        return self._limiter

    def hash(self, password: str) -> str:
        if not is_hashable(password):
            raise ValueError("password is not hashable by bcrypt")
        return self._context.hash(password)

    def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """(matches, new hash to store when the stored one uses other rounds, else None)."""
        if hashed is None or not is_hashable(password):
            self._context.verify("dummy password", self.dummy_hash())
            return False, None
        return self._context.verify_and_update(password, hashed)

    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._context.hash("dummy password")
        return self._dummy


def is_hashable(password: str) -> bool:
    """bcrypt takes at most 72 bytes and no NUL; anything else must never reach it."""
    try:
        encoded = password.encode()
    except UnicodeEncodeError:
        return False
    return len(encoded) <= BCRYPT_MAX_BYTES and b"\x00" not in encoded


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class InvalidToken(Exception):
    """The bearer token is unusable; callers answer 401 without saying why."""


def create_access_token(
    *, user_id: int, email: str, secret: str, lifetime: timedelta, now: datetime | None = None
) -> IssuedToken:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    claims = {"sub": str(user_id), "email": email, "iat": issued, "exp": issued + lifetime}
    token = jwt.encode(claims, secret, algorithm=ALGORITHM)
    return IssuedToken(token, int(lifetime.total_seconds()))


def decode_access_token(token: str, *, secret: str) -> tuple[int, int]:
    """(user id, exp) of a valid token: HS256 only, signature, `exp` and `sub` required, `nbf` honoured."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require_exp": True, "require_sub": True}
        )
    except (JWTError, JOSEError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken(str(exc)) from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _SUB.fullmatch(sub) or int(sub) > MAX_ID:
        raise InvalidToken("bad subject")
    return int(sub), int(claims["exp"])


class TokenVerifier:
    """decode_access_token with a memory of recent successes.

    Verifying a signature is a pure function of the token and the secret, so a token that passed
    once only needs its expiry checked on later uses (jose's rule: valid while exp >= now). This
    takes JWT decoding, about a tenth of an authenticated request's CPU, off the hot path.
    """

    def __init__(self, secret: str, *, size: int = 4096) -> None:
        self._secret = secret
        self._size = size
        self._known: dict[str, tuple[int, int]] = {}

    def user_id(self, token: str) -> int:
        known = self._known.get(token)
        if known is None:
            known = decode_access_token(token, secret=self._secret)
            if len(self._known) >= self._size:
                del self._known[next(iter(self._known))]  # oldest first
            self._known[token] = known
        user_id, exp = known
        if exp < int(time.time()):
            self._known.pop(token, None)
            raise InvalidToken("expired")
        return user_id
