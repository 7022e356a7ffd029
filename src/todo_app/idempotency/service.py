"""Idempotency keys: one claim per (user, key), the first answer stored under it, replayed for 24 hours.

A key moves through three states:
- absent: the next request with it claims it (one INSERT ... ON CONFLICT DO NOTHING; on both
  PostgreSQL and SQLite only one concurrent insert of the same primary key can return a row);
- pending (`status_code` NULL): its first request is being served. Another request with the key is
  refused as in progress, unless the claim is older than STALE_AFTER (its process died, or lost the
  answer): then the same request may take it over, with one conditional UPDATE that only one
  request can win (PostgreSQL re-checks the WHERE on the row it waited for; SQLite runs one writer
  at a time);
- answered: the same request gets the stored answer again; another request is refused.

A row older than KEPT_FOR counts as absent (a request takes it over whatever it held) and `expire`
deletes it. The claim's `created_at` identifies it: storing or releasing touches the row only while
it is still this claim's, so a request whose claim was taken over changes nothing."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from todo_app.db import Connection
from todo_app.errors import Conflict, Unprocessable
from todo_app.idempotency.models import IdempotencyKey

KEPT_FOR = timedelta(hours=24)
STALE_AFTER = timedelta(seconds=60)
KEY_REUSED = "This Idempotency-Key was already used for a different request"
IN_PROGRESS = "A request with this Idempotency-Key is still being processed; retry shortly"
CLAIM_ATTEMPTS = 3  # a key released or expired between our statements is claimed again

K = IdempotencyKey
THIS_KEY = (col(K.user_id) == bindparam("owner"), col(K.key) == bindparam("idempotency_key"))
THIS_CLAIM = (*THIS_KEY, col(K.created_at) == bindparam("claimed_at"), col(K.status_code).is_(None))


def _claim(dialect_insert: Any) -> Any:
    return (
        dialect_insert(K)
        .values(
            user_id=bindparam("owner"),
            key=bindparam("idempotency_key"),
            fingerprint=bindparam("new_fingerprint"),
            created_at=bindparam("now"),
        )
        .on_conflict_do_nothing()
        .returning(col(K.user_id))
    )


CLAIM = {"postgresql": _claim(pg_insert), "sqlite": _claim(sqlite_insert)}
# An expired row, or this very request's claim left pending by a process that died.
TAKE_OVER = (
    update(K)
    .where(
        *THIS_KEY,
        or_(
            col(K.created_at) < bindparam("expired_before"),
            and_(
                col(K.status_code).is_(None),
                col(K.fingerprint) == bindparam("new_fingerprint"),
                col(K.created_at) < bindparam("stale_before"),
            ),
        ),
    )
    .values(
        fingerprint=bindparam("new_fingerprint"),
        status_code=null(),
        response_headers=null(),
        response_body=null(),
        created_at=bindparam("now"),
    )
    .returning(col(K.user_id))
)
FIND = select(col(K.fingerprint), col(K.status_code), col(K.response_headers), col(K.response_body)).where(
    *THIS_KEY, col(K.created_at) >= bindparam("expired_before")
)
STORE = (
    update(K)
    .where(*THIS_CLAIM)
    .values(
        status_code=bindparam("new_status_code"),
        response_headers=bindparam("new_headers"),
        response_body=bindparam("new_body"),
    )
)
RELEASE = delete(K).where(*THIS_CLAIM)
EXPIRE = delete(K).where(col(K.created_at) < bindparam("expired_before"))


@dataclass(frozen=True)
class Claim:
    """The right to serve the first request with a key (until stored or released)."""

    claimed_at: datetime


@dataclass(frozen=True)
class Answer:
    """A response as stored and replayed: status, the headers worth keeping, body."""

    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """sha256 (hex) of what makes two requests the same one: method, path, query string, body."""
    digest = hashlib.sha256(json.dumps([method, path, query.decode("latin-1")]).encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


async def claim(db: Connection, *, user_id: int, key: str, fingerprint: str) -> Claim | Answer:
    """A Claim when the caller is to serve the request (then `store` or `release` it), or the Answer
    stored for this very request. Raises Unprocessable when the key belongs to a different request,
    Conflict while its first request is still being served."""
    for _ in range(CLAIM_ATTEMPTS):
        now = datetime.now(UTC)
        params = {
            "owner": user_id,
            "idempotency_key": key,
            "new_fingerprint": fingerprint,
            "now": now,
            "stale_before": now - STALE_AFTER,
            "expired_before": now - KEPT_FOR,
        }
        if await db.first(CLAIM[db.backend], params) or await db.first(TAKE_OVER, params):
            return Claim(now)
        row = await db.first(FIND, params)
        if row is None:  # released or expired since: claim it again
            continue
        stored_fingerprint, status_code, headers, body = row
        if stored_fingerprint != fingerprint:
            raise Unprocessable(KEY_REUSED)
        if status_code is None:
            break
        return Answer(status_code, [(name, value) for name, value in json.loads(headers)], body)
    raise Conflict(IN_PROGRESS, headers={"Retry-After": "1"})


async def store(db: Connection, *, user_id: int, key: str, claim: Claim, answer: Answer) -> bool:
    """Keep the answer under the claimed key; False if the claim is no longer ours (taken over as
    stale, or the user deleted meanwhile)."""
    stored = await db.execute(
        STORE,
        {
            "owner": user_id,
            "idempotency_key": key,
            "claimed_at": claim.claimed_at,
            "new_status_code": answer.status_code,
            "new_headers": json.dumps(answer.headers),
            "new_body": answer.body,
        },
    )
    return stored == 1


async def release(db: Connection, *, user_id: int, key: str, claim: Claim) -> None:
    """Give the key up unanswered: the next request with it runs afresh."""
    await db.execute(RELEASE, {"owner": user_id, "idempotency_key": key, "claimed_at": claim.claimed_at})


async def expire(db: Connection) -> int:
    """Delete every key older than KEPT_FOR (answered or not); how many."""
    return await db.execute(EXPIRE, {"expired_before": datetime.now(UTC) - KEPT_FOR})
