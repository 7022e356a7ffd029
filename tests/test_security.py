"""Password hashing: bcrypt's limits, constant-ish timing, and never on the event loop."""

import asyncio
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import insert

from tests.factories import PASSWORD
from todo_app.main import create_app
from todo_app.security import PasswordHasher, is_hashable
from todo_app.tokens import create_access_token
from todo_app.users.models import User


def test_hash_and_verify():
    hasher = PasswordHasher(4)
    hashed = hasher.hash(PASSWORD)
    assert hashed.startswith("$2b$04$")
    assert hasher.verify(PASSWORD, hashed) == (True, None)
    assert hasher.verify("wrong", hashed) == (False, None)


def test_bcrypt_limits_are_checked_in_bytes():
    assert is_hashable("x" * 72)
    assert not is_hashable("x" * 73)
    assert is_hashable("é" * 36)
    assert not is_hashable("é" * 37)
    assert not is_hashable("abc\x00def")
    assert not is_hashable("\ud800")
    hasher = PasswordHasher(4)
    with pytest.raises(ValueError, match="not hashable"):
        hasher.hash("x" * 73)
    assert hasher.verify("x" * 73, hasher.hash("x" * 72)) == (False, None)  # never truncated


def test_changed_rounds_rehash_on_login():
    old = PasswordHasher(4).hash(PASSWORD)
    ok, new_hash = PasswordHasher(5).verify(PASSWORD, old)
    assert ok
    assert new_hash.startswith("$2b$05$")


def test_unknown_user_costs_as_much_as_a_wrong_password():
    hasher = PasswordHasher(8)
    real = hasher.hash(PASSWORD)
    hasher.dummy_hash()

    def timed(hashed, password):
        start = time.perf_counter()
        hasher.verify(password, hashed)
        return time.perf_counter() - start

    wrong = statistics.median(timed(real, "wrong password") for _ in range(7))
    unknown = statistics.median(timed(None, PASSWORD) for _ in range(7))
    too_long = statistics.median(timed(real, "x" * 100) for _ in range(7))
    # Skipping bcrypt would show as a ratio near 0.01; the bounds leave room for a loaded machine.
    assert 0.25 < unknown / wrong < 4
    assert 0.25 < too_long / wrong < 4


async def test_logins_do_not_block_other_requests(settings):
    """While a login's bcrypt is running (held in its thread until the test lets it go), other
    requests are served: were it on the event loop, nothing else could answer meanwhile."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        hashing, release = threading.Event(), threading.Event()
        verify = app.state.hasher.verify

        def held_verify(*args, **kwargs):
            hashing.set()
            assert release.wait(30), "never released"
            return verify(*args, **kwargs)

        app.state.hasher.verify = held_verify
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            token = forge_token(settings, await make_user_directly(app))
            headers = {"Authorization": f"Bearer {token}"}
            body = {"email": "nobody@example.com", "password": "wrong password"}
            login = asyncio.create_task(client.post("/auth/login", json=body))
            try:
                assert await asyncio.to_thread(hashing.wait, 10), "the login never reached bcrypt"
                async with asyncio.timeout(10):
                    for _ in range(5):
                        assert (await client.get("/tasks", headers=headers)).status_code == 200
                assert not login.done()
            finally:
                release.set()
            assert (await login).status_code == 401


async def make_user_directly(app) -> int:
    """A user row without paying for a cost-12 hash."""
    stmt = insert(User).values(email="fast@example.com", hashed_password="x", created_at=datetime.now(UTC))
    async with app.state.db.connection() as conn:
        return await conn.scalar(stmt.returning(User.id))


def forge_token(settings, user_id: int) -> str:
    secret = settings.jwt_secret.get_secret_value()
    return create_access_token(
        user_id=user_id, email="fast@example.com", version=0, secret=secret, lifetime=timedelta(hours=1)
    ).token
