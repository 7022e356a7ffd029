"""Password hashing (bcrypt through passlib): no FastAPI, no database."""

import os
import re
from functools import cache

from anyio import CapacityLimiter
from passlib.context import CryptContext

BCRYPT_MAX_BYTES = 72
_BCRYPT_COST = re.compile(r"\$2[abxy]?\$(\d\d)\$")


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
        self.rounds = rounds
        self._context = CryptContext(schemes=["bcrypt"], bcrypt__rounds=rounds)
        self._dummies: dict[int, str] = {}
        self._limiter: CapacityLimiter | None = None

    @property
    def limiter(self) -> CapacityLimiter:
        """Threads allowed to hash at once: one core is always left to the event loop."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(max(1, (os.cpu_count() or 2) - 1))
        return self._limiter

    def queue_length(self) -> int:
        """Hashes running plus those waiting for a thread: how far logins are backed up (metrics)."""
        if self._limiter is None:
            return 0
        stats = self._limiter.statistics()
        return stats.borrowed_tokens + stats.tasks_waiting

    def hash(self, password: str) -> str:
        if not is_hashable(password):
            raise ValueError("password is not hashable by bcrypt")
        hashed: str = self._context.hash(password)
        return hashed

    def verify(
        self, password: str, hashed: str | None, *, cost_like: str | None = None
    ) -> tuple[bool, str | None]:
        """(matches, new hash to store when the stored one uses other rounds, else None).

        Without a stored hash (no such account) a dummy hash is verified instead, at the cost of
        `cost_like` (another account's hash) when given: accounts keep their hash's cost until
        their owner next signs in, so after a BCRYPT_ROUNDS change an unknown email must cost
        what real accounts cost, not what the new setting costs."""
        if hashed is None or not is_hashable(password):
            self._context.verify("dummy password", self.dummy_hash(bcrypt_cost(hashed or cost_like)))
            return False, None
        verdict: tuple[bool, str | None] = self._context.verify_and_update(password, hashed)
        return verdict

    def dummy_hash(self, rounds: int | None = None) -> str:
        rounds = rounds or self.rounds
        dummy = self._dummies.get(rounds)
        if dummy is None:
            dummy = self._dummies[rounds] = (
                self._context.handler().using(rounds=rounds).hash("dummy password")
            )
        return dummy


def bcrypt_cost(hashed: str | None) -> int | None:
    """The cost a bcrypt hash was made with (`$2b$12$...` -> 12), or None for anything else."""
    match = _BCRYPT_COST.match(hashed or "")
    cost = int(match.group(1)) if match else 0
    return cost if 4 <= cost <= 31 else None


def is_hashable(password: str) -> bool:
    """bcrypt takes at most 72 bytes and no NUL; anything else must never reach it."""
    try:
        encoded = password.encode()
    except UnicodeEncodeError:
        return False
    return len(encoded) <= BCRYPT_MAX_BYTES and b"\x00" not in encoded
