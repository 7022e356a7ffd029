"""Each test gets its own app on its own database: a fresh SQLite file copied from a migrated
template, or (with TEST_DATABASE_URL) a PostgreSQL database made for this run and emptied before
each test."""

import os
import shutil
import sys
import threading
import traceback
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from todo_app import migrate
from todo_app.config import Settings
from todo_app.main import create_app

TEST_SECRET = "test-secret-test-secret-test-secret-0123456789"
PG_SERVER_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


LEFTOVER_THREAD_GRACE_SECONDS = 10


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """A non-daemon thread still running after the last test (an aiosqlite connection never
    closed, say) would keep the interpreter from ever exiting: CI would hang instead of failing.
    Give such threads a moment, then print where they are and fail the run at once."""
    leftovers = []
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.daemon:
            continue
        thread.join(LEFTOVER_THREAD_GRACE_SECONDS)
        if thread.is_alive():
            leftovers.append(thread)
    if not leftovers:
        return
    frames = sys._current_frames()
    out = [f"\n{len(leftovers)} non-daemon thread(s) left running after the tests:"]
    for thread in leftovers:
        out.append(f"--- {thread.name}")
        out.extend(traceback.format_stack(frames.get(thread.ident)) if thread.ident in frames else [])
    print("\n".join(out), file=sys.stderr, flush=True)
    os._exit(3)


def pg_conninfo(url: str) -> str:
    """A libpq URL psycopg can open directly (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values = {
        "database_url": database_url,
        "jwt_secret": TEST_SECRET,
        "bcrypt_rounds": 4,
        "data_dir": data_dir,
        # The suite signs up and logs in far more than 30 times a minute from one address; the
        # limits have their own tests, which switch them on.
        "rate_limit_login_failures": 0,
        "rate_limit_auth_per_minute": 0,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A PostgreSQL database of this test run's own, migrated once; None on SQLite runs."""
    if not PG_SERVER_URL:
        yield None
        return
    name = f"todo_test_{uuid.uuid4().hex[:10]}"
    admin = pg_conninfo(PG_SERVER_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(make_settings(url, Path("/nonexistent")))
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(make_settings(f"sqlite:///{path}", path.parent))
    return path


@pytest.fixture
def database_url(pg_database: str | None, sqlite_template: Path, tmp_path: Path) -> str:
    if pg_database:
        with psycopg.connect(pg_conninfo(pg_database), autocommit=True) as conn:
            conn.execute("TRUNCATE app_user, task, revoked_token RESTART IDENTITY CASCADE")
        return pg_database
    path = tmp_path / "test.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def redis_url() -> str:
    """A Redis database of the suite's own, emptied. CI must have Redis; a laptop may not."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@asynccontextmanager
async def client_for(settings: Settings, *, peer: str = "127.0.0.1", **overrides: object):
    """A client of a new app built from `settings` with `overrides`, seen as coming from `peer`."""
    application = create_app(Settings(_env_file=None, **{**settings.model_dump(), **overrides}))
    async with application.router.lifespan_context(application):
        transport = httpx2.ASGITransport(app=application, client=(peer, 40000))
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as c:
            c.app = application  # type: ignore[attr-defined]
            yield c
