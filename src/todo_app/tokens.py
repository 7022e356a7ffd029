"""JWT access tokens (python-jose, HS256): issue and verify. No FastAPI, no database."""

import hashlib
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt
from jose.exceptions import JOSEError

from todo_app.db.types import MAX_ID

ALGORITHM = "HS256"
_SUB = re.compile(r"[1-9][0-9]{0,18}")
_JTI = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Three base64url segments without padding. python-jose's decoder skips any character outside the
# alphabet, so without this check a valid token padded with junk (megabytes of it) still verifies.
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# Ours are ~300 characters; the longest email still keeps a token under 2,000.
MAX_TOKEN_CHARS = 4096
# Last valid timestamp of year 9999: later values are not times datetime (or PostgreSQL) can hold.
MAX_TIMESTAMP = 253_402_300_799
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Bits the last character of a segment carries beyond the data, by segment length mod 4.
_UNUSED_BITS_MASK = {0: 0, 2: 0b1111, 3: 0b11}


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    exp: int
    jti: str  # what sign-out revokes
    version: int  # the owner's token generation when issued; "sign out everywhere" moves it on


class InvalidToken(Exception):
    """The bearer token is unusable; callers answer 401 without saying why."""


def create_access_token(
    *, user_id: int, email: str, version: int, secret: str, lifetime: timedelta, now: datetime | None = None
) -> IssuedToken:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    claims = {
        "sub": str(user_id),
        "email": email,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": secrets.token_urlsafe(16),
        "ver": version,
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=ALGORITHM), int(lifetime.total_seconds()))


def is_canonical(token: str) -> bool:
    """Three unpadded base64url segments, each the one encoding of its bytes, of a sane length.

    Base64 has slack: the last character of a segment may carry unused low bits, and decoders
    ignore them (and python-jose skips foreign characters altogether), so one token has many
    spellings. Only the canonical one is accepted: one token, one string.
    """
    if len(token) > MAX_TOKEN_CHARS or not _SHAPE.fullmatch(token):
        return False
    for segment in token.split("."):
        rest = len(segment) % 4
        if rest == 1 or _B64URL.index(segment[-1]) & _UNUSED_BITS_MASK[rest]:
            return False
    return True


def _timestamp(claims: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = claims.get(name)
    if value is None and not required and name not in claims:
        return None
    if type(value) is not int or not 0 <= value <= MAX_TIMESTAMP:
        raise InvalidToken(f"bad {name}")
    return value


def decode_access_token(token: str, *, keys: Sequence[str]) -> TokenClaims:
    """Claims of a valid token: canonical form, HS256 only, signed with one of `keys` (the current
    secret first, then the previous one during a rotation), `exp`, `sub` and `jti` required, `nbf`
    honoured, every time claim a whole number of seconds within datetime's range."""
    if not is_canonical(token):
        raise InvalidToken("not a token")
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"require_exp": True, "require_sub": True}
            )
            break
        except (JWTError, JOSEError, ValueError, TypeError, KeyError, ArithmeticError):
            continue
    if not isinstance(claims, dict):
        raise InvalidToken("not a valid token")
    exp = _timestamp(claims, "exp", required=True)
    _timestamp(claims, "iat", required=False)
    _timestamp(claims, "nbf", required=False)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _SUB.fullmatch(sub) or int(sub) > MAX_ID:
        raise InvalidToken("bad subject")
    version = claims.get("ver", 0)
    if type(version) is not int or not 0 <= version <= MAX_ID:
        raise InvalidToken("bad version")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not _JTI.fullmatch(jti):
        raise InvalidToken("bad jti")
    assert exp is not None
    return TokenClaims(user_id=int(sub), exp=exp, jti=jti, version=version)


class TokenVerifier:
    """decode_access_token with a memory of recent successes.

    Verifying a signature is a pure function of the token and the keys, so a token that passed once
    only needs its expiry checked on later uses (jose's rule: valid while exp >= now). This takes JWT
    decoding, about a tenth of an authenticated request's CPU, off the hot path. Entries are keyed by
    a 16-byte digest, so the memory is bounded by `size` whatever the tokens look like. Revocation is
    not decided here: the caller checks it against the database on every request.
    """

    def __init__(self, keys: Sequence[str], *, size: int = 4096) -> None:
        self._keys = tuple(keys)
        self._size = size
        self._known: dict[bytes, TokenClaims] = {}

    def verify(self, token: str) -> TokenClaims:
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("too long")
        key = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        claims = self._known.get(key)
        if claims is None:
            claims = decode_access_token(token, keys=self._keys)
            if len(self._known) >= self._size:
                del self._known[next(iter(self._known))]  # oldest first
            self._known[key] = claims
        if claims.exp < int(time.time()):
            self._known.pop(key, None)
            raise InvalidToken("expired")
        return claims
