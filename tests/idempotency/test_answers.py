"""Which answers a key keeps, what a replay repeats, and what a lost claim does: the real middleware
and database in front of small applications that answer as told."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import bindparam, update

from tests.conftest import client_for
from tests.factories import make_user
from tests.idempotency.rows import K, stored, with_key
from todo_app.idempotency.middleware import Idempotency

JSON = [(b"content-type", b"application/json")]


class Answering:
    """An ASGI app that reads the body and answers `status` with `headers`, counting its calls. With
    `hold`, its first call waits for that event before answering."""

    def __init__(self, status: int = 201, headers: list[tuple[bytes, bytes]] = JSON) -> None:
        self.status = status
        self.headers = headers
        self.calls = 0
        self.hold: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        call = self.calls
        message = await receive()
        self.entered.set()
        if self.hold is not None and call == 1:
            await self.hold.wait()
        body = json.dumps({"call": call, "got": message["body"].decode()}).encode()
        if self.status == 204:
            body = b""
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": body})


class Failing:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        raise RuntimeError("boom")


def client_of(app, inner) -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=Idempotency(inner, state=app.state))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


async def post_twice(app, user: dict, inner) -> list[httpx2.Response]:
    async with client_of(app, inner) as c:
        return [await c.post("/tasks", content=b"{}", headers=with_key(user, "k")) for _ in range(2)]


@pytest.mark.parametrize("status", [200, 201, 204, 400, 404, 405, 422])
async def test_answers_below_500_are_kept(app, client, status):
    user = await make_user(client)
    inner = Answering(status)
    first, again = await post_twice(app, user, inner)
    assert inner.calls == 1
    assert again.status_code == first.status_code == status
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [row[2] for row in await stored(app)] == [status]


@pytest.mark.parametrize(
    "status",
    [401, 409, 429, 500, 502, 503],
    ids=["401 nobody to keep it for", "409 passing conflict", "429 passing limit", "500", "502", "503"],
)
async def test_other_answers_release_the_key(app, client, status):
    user = await make_user(client)
    inner = Answering(status)
    first, again = await post_twice(app, user, inner)
    assert inner.calls == 2
    assert [first.status_code, again.status_code] == [status, status]
    assert first.json()["call"] == 1
    assert again.json()["call"] == 2
    assert "idempotent-replayed" not in again.headers
    assert await stored(app) == []


async def test_an_exception_releases_the_key(app, client):
    user = await make_user(client)
    failing = Failing()
    async with client_of(app, failing) as c:
        for _ in range(2):
            with pytest.raises(RuntimeError):
                await c.post("/tasks", content=b"{}", headers=with_key(user, "k"))
    assert failing.calls == 2
    assert await stored(app) == []


async def test_a_replay_repeats_the_headers_that_matter(app, client):
    user = await make_user(client)
    headers = [
        (b"content-type", b"application/json"),
        (b"location", b"/tasks/7"),
        (b"etag", b'"v3"'),
        (b"link", b'</tasks?cursor=a>; rel="next"'),
        (b"x-total-count", b"12"),
        (b"x-request-id", b"not kept"),
    ]
    first, again = await post_twice(app, user, Answering(201, headers))
    assert first.headers["x-request-id"] == "not kept"
    for name in ("content-type", "location", "etag", "link", "x-total-count"):
        assert again.headers[name] == first.headers[name], name
    assert "x-request-id" not in again.headers
    assert again.headers["content-length"] == str(len(first.content))


async def test_the_body_reaches_the_app_whole(app, client):
    user = await make_user(client)
    inner = Answering(201)

    async def chunks():
        for part in (b'{"title": ', b'"in parts"', b"}"):
            yield part

    async with client_of(app, inner) as c:
        r = await c.post("/tasks", content=chunks(), headers=with_key(user, "k"))
        again = await c.post("/tasks", content=b'{"title": "in parts"}', headers=with_key(user, "k"))
    assert r.json()["got"] == '{"title": "in parts"}'
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_key_in_progress_is_409_then_replayed(app, client):
    user = await make_user(client)
    inner = Answering(201)
    inner.hold = asyncio.Event()
    async with client_of(app, inner) as c:
        first = asyncio.create_task(c.post("/tasks", content=b"{}", headers=with_key(user, "k")))
        await inner.entered.wait()
        busy = await c.post("/tasks", content=b"{}", headers=with_key(user, "k"))
        assert busy.status_code == 409
        assert "still being processed" in busy.json()["detail"]
        other = await c.post("/tasks", content=b"{...}", headers=with_key(user, "k"))
        assert other.status_code == 422  # a different request: refused even while pending
        inner.hold.set()
        served = await first
        again = await c.post("/tasks", content=b"{}", headers=with_key(user, "k"))
    assert inner.calls == 1
    assert served.status_code == again.status_code == 201
    assert again.content == served.content


async def test_an_answer_to_a_claim_taken_over_is_not_kept(app, client):
    # The first request outlives STALE_AFTER (simulated by ageing its claim); its retry takes the
    # key over and is served. The first's answer, when it finally comes, must not replace it.
    user = await make_user(client)
    inner = Answering(201)
    inner.hold = asyncio.Event()
    async with client_of(app, inner) as c:
        slow = asyncio.create_task(c.post("/tasks", content=b"{}", headers=with_key(user, "k")))
        await inner.entered.wait()
        async with app.state.db.connection() as db:
            age = update(K).values(created_at=bindparam("new_created_at"))
            await db.execute(age, {"new_created_at": datetime.now(UTC) - timedelta(seconds=61)})
        retry = await c.post("/tasks", content=b"{}", headers=with_key(user, "k"))
        assert retry.status_code == 201
        assert retry.json()["call"] == 2
        inner.hold.set()
        assert (await slow).json()["call"] == 1
        again = await c.post("/tasks", content=b"{}", headers=with_key(user, "k"))
    assert again.json()["call"] == 2
    assert again.headers["idempotent-replayed"] == "true"


async def test_no_database_for_the_claim_is_503(settings):
    async with client_for(settings, db_pool_size=1, db_pool_timeout=0.3) as c:
        user = await make_user(c)
        async with c.app.state.db.connection():  # the only connection, held
            r = await c.post("/tasks", json={"title": "x"}, headers=with_key(user, "k"))
        assert r.status_code == 503
        assert r.headers["retry-after"] == "5"
        assert "detail" in r.json()
        assert await stored(c.app) == []
        r = await c.post("/tasks", json={"title": "x"}, headers=with_key(user, "k"))
        assert r.status_code == 201
