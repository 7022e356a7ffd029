"""Password hashing (bcrypt through passlib): no FastAPI, no database."""

import os
from functools import cache

from anyio import CapacityLimiter
from passlib.context import CryptContext

BCRYPT_MAX_BYTES = 72


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public leaks, lower-cased.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    return password.lower() in _common_passwords()


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
