"""The idempotency_key table as the tests see it: read and written directly, beside the API."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from tests.factories import auth
from todo_app.idempotency.models import IdempotencyKey

K = IdempotencyKey
ROWS = select(K.user_id, K.key, K.status_code, K.created_at).order_by(K.user_id, K.key)


def with_key(user: dict, key: str) -> dict[str, str]:
    return {**auth(user["token"]), "Idempotency-Key": key}


async def stored(app) -> list[tuple]:
    """Every row: (user_id, key, status_code, created_at)."""
    async with app.state.db.connection() as db:
        return await db.all(ROWS)


async def put_row(
    app,
    *,
    user_id: int,
    key: str,
    fingerprint: str,
    age: timedelta,
    status_code: int | None = None,
    body: bytes | None = None,
) -> None:
    """A row as a request `age` ago would have left it: pending without a status_code."""
    values = {
        "user_id": user_id,
        "key": key,
        "fingerprint": fingerprint,
        "status_code": status_code,
        "response_headers": None if status_code is None else '[["content-type", "application/json"]]',
        "response_body": body,
        "created_at": datetime.now(UTC) - age,
    }
    async with app.state.db.connection() as db:
        await db.execute(insert(K).values(**values))


async def total(client, user: dict, **params) -> int:
    r = await client.get("/tasks", params=params, headers=user["headers"])
    assert r.status_code == 200, r.text
    return int(r.headers["x-total-count"])
