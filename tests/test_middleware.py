"""Response headers, CORS and the request body limit."""

import pytest

from tests.conftest import client_for
from tests.factories import make_user

FRONTEND = "http://localhost:3000"


async def test_auth_responses_are_never_cached(client):
    user = await make_user(client)
    responses = [
        await client.post("/auth/login", json={"email": user["email"], "password": "wrong password"}),
        await client.post("/auth/signup", json={}),
        await client.get("/auth/me", headers=user["headers"]),
        await client.get("/auth/me"),
        await client.get("/auth/nope"),
        await client.post("/auth/logout", headers=user["headers"]),
    ]
    for r in responses:
        assert r.headers["cache-control"] == "no-store", r.request.url
        assert r.headers["x-content-type-options"] == "nosniff"


async def test_nosniff_everywhere(client):
    user = await make_user(client)
    for r in (
        await client.get("/tasks", headers=user["headers"]),
        await client.get("/health"),
        await client.get("/missing"),
        await client.get("/openapi.json"),
    ):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in r.headers.get("cache-control", "")


async def test_cors_only_for_listed_origins(settings):
    async with client_for(settings, cors_origins=[FRONTEND]) as client:
        user = await make_user(client)
        r = await client.get("/tasks", headers={**user["headers"], "Origin": FRONTEND})
        assert r.headers["access-control-allow-origin"] == FRONTEND
        exposed = r.headers["access-control-expose-headers"].lower()
        for header in (
            "x-total-count",
            "etag",
            "link",
            "idempotent-replayed",
            "retry-after",
            "x-unread-count",
        ):
            assert header in exposed
        preflight = await client.options(
            "/tasks",
            headers={
                "Origin": FRONTEND,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == FRONTEND
        evil = "https://evil.example.com"
        r = await client.get("/tasks", headers={**user["headers"], "Origin": evil})
        assert evil not in r.headers.get("access-control-allow-origin", "")
        preflight = await client.options(
            "/tasks", headers={"Origin": evil, "Access-Control-Request-Method": "GET"}
        )
        assert evil not in preflight.headers.get("access-control-allow-origin", "")


async def test_no_cors_headers_by_default(client):
    r = await client.get("/health", headers={"Origin": FRONTEND})
    assert "access-control-allow-origin" not in r.headers


async def test_bodies_over_one_mib_are_413_before_parsing(client):
    user = await make_user(client)
    big = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    r = await client.post(
        "/tasks", content=big, headers={**user["headers"], "content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json() == {"detail": "Request body too large (limit: 1 MiB)"}

    async def chunks():
        for _ in range(20):
            yield b"x" * 65536

    r = await client.post("/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("length", ["abc", "-1", str(2**70)])
async def test_nonsense_content_length_is_refused(client, length):
    r = await client.post("/auth/login", content=b"{}", headers={"content-length": length})
    assert r.status_code in (400, 413)


async def test_a_body_at_the_limit_is_parsed(client):
    user = await make_user(client)
    body = b'{"title": "ok", "description": "' + b" " * (1024 * 1024 - 40) + b'"}'
    assert len(body) <= 1024 * 1024
    r = await client.post(
        "/tasks", content=body, headers={**user["headers"], "content-type": "application/json"}
    )
    assert r.status_code == 422  # parsed: the description is over 1000 characters

    async def small_chunks():
        yield b'{"title": '
        yield b'"streamed"}'

    r = await client.post(
        "/tasks", content=small_chunks(), headers={**user["headers"], "content-type": "application/json"}
    )
    assert r.status_code == 201
    assert r.json()["title"] == "streamed"


async def test_previous_secret_verifies_during_rotation(settings):
    old = "old-secret-old-secret-old-secret-0123456789"
    async with client_for(settings, jwt_secret=old) as before:
        user = await make_user(before)
    new = "new-secret-new-secret-new-secret-0123456789"
    async with client_for(settings, jwt_secret=new, jwt_secret_previous=old) as during:
        assert (await during.get("/auth/me", headers=user["headers"])).status_code == 200
        r = await during.post(
            "/auth/login", json={"email": user["email"], "password": "correct horse battery"}
        )
        fresh = r.json()["access_token"]
    async with client_for(settings, jwt_secret=new) as after:
        assert (await after.get("/auth/me", headers=user["headers"])).status_code == 401
        assert (await after.get("/auth/me", headers={"Authorization": f"Bearer {fresh}"})).status_code == 200
