"""A claim left pending by a process that died, and answers past their 24 hours."""

import json
from datetime import timedelta

from tests.factories import make_user
from tests.idempotency.rows import put_row, stored, total, with_key
from todo_app.idempotency import service

BODY = json.dumps({"title": "retried"}).encode()
JSON = {"content-type": "application/json"}
FINGERPRINT = service.fingerprint("POST", "/tasks", b"", BODY)
OTHER_FINGERPRINT = service.fingerprint("POST", "/tasks", b"", b'{"title": "something else"}')


async def create(client, user: dict, key: str = "k"):
    return await client.post("/tasks", content=BODY, headers={**with_key(user, key), **JSON})


async def test_a_recent_pending_claim_is_in_progress(app, client):
    ann = await make_user(client)
    await put_row(app, user_id=ann["id"], key="k", fingerprint=FINGERPRINT, age=timedelta(seconds=30))
    r = await create(client, ann)
    assert r.status_code == 409
    assert "still being processed" in r.json()["detail"]
    assert await total(client, ann) == 0


async def test_a_stale_pending_claim_is_taken_over_by_its_request(app, client):
    ann = await make_user(client)
    await put_row(app, user_id=ann["id"], key="k", fingerprint=FINGERPRINT, age=timedelta(seconds=61))
    r = await create(client, ann)
    assert r.status_code == 201
    assert "idempotent-replayed" not in r.headers
    again = await create(client, ann)
    assert again.json() == r.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await total(client, ann) == 1
    (row,) = await stored(app)
    assert row[2] == 201


async def test_a_stale_pending_claim_still_belongs_to_its_request(app, client):
    ann = await make_user(client)
    await put_row(app, user_id=ann["id"], key="k", fingerprint=OTHER_FINGERPRINT, age=timedelta(minutes=5))
    r = await create(client, ann)
    assert r.status_code == 422
    assert await total(client, ann) == 0


async def test_an_answer_older_than_a_day_counts_as_absent(app, client):
    ann = await make_user(client)
    old = {"fingerprint": OTHER_FINGERPRINT, "status_code": 201, "body": b'{"old": true}'}
    await put_row(app, user_id=ann["id"], key="k", age=timedelta(hours=24, seconds=1), **old)
    await put_row(
        app, user_id=ann["id"], key="same", age=timedelta(hours=25), **{**old, "fingerprint": FINGERPRINT}
    )
    for key in ("k", "same"):
        r = await create(client, ann, key)
        assert r.status_code == 201
        assert r.json()["title"] == "retried"
        assert "idempotent-replayed" not in r.headers
    assert await total(client, ann) == 2


async def test_expire_deletes_what_is_older_than_a_day(app, client):
    ann, bob = await make_user(client), await make_user(client)
    answered = {"status_code": 201, "body": b"{}"}
    await put_row(
        app, user_id=ann["id"], key="old", fingerprint=FINGERPRINT, age=timedelta(hours=25), **answered
    )
    await put_row(app, user_id=bob["id"], key="old-pending", fingerprint=FINGERPRINT, age=timedelta(days=3))
    await put_row(
        app, user_id=ann["id"], key="young", fingerprint=FINGERPRINT, age=timedelta(hours=23), **answered
    )
    await put_row(app, user_id=bob["id"], key="new", fingerprint=FINGERPRINT, age=timedelta(seconds=1))
    async with app.state.db.connection() as db:
        assert await service.expire(db) == 2
        assert await service.expire(db) == 0
    assert sorted(row[1] for row in await stored(app)) == ["new", "young"]


async def test_keys_go_with_their_user(app, client):
    ann = await make_user(client)
    assert (await create(client, ann)).status_code == 201
    r = await client.request(
        "DELETE", "/auth/me", json={"password": "correct horse battery"}, headers=ann["headers"]
    )
    assert r.status_code == 204
    assert await stored(app) == []
