"""`todo-app serve` as operators run it: with LOG_FORMAT=json every line on stderr is JSON, uvicorn's
and the workers' included, and a whole journey at DEBUG leaves no secret in any of them."""

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import TEST_SECRET
from tests.observability.conftest import access_lines, parse_lines
from tests.test_cli import CLI, clean_env, free_port, wait_until_up
from todo_app.observability import logs

# Generous: on a loaded 2-core machine uvicorn may restart a worker that misses its health check.
START_SECONDS = 120


class Served:
    def __init__(self, proc: subprocess.Popen, base: str, stdout: Path, stderr: Path) -> None:
        self.proc, self.base, self.stdout, self.stderr = proc, base, stdout, stderr

    def wait_for_workers(self, count: int) -> None:
        """Until `count` worker processes have logged their start (polled, with a deadline)."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            started = [line for line in parse_lines(self.stderr.read_text()) if is_worker_start(line)]
            if len(started) >= count:
                return
            assert self.proc.poll() is None, self.stderr.read_text()
            time.sleep(0.1)
        raise AssertionError(f"fewer than {count} workers started:\n{self.stderr.read_text()}")

    def stop(self) -> tuple[str, str]:
        """SIGTERM, wait for the graceful exit, then everything the server wrote."""
        self.proc.terminate()
        self.proc.wait(30)
        return self.stdout.read_text(), self.stderr.read_text()


def is_worker_start(line: dict) -> bool:
    return line["logger"] == "uvicorn.error" and line["message"].startswith("Started server process")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `todo-app serve` writing to files (a pipe nobody reads could fill up and stall it)."""
    started: list[Served] = []

    def start(*args: str, **env: str) -> Served:
        port = free_port()
        out, err = tmp_path / f"{port}.out", tmp_path / f"{port}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            proc = subprocess.Popen(
                [*CLI, "serve", "--port", str(port), *args],
                env=clean_env(tmp_path, **env),
                stdout=stdout,
                stderr=stderr,
            )
        served = Served(proc, f"http://127.0.0.1:{port}", out, err)
        started.append(served)
        try:
            wait_until_up(served.base, proc, seconds=START_SECONDS)
        except AssertionError:
            raise AssertionError(err.read_text()) from None
        return served

    yield start
    for served in started:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait(10)


def test_a_whole_journey_at_debug_leaves_no_secret_in_any_line(serve, database_url):
    email = f"journey-{uuid.uuid4().hex[:12]}@example.com"
    password, new_password = f"first {uuid.uuid4().hex}", f"second {uuid.uuid4().hex}"
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "LOG_FORMAT": "json",
        "LOG_ACCESS": "true",
    }
    server = serve("--workers", "2", "--log-level", "debug", **env)
    server.wait_for_workers(2)  # both log through the same JSON handler
    tokens = []
    with httpx2.Client(base_url=server.base, timeout=30) as c:

        def step(name: str, method: str, url: str, token: str | None = None, **kw) -> httpx2.Response:
            headers = {"X-Request-ID": f"journey-{name}"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            r = c.request(method, url, headers=headers, **kw)
            assert r.headers["x-request-id"] == f"journey-{name}"
            return r

        assert step("signup", "POST", "/auth/signup", json={"email": email, "password": password}).is_success
        login = step("login", "POST", "/auth/login", json={"email": email, "password": password})
        tokens.append(token := login.json()["access_token"])
        user_id = step("me", "GET", "/auth/me", token).json()["id"]
        task = step("create", "POST", "/tasks", token, json={"title": "Call the bank"}).json()
        assert step("update", "PATCH", f"/tasks/{task['id']}", token, json={"completed": True}).is_success
        assert step("list", "GET", "/tasks", token).is_success
        assert step("delete", "DELETE", f"/tasks/{task['id']}", token).is_success
        change = {"current_password": password, "new_password": new_password}
        assert step("password", "POST", "/auth/password", token, json=change).status_code == 204
        assert step("old-token", "GET", "/tasks", token).status_code == 401
        form = {"username": email, "password": new_password}
        tokens.append(token := step("login-form", "POST", "/auth/login", data=form).json()["access_token"])
        wrong = {"email": email, "password": password}
        assert step("wrong", "POST", "/auth/login", json=wrong).status_code == 401
        assert step("logout", "POST", "/auth/logout", token).status_code == 204
    stdout, stderr = server.stop()

    lines = parse_lines(stderr)  # every line on stderr is JSON
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "alembic.runtime.migration", "todo_app", "todo_app.access"} <= loggers
    secrets = [password, new_password, email, TEST_SECRET]
    for token in tokens:
        secrets += [token, token.rsplit(".", 1)[1]]
    for secret in secrets:
        assert secret not in stderr
        assert secret not in stdout
    access = {line["request_id"]: line for line in access_lines(lines)}
    expected = {
        "signup": ("POST", "/auth/signup", 201, None),
        "login": ("POST", "/auth/login", 200, None),
        "me": ("GET", "/auth/me", 200, user_id),
        "update": ("PATCH", "/tasks/{task_id}", 200, user_id),
        "list": ("GET", "/tasks", 200, user_id),
        "delete": ("DELETE", "/tasks/{task_id}", 204, user_id),
        "password": ("POST", "/auth/password", 204, user_id),
        "old-token": ("GET", "/tasks", 401, None),
        "wrong": ("POST", "/auth/login", 401, None),
        "logout": ("POST", "/auth/logout", 204, user_id),
    }
    for name, (method, route, status, user) in expected.items():
        line = access[f"journey-{name}"]
        assert [line["method"], line["route"], line["status"], line.get("user_id")] == [
            method,
            route,
            status,
            user,
        ]


def test_a_bad_log_setting_stops_serve_with_one_line(tmp_path):
    env = clean_env(tmp_path, LOG_FORMAT="yaml")
    proc = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["todo-app: error: LOG_FORMAT: Input should be 'json' or 'text'"]


def test_serve_flags_override_the_settings_for_every_worker(tmp_path, monkeypatch):
    """--log-level and --no-access-log reach the workers through the environment; uvicorn gets our
    logging configuration and never writes its own access line."""
    import uvicorn

    from todo_app import cli

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: runs.append(kwargs))
    for name in ("DATABASE_URL", "JWT_SECRET", "DATA_DIR", "MIGRATION_DATABASE_URL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("LOG_ACCESS", "true")
    try:
        assert cli.main(["serve", "--port", "0"]) == 0
        assert (os.environ["LOG_LEVEL"], os.environ["LOG_ACCESS"]) == ("warning", "true")
        assert cli.main(["serve", "--port", "0", "--log-level", "debug", "--no-access-log"]) == 0
        assert (os.environ["LOG_LEVEL"], os.environ["LOG_ACCESS"]) == ("debug", "false")
    finally:
        logs.configure("json", "info")
    assert [run["access_log"] for run in runs] == [False, False]
    assert runs[0]["log_config"] == logs.dict_config(None, "warning")
    assert runs[1]["log_config"] == logs.dict_config(None, "debug")
    assert "log_level" not in runs[1]  # levels come from log_config alone
