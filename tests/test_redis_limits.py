"""Rate-limit counters shared through Redis, and the fall-back when Redis is gone."""

import logging

from tests.conftest import client_for
from tests.factories import PASSWORD, make_user

LIMITS = {"rate_limit_login_failures": 5, "rate_limit_auth_per_minute": 30}


async def login(client, email, password):
    return await client.post("/auth/login", json={"email": email, "password": password})


async def test_failures_are_counted_across_processes_sharing_redis(settings, redis_url):
    async with (
        client_for(settings, redis_url=redis_url, **LIMITS) as a,
        client_for(settings, redis_url=redis_url, **LIMITS) as b,
    ):
        user = await make_user(a)
        for client in (a, a, a, b, b):
            assert (await login(client, user["email"], "wrong password")).status_code == 401
        for client in (a, b):
            r = await login(client, user["email"], PASSWORD)
            assert r.status_code == 429
            assert int(r.headers["retry-after"]) > 0


async def test_request_rate_is_shared_too(settings, redis_url):
    async with (
        client_for(settings, redis_url=redis_url, **LIMITS) as a,
        client_for(settings, redis_url=redis_url, **LIMITS) as b,
    ):
        for i in range(30):
            client = a if i % 2 else b
            assert (await login(client, f"nobody{i}@example.com", "guess")).status_code == 401
        assert (await login(a, "late@example.com", "guess")).status_code == 429
        assert (await login(b, "late@example.com", "guess")).status_code == 429


async def test_unreachable_redis_falls_back_to_counting_in_process(settings, caplog):
    caplog.set_level(logging.ERROR, logger="todo_app.ratelimit")
    async with client_for(settings, redis_url="redis://127.0.0.1:1/0", **LIMITS) as client:
        user = await make_user(client)
        for _ in range(5):
            assert (await login(client, user["email"], "wrong password")).status_code == 401
        assert (await login(client, user["email"], PASSWORD)).status_code == 429
        assert (await client.get("/tasks", headers=user["headers"])).status_code == 200
    assert "Redis unreachable" in caplog.text
