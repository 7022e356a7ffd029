"""Who may hold an event stream, and how many: single-use tickets for EventSource, the token re-check
a running stream makes, and the per-user limit on open streams."""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import bindparam, delete, insert
from sqlmodel import col

from todo_app.db import Connection
from todo_app.events.models import EventTicket
from todo_app.users import service as users

log = logging.getLogger(__name__)

TICKET_SECONDS = 60
MAX_TICKET_CHARS = 128
MAX_STREAMS_PER_USER = 10
REDIS_RETRY_SECONDS = 5.0  # after a Redis failure, count in-process this long before trying again

ISSUE = insert(EventTicket).values(
    ticket_hash=bindparam("new_hash"),
    user_id=bindparam("owner"),
    jti=bindparam("new_jti"),
    token_version=bindparam("new_version"),
    token_expires_at=bindparam("new_token_expires_at"),
    expires_at=bindparam("new_expires_at"),
)
FORGET_EXPIRED = delete(EventTicket).where(col(EventTicket.expires_at) < bindparam("cutoff"))
# Single use: of any number of requests presenting one ticket, only one gets its row back.
REDEEM = (
    delete(EventTicket)
    .where(col(EventTicket.ticket_hash) == bindparam("hash"))
    .returning(
        col(EventTicket.user_id),
        col(EventTicket.jti),
        col(EventTicket.token_version),
        col(EventTicket.token_expires_at),
        col(EventTicket.expires_at),
    )
)


@dataclass(frozen=True)
class StreamAuth:
    """The token a stream was opened with (directly, or through a ticket issued to it)."""

    user_id: int
    jti: str
    token_version: int
    expires_at: int  # the token's `exp`, in seconds


async def still_valid(db: Connection, auth: StreamAuth) -> bool:
    """The token is unexpired, not signed out, of the owner's current generation, its owner alive:
    the rule deps.get_session applies to each request, applied again while a stream runs."""
    if auth.expires_at < int(time.time()):  # (valid through the whole second of `exp`, as tokens.py)
        return False
    owner = await users.for_token(db, user_id=auth.user_id, jti=auth.jti)
    return owner is not None and not owner.revoked and owner.token_version == auth.token_version


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()


async def issue_ticket(db: Connection, *, auth: StreamAuth, now: datetime | None = None) -> str:
    """A new ticket for `auth`'s owner, valid TICKET_SECONDS; only its hash is stored. Tickets that
    expired are dropped on the way."""
    now = now or datetime.now(UTC)
    ticket = secrets.token_urlsafe(32)
    await db.all(FORGET_EXPIRED, {"cutoff": now})
    await db.all(
        ISSUE,
        {
            "new_hash": _hash(ticket),
            "owner": auth.user_id,
            "new_jti": auth.jti,
            "new_version": auth.token_version,
            "new_token_expires_at": datetime.fromtimestamp(auth.expires_at, UTC),
            "new_expires_at": now + timedelta(seconds=TICKET_SECONDS),
        },
    )
    return ticket


async def redeem_ticket(db: Connection, *, ticket: str, now: datetime | None = None) -> StreamAuth | None:
    """The token a ticket stands for, once: the ticket is gone afterwards. None for a ticket that is
    unknown, used already or expired (the caller still checks the token itself: still_valid)."""
    if not ticket or len(ticket) > MAX_TICKET_CHARS:
        return None
    row = await db.first(REDEEM, {"hash": _hash(ticket)})
    if row is None or row[4] <= (now or datetime.now(UTC)):
        return None
    return StreamAuth(user_id=row[0], jti=row[1], token_version=row[2], expires_at=int(row[3].timestamp()))


# A per-user sorted set of open streams scored by when each lapses (Redis server time), so the
# streams of a process that died without closing them stop counting after one lease.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""
_RENEW = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])))
return 1
"""


@dataclass(frozen=True)
class Slot:
    user_id: int
    stream_id: str
    shared: bool  # counted in Redis (else in this process)


class StreamSlots:
    """At most `limit` open streams per user: across every process in Redis when REDIS_URL is set
    (an entry lives `lease_seconds` unless its stream renews it), else, or while Redis is
    unreachable, in this process."""

    def __init__(self, redis_url: str | None, *, limit: int, lease_seconds: float) -> None:
        self.limit = limit
        self.lease_seconds = lease_seconds
        self._local: dict[int, set[str]] = {}
        self._redis = (
            Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5) if redis_url else None
        )
        self._acquire = self._redis.register_script(_ACQUIRE) if self._redis else None
        self._renew = self._redis.register_script(_RENEW) if self._redis else None
        self._redis_retry_at = 0.0

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def acquire(self, user_id: int) -> Slot | None:
        """A place for one more stream of this user; None when all `limit` are taken."""
        stream_id = secrets.token_hex(8)
        if self._acquire is not None and time.monotonic() >= self._redis_retry_at:
            try:
                args: list[int | float | str] = [self.limit, self.lease_seconds, stream_id]
                taken = await self._acquire(keys=[_key(user_id)], args=args)
                return Slot(user_id, stream_id, shared=True) if taken else None
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        open_here = self._local.setdefault(user_id, set())
        if len(open_here) >= self.limit:
            return None
        open_here.add(stream_id)
        return Slot(user_id, stream_id, shared=False)

    async def renew(self, slot: Slot) -> None:
        """The stream is still open (each heartbeat): its entry lives another lease."""
        if slot.shared and self._renew is not None:
            try:
                await self._renew(keys=[_key(slot.user_id)], args=[self.lease_seconds, slot.stream_id])
            except (RedisError, OSError) as exc:
                log.warning("Redis unreachable (%s); an event stream's entry will lapse", exc)

    async def release(self, slot: Slot) -> None:
        if not slot.shared:
            open_here = self._local.get(slot.user_id, set())
            open_here.discard(slot.stream_id)
            if not open_here:
                self._local.pop(slot.user_id, None)
            return
        assert self._redis is not None
        try:
            await self._redis.zrem(_key(slot.user_id), slot.stream_id)
        except (RedisError, OSError) as exc:
            log.warning("Redis unreachable (%s); an event stream's entry will lapse", exc)

    def _redis_failed(self, exc: Exception) -> None:
        log.error(
            "Redis unreachable (%s); counting event streams in this process for %.0fs",
            exc,
            REDIS_RETRY_SECONDS,
        )
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS


def _key(user_id: int) -> str:
    return f"todo:sse:{user_id}"
