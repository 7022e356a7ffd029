"""Log lines as the service writes them: JSON from the real stderr handler, read back per test."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_settings
from todo_app.config import Settings

ACCESS = "todo_app.access"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """JSON whatever the terminal: a run with `-s` at a terminal would otherwise default to text."""
    return make_settings(database_url, tmp_path, log_format="json")


def parse_lines(text: str) -> list[dict]:
    """Every non-empty line as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict]]:
    """The JSON lines written to stderr since the last call (or the start of the test)."""
    capsys.readouterr()

    def read() -> list[dict]:
        return parse_lines(capsys.readouterr().err)

    return read


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == ACCESS]
