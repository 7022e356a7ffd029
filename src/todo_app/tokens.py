"""JWT access tokens (python-jose, HS256): issue and verify. No FastAPI, no database."""

import hashlib
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jose import JWTError, jwt
from jose.exceptions import JOSEError

from todo_app.db.types import MAX_ID
from todo_app.validation import is_storable

ALGORITHM = "HS256"
_SUB = re.compile(r"[1-9][0-9]{0,18}")
_MAX_JTI = 64


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    exp: int
    revocation_key: str  # the `jti`, or a digest of the whole token when it carries no usable one
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


def decode_access_token(token: str, *, keys: Sequence[str]) -> TokenClaims:
    """Claims of a valid token: HS256 only, signed with one of `keys` (the current secret first, then
    the previous one during a rotation), `exp` and `sub` required, `nbf` honoured."""
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"require_exp": True, "require_sub": True}
            )
            break
        except (JWTError, JOSEError, ValueError, TypeError, KeyError):
            continue
    if claims is None:
        raise InvalidToken("not a valid token")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _SUB.fullmatch(sub) or int(sub) > MAX_ID:
        raise InvalidToken("bad subject")
    version = claims.get("ver", 0)
    if type(version) is not int or not 0 <= version <= MAX_ID:
        raise InvalidToken("bad version")
    jti = claims.get("jti")
    if not (isinstance(jti, str) and 0 < len(jti) <= _MAX_JTI and is_storable(jti)):
        jti = hashlib.sha256(token.encode()).hexdigest()
    return TokenClaims(user_id=int(sub), exp=int(claims["exp"]), revocation_key=jti, version=version)


class TokenVerifier:
    """decode_access_token with a memory of recent successes.

    Verifying a signature is a pure function of the token and the keys, so a token that passed once
    only needs its expiry checked on later uses (jose's rule: valid while exp >= now). This takes JWT
    decoding, about a tenth of an authenticated request's CPU, off the hot path. Revocation is not
    decided here: the caller checks it against the database on every request.
    """

    def __init__(self, keys: Sequence[str], *, size: int = 4096) -> None:
        self._keys = tuple(keys)
        self._size = size
        self._known: dict[str, TokenClaims] = {}

    def verify(self, token: str) -> TokenClaims:
        claims = self._known.get(token)
        if claims is None:
            claims = decode_access_token(token, keys=self._keys)
            if len(self._known) >= self._size:
                del self._known[next(iter(self._known))]  # oldest first
            self._known[token] = claims
        if claims.exp < int(time.time()):
            self._known.pop(token, None)
            raise InvalidToken("expired")
        return claims
