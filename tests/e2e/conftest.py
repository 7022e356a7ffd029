"""A live `todo-app serve` on a database of its own, and Debian's Chromium driven by Playwright.

Without Chromium the browser tests skip on a laptop; under CI=true they fail instead."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def live_server(pg_database: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg_database or f"sqlite:///{data / 'e2e.db'}",
        "JWT_SECRET": TEST_SECRET,
        "BCRYPT_ROUNDS": "4",
        "RATE_LIMIT_LOGIN_FAILURES": "0",
        "RATE_LIMIT_AUTH_PER_MINUTE": "0",
        "REMINDER_POLL_SECONDS": "1",  # a reminder becomes a notification within a second
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "todo_app.cli", "serve", "--port", str(port), "--log-level", "warning"]
    log = open(data / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, (data / "server.log").read_text()
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="package")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Contexts (separate cookie jars and storage: separate people) that fail the test on any page error."""
    contexts = []
    errors: list[str] = []

    def make(**options):
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert errors == [], errors


@pytest.fixture
def page(new_context):
    return new_context().new_page()
