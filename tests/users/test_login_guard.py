"""Guessing limits that hold however requests are timed, and sign-in that a web page elsewhere
cannot drive: one failure budget per account and address, JSON only as JSON, no cross-site counts."""

import asyncio

import pytest

from tests.conftest import client_for
from tests.factories import PASSWORD, make_user
from todo_app.users import service as users_service

LIMITS = {"rate_limit_login_failures": 5, "rate_limit_auth_per_minute": 0}
JSON = {"content-type": "application/json"}


@pytest.fixture(params=["memory", "redis"])
def counters(request) -> dict:
    """The limits counted in this process, and in Redis (shared by every process)."""
    return {"redis_url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


async def test_concurrent_guesses_never_exceed_the_failure_limit(settings, counters, monkeypatch):
    """24 simultaneous sign-ins (23 wrong, then the right one). Every request that gets as far as
    password checking is held there until all 24 have either arrived or been answered, so the
    attempts truly overlap, whatever the machine's speed."""
    async with client_for(settings, **LIMITS, **counters, db_pool_size=30) as client:
        user = await make_user(client)
        gate, changed = asyncio.Event(), asyncio.Event()
        arrived = finished = 0
        authenticate = users_service.authenticate

        async def held_authenticate(*args, **kwargs):
            nonlocal arrived
            arrived += 1
            changed.set()
            await gate.wait()
            return await authenticate(*args, **kwargs)

        monkeypatch.setattr(users_service, "authenticate", held_authenticate)

        async def attempt(password: str):
            nonlocal finished
            try:
                return await client.post("/auth/login", json={"email": user["email"], "password": password})
            finally:
                finished += 1
                changed.set()

        passwords = ["wrong password"] * 23 + [PASSWORD]
        attempts = [asyncio.ensure_future(attempt(p)) for p in passwords]
        async with asyncio.timeout(30):
            while arrived + finished < len(attempts):
                changed.clear()
                await changed.wait()
        gate.set()
        codes = [r.status_code for r in await asyncio.gather(*attempts)]
        assert arrived <= 5, f"{arrived} attempts reached password checking"
        assert codes.count(401) + codes.count(200) == arrived, codes
        assert codes.count(429) == 24 - arrived, codes


async def test_a_blocked_attempt_does_not_reach_bcrypt(settings, counters):
    async with client_for(settings, **LIMITS, **counters) as client:
        user = await make_user(client)
        for _ in range(5):
            r = await client.post("/auth/login", json={"email": user["email"], "password": "nope nope"})
            assert r.status_code == 401
        client.app.state.hasher.verify = None  # any call would raise: a 500, not a 429
        r = await client.post("/auth/login", json={"email": user["email"], "password": PASSWORD})
        assert r.status_code == 429


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"email": "ann@example.com", "password": "correct horse battery"}'),
        ("text/plain;charset=UTF-8", b'{"email": "ann@example.com", "password": "correct horse battery"}'),
        (None, b'{"email": "ann@example.com", "password": "correct horse battery"}'),
        ("application/x-json", b'{"email": "ann@example.com", "password": "correct horse battery"}'),
        ("text/html", b"<p>hi</p>"),
    ],
)
async def test_login_reads_json_only_as_application_json(client, content_type, body):
    await make_user(client, email="ann@example.com")
    headers = {"content-type": content_type} if content_type else {}
    r = await client.post("/auth/login", content=body, headers=headers)
    assert r.status_code == 415, r.text
    assert "application/json" in r.json()["detail"]


async def test_login_accepts_json_and_the_oauth2_form(client):
    await make_user(client, email="ann@example.com")
    body = b'{"email": "ann@example.com", "password": "correct horse battery"}'
    for content_type in ("application/json", "application/json; charset=utf-8", "Application/JSON"):
        r = await client.post("/auth/login", content=body, headers={"content-type": content_type})
        assert r.status_code == 200, content_type
    form = {"username": "ann@example.com", "password": PASSWORD}
    assert (await client.post("/auth/login", data=form)).status_code == 200
    assert (await client.post("/auth/login", files={"x": b""}, data=form)).status_code == 200
    r = await client.post("/auth/login", content=b"username=ann%40example.com", headers=JSON)
    assert r.status_code == 422  # a form sent as JSON is not JSON


async def test_cross_site_sign_in_is_refused_and_counts_against_nobody(settings, counters):
    limits = {"rate_limit_login_failures": 5, "rate_limit_auth_per_minute": 30}
    async with client_for(settings, **limits, **counters) as client:
        user = await make_user(client)
        evil = {"origin": "https://evil.example"}
        for _ in range(40):
            form = {"username": user["email"], "password": "wrong guess"}
            r = await client.post("/auth/login", data=form, headers=evil)
            assert r.status_code == 403, r.text
        for origin in ("null", "http://testserver.evil.example", "http://testserver:81"):
            r = await client.post("/auth/login", data=form, headers={"origin": origin})
            assert r.status_code == 403, origin
        r = await client.post(
            "/auth/signup", json={"email": "x@example.com", "password": PASSWORD}, headers=evil
        )
        assert r.status_code == 403
        # The person's own sign-in, from the same address, is untouched by all of that.
        own = {"origin": "http://testserver"}
        r = await client.post("/auth/login", json={"email": user["email"], "password": PASSWORD}, headers=own)
        assert r.status_code == 200, r.text


async def test_listed_cors_origins_may_sign_in(settings):
    async with client_for(settings, cors_origins=["https://app.example.com"]) as client:
        user = await make_user(client)
        body = {"email": user["email"], "password": PASSWORD}
        r = await client.post("/auth/login", json=body, headers={"origin": "https://app.example.com"})
        assert r.status_code == 200


async def test_unparseable_sign_ups_are_counted(settings):
    async with client_for(settings, rate_limit_auth_per_minute=10) as client:
        for _ in range(10):
            r = await client.post("/auth/signup", content=b'{"email": ', headers=JSON)
            assert r.status_code in (400, 422), r.text
        r = await client.post("/auth/signup", json={"email": "ok@example.com", "password": PASSWORD})
        assert r.status_code == 429
