"""`todo-app` as a person runs it: a live server with no configuration, one-line config errors,
and migrations that several processes can start at once."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_SERVER_URL, TEST_SECRET, pg_conninfo

CLI = [sys.executable, "-m", "todo_app.cli"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "JWT_SECRET", "DATA_DIR", "MIGRATION_DATABASE_URL")
    }
    return {**env, "XDG_DATA_HOME": str(tmp_path / "xdg"), "BCRYPT_ROUNDS": "4", **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_until_up(base: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else proc.returncode
        try:
            if call("GET", f"{base}/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


@pytest.fixture
def serve(tmp_path):
    procs: list[subprocess.Popen] = []

    def start(*args: str, **env: str) -> str:
        """Start `todo-app serve`; returns its base URL once /health answers."""
        port = free_port()
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), *args],
            env=clean_env(tmp_path, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_serve_with_no_configuration_answers_the_contract(serve, tmp_path):
    base = serve("--workers", "2")
    assert (
        call("POST", f"{base}/auth/signup", {"email": "ann@example.com", "password": "long enough"})[0] == 201
    )
    status, body = call("POST", f"{base}/auth/login", {"email": "ann@example.com", "password": "long enough"})
    assert status == 200
    token = body["access_token"]
    # Both workers share the generated secret: every request verifies, whichever worker takes it.
    for _ in range(6):
        assert call("GET", f"{base}/auth/me", token=token)[0] == 200
    assert call("POST", f"{base}/tasks", {"title": "first"}, token)[0] == 201
    assert (tmp_path / "xdg" / "todo-app" / "todo.db").exists()


def test_missing_secret_is_a_one_line_error(tmp_path):
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    proc = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "todo-app: error: JWT_SECRET is required when DATABASE_URL is set (at least 32 bytes)"
    ]
    env["JWT_SECRET"] = "short"
    proc = subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "at least 32 bytes" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_database_url_is_a_one_line_error(tmp_path):
    env = clean_env(tmp_path, DATABASE_URL="mysql://u@h/db", JWT_SECRET=TEST_SECRET)
    proc = subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.startswith("todo-app: error: DATABASE_URL")


def migrate_concurrently(tmp_path: Path, database_url: str, n: int = 4) -> list[subprocess.CompletedProcess]:
    env = clean_env(tmp_path, DATABASE_URL=database_url, JWT_SECRET=TEST_SECRET)

    def run(_: int) -> subprocess.CompletedProcess:
        return subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=60)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_concurrent_migrations_on_sqlite(tmp_path):
    db = tmp_path / "fresh" / "todo.db"
    results = migrate_concurrently(tmp_path, f"sqlite:///{db}")
    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_concurrent_migrations_on_postgresql(tmp_path):
    name = f"todo_mig_{uuid.uuid4().hex[:8]}"
    admin = pg_conninfo(PG_SERVER_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
        results = migrate_concurrently(tmp_path, url)
        assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
        with psycopg.connect(pg_conninfo(url)) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
            assert {"app_user", "task"} <= tables
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_two_processes_on_one_postgresql_and_redis(serve, database_url, redis_url):
    """A sign-out on one process is honoured by the other; failed logins are counted across both."""
    env = {"DATABASE_URL": database_url, "JWT_SECRET": TEST_SECRET, "REDIS_URL": redis_url}
    a, b = serve(**env), serve(**env)
    credentials = {"email": "ann@example.com", "password": "long enough"}
    assert call("POST", f"{a}/auth/signup", credentials)[0] == 201
    first = call("POST", f"{a}/auth/login", credentials)[1]["access_token"]
    second = call("POST", f"{b}/auth/login", credentials)[1]["access_token"]
    assert call("GET", f"{b}/auth/me", token=first)[0] == 200
    assert call("POST", f"{a}/auth/logout", {}, first)[0] == 204
    assert call("GET", f"{b}/auth/me", token=first)[0] == 401
    assert call("GET", f"{a}/auth/me", token=first)[0] == 401
    assert call("GET", f"{b}/auth/me", token=second)[0] == 200

    wrong = {**credentials, "password": "not the password"}
    for base in (a, b, a, b, a):
        assert call("POST", f"{base}/auth/login", wrong)[0] == 401
    for base in (a, b):
        assert call("POST", f"{base}/auth/login", credentials)[0] == 429


def test_serve_leaves_the_access_line_to_the_app(tmp_path, monkeypatch):
    """uvicorn's own line named the raw path; the app writes one with the route (observability/)."""
    import uvicorn

    from todo_app import cli

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))
    for name in ("DATABASE_URL", "JWT_SECRET", "DATA_DIR", "MIGRATION_DATABASE_URL", "LOG_ACCESS"):
        monkeypatch.setenv(name, "")  # (so that what `serve` sets is undone after the test)
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert cli.main(["serve", "--port", "0", "--access-log"]) == 0
    assert started["access_log"] is False
