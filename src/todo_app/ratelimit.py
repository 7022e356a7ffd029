"""Limits against password guessing (OWASP ASVS 6.1.1 / 6.3.1), shared by every process through
Redis when REDIS_URL is set, per process otherwise or while Redis is unreachable.

Counters are fixed windows: the first hit opens a window of N seconds; the count resets when it
closes. Nothing locks an account for good, so nobody can lock someone else out for longer than one
window, and only from their own address.
"""

import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from todo_app.errors import TooManyRequests

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REDIS_RETRY_SECONDS = 5.0  # after a Redis failure, count in-process this long before trying again
MEMORY_MAX_KEYS = 100_000


class MemoryCounters:
    """Fixed-window counters in this process."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, window end, monotonic)

    def incr(self, key: str, window: float) -> tuple[int, float]:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window
            if len(self._windows) >= MEMORY_MAX_KEYS:
                self._prune(now)
        self._windows[key] = (count + 1, ends)
        return count + 1, ends - now

    def get(self, key: str) -> tuple[int, float]:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        return (count, ends - now) if ends > now else (0, 0.0)

    def delete(self, key: str) -> None:
        self._windows.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, (_, ends) in self._windows.items() if ends <= now]:
            del self._windows[key]
        while len(self._windows) >= MEMORY_MAX_KEYS:  # still full of live windows: drop the oldest
            del self._windows[next(iter(self._windows))]


class Counters:
    """Redis when configured and reachable, else this process's memory. A Redis fault is logged and
    the service keeps serving: a limit counted per process is better than no service."""

    def __init__(self, redis_url: str | None) -> None:
        self.memory = MemoryCounters()
        self._redis = (
            Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5) if redis_url else None
        )
        self._redis_retry_at = 0.0

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def incr(self, key: str, window: float) -> tuple[int, float]:
        """(count in the current window including this hit, seconds until the window closes)"""
        redis = self._usable_redis()
        if redis is not None:
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(key)
                    pipe.expire(key, max(1, int(window)), nx=True)
                    pipe.pttl(key)
                    count, _, ttl_ms = await pipe.execute()
                return int(count), max(ttl_ms, 0) / 1000
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        return self.memory.incr(key, window)

    async def get(self, key: str) -> tuple[int, float]:
        redis = self._usable_redis()
        if redis is not None:
            try:
                async with redis.pipeline(transaction=False) as pipe:
                    pipe.get(key)
                    pipe.pttl(key)
                    count, ttl_ms = await pipe.execute()
                return int(count or 0), max(ttl_ms, 0) / 1000
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        return self.memory.get(key)

    async def delete(self, key: str) -> None:
        redis = self._usable_redis()
        if redis is not None:
            try:
                await redis.delete(key)
                return
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        self.memory.delete(key)

    def _usable_redis(self) -> Redis | None:
        if self._redis is None or time.monotonic() < self._redis_retry_at:
            return None
        return self._redis

    def _redis_failed(self, exc: Exception) -> None:
        log.error(
            "Redis unreachable (%s); counting rate limits in this process for %.0fs", exc, REDIS_RETRY_SECONDS
        )
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS


class AuthLimits:
    """The two limits on /auth: requests per client address, and failed logins per account+address.

    A login attempt reserves its place in the failure budget *before* the password is checked (one
    atomic increment) and gives it back only by succeeding, so however many attempts run at once,
    at most `failures` wrong guesses per window ever reach bcrypt.
    """

    def __init__(self, counters: Counters, *, failures: int, window_minutes: int, per_minute: int) -> None:
        self.counters = counters
        self.failures = failures
        self.window = window_minutes * 60
        self.per_minute = per_minute
        # Told the name of the limit each time one refuses a request (the metrics count them).
        self.on_refusal: Callable[[str], None] = _ignore

    async def count_request(self, address: str) -> None:
        """One request to /auth/login or /auth/signup; 429 past RATE_LIMIT_AUTH_PER_MINUTE."""
        if not self.per_minute:
            return
        count, ttl = await self.counters.incr(f"todo:rl:auth:{limit_key(address)}", 60)
        if count > self.per_minute:
            self.on_refusal("auth_per_minute")
            raise TooManyRequests("Too many requests from this address; try again shortly", retry_after=ttl)

    async def reserve_attempt(self, email: str, address: str) -> None:
        """Count this password check as a failure until it succeeds; 429 (and no check) once this
        account has used its failures from this address."""
        if not self.failures:
            return
        count, ttl = await self.counters.incr(self._failures_key(email, address), self.window)
        if count > self.failures:
            self.on_refusal("login_failures")
            raise TooManyRequests("Too many failed sign-in attempts; try again later", retry_after=ttl)

    async def clear_failures(self, email: str, address: str) -> None:
        """The right password: this account's failures from this address are forgiven."""
        if self.failures:
            await self.counters.delete(self._failures_key(email, address))

    @staticmethod
    def _failures_key(email: str, address: str) -> str:
        account = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"todo:rl:fail:{limit_key(address)}:{account}"


def _ignore(limit: str) -> None:
    """No metrics: a refusal is not counted."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    """An address as peers and proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]`, `[2001:db8::1]:443`; an IPv4-mapped IPv6 address becomes the IPv4 one."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
        try:
            address: Address = ipaddress.IPv6Address(host)
        except ValueError:
            return None
    else:
        if text.count(":") == 1:  # IPv4 with a port
            text, port = text.split(":")
            if not port.isdigit():
                return None
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def limit_key(address: str) -> str:
    """Who a limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's network: its owner
    has 2**64 addresses to rotate through)."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The address to hold responsible: the socket peer, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries to its left are the
    client's own words, so rotating them changes nothing."""
    seen = parse_address(peer) if peer else None
    if seen is None:
        return peer or "unknown"
    if not trusted or not _is_trusted(seen, trusted):
        return str(seen)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return str(seen)  # a proxy of ours would not have written this: trust only what we saw
        if not _is_trusted(address, trusted):
            return str(address)
    return str(seen)


def is_trusted_proxy(peer: str | None, trusted: Sequence[Network]) -> bool:
    address = parse_address(peer) if peer else None
    return address is not None and _is_trusted(address, trusted)


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)
