"""The shape of a log line (JSON and text), how the format is chosen, and LOG_* settings."""

import io
import json
import logging
import logging.config
import re
import sys
from datetime import UTC, datetime

import pytest

from tests.conftest import client_for
from todo_app.config import ConfigError, load_settings
from todo_app.observability import logs

TEXT_ACCESS = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO todo_app\.access \[text-1\] "
    r"GET /tasks/\{task_id\} 401 \d+\.\d\dms client=127\.0\.0\.1"
)


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("todo_app.x", logging.WARNING, __file__, 1, message, args or ("world",), None)
    made.__dict__.update(extra)
    return made


def test_a_json_line_has_the_documented_keys_in_order():
    line = json.loads(logs.JsonFormatter().format(record(request_id="r-1", fields={"status": 200})))
    assert list(line) == ["time", "level", "message", "logger", "request_id", "status"]
    assert (line["level"], line["message"], line["logger"]) == ("WARNING", "hello world", "todo_app.x")
    assert line["time"].endswith("Z")
    written = datetime.fromisoformat(line["time"])
    assert written.utcoffset() is not None
    assert written.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - written).total_seconds()) < 60


def test_a_json_line_carries_the_exception_and_stays_one_line():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        failed = record(exc_info=sys.exc_info(), request_id=None)
    text = logs.JsonFormatter().format(failed)
    assert "\n" not in text
    line = json.loads(text)
    assert "request_id" not in line
    assert "ValueError: bad\nthing" in line["exception"]
    assert line["exception"].startswith("Traceback")


def test_a_text_line_is_readable():
    line = logs.TextFormatter().format(record(request_id="r-1"))
    assert line.endswith(" WARNING todo_app.x [r-1] hello world")
    assert "[" not in logs.TextFormatter().format(record(request_id=None))


@pytest.mark.parametrize(("tty", "expected"), [(True, "text"), (False, "json")])
def test_the_default_format_follows_the_terminal(tty, expected):
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    assert logs.resolve_format(None, Stream()) == expected
    assert logs.resolve_format("json", Stream()) == "json"
    assert logs.resolve_format("text", Stream()) == "text"


def test_the_default_format_of_a_closed_stream_is_json():
    stream = io.StringIO()
    stream.close()
    assert logs.resolve_format(None, stream) == "json"


def test_configure_is_idempotent_and_leaves_other_handlers_alone():
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        for _ in range(3):
            logs.configure("text", "debug")
        ours = [h for h in root.handlers if isinstance(h, logs.StderrHandler)]
        assert len(ours) == 1
        assert isinstance(ours[0].formatter, logs.TextFormatter)
        assert logging.getLogger("todo_app").level == logging.DEBUG
        logs.configure("json", "info")
        ours = [h for h in root.handlers if isinstance(h, logs.StderrHandler)]
        assert len(ours) == 1
        assert isinstance(ours[0].formatter, logs.JsonFormatter)
        assert logging.getLogger("todo_app").level == logging.INFO
        assert other in root.handlers
    finally:
        root.removeHandler(other)


def test_uvicorns_dict_config_installs_the_same_handler():
    """What `todo-app serve` hands uvicorn (applied in each worker) matches what create_app wants,
    so create_app leaves it in place."""
    root = logging.getLogger()
    logging.config.dictConfig(logs.dict_config("json", "warning"))
    [installed] = [h for h in root.handlers if isinstance(h, logs.StderrHandler)]
    assert installed.key == ("json", "warning")
    assert logging.getLogger("uvicorn").level == logging.WARNING
    logs.configure("json", "warning")
    assert [h for h in root.handlers if isinstance(h, logs.StderrHandler)] == [installed]
    logs.configure("json", "info")


def test_debug_is_for_our_loggers_only():
    """At DEBUG, libraries that would log SQL with its parameters stay at WARNING."""
    logs.configure("json", "debug")
    try:
        for name in ("todo_app.deps", "uvicorn.error", "alembic.runtime.migration"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.DEBUG, name
        for name in ("aiosqlite", "sqlalchemy.engine.Engine", "psycopg", "passlib", "redis"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    finally:
        logs.configure("json", "info")


async def test_log_format_text_writes_readable_access_lines(settings, capsys):
    async with client_for(settings, log_format="text") as client:
        capsys.readouterr()
        await client.get("/tasks/5", headers={"X-Request-ID": "text-1"})
        lines = capsys.readouterr().err.splitlines()
    logs.configure("json", "info")
    [line] = lines
    assert TEXT_ACCESS.fullmatch(line), line


def embedded_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The zero-configuration set-up, whatever the environment running the tests holds."""
    for name in ("DATABASE_URL", "JWT_SECRET", "DATA_DIR", "LOG_FORMAT", "LOG_LEVEL", "LOG_ACCESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: Input should be 'json' or 'text'"),
        (
            {"LOG_LEVEL": "verbose"},
            "LOG_LEVEL: Input should be 'critical', 'error', 'warning', 'info' or 'debug'",
        ),
        ({"LOG_ACCESS": "sometimes"}, "LOG_ACCESS: Input should be a valid boolean"),
    ],
)
def test_bad_log_settings_are_one_line_errors(monkeypatch, tmp_path, env, message):
    embedded_defaults(monkeypatch, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(message)


def test_log_settings_are_case_insensitive_and_blank_means_default(monkeypatch, tmp_path):
    embedded_defaults(monkeypatch, tmp_path)
    monkeypatch.setenv("LOG_FORMAT", " JSON ")
    monkeypatch.setenv("LOG_LEVEL", "Debug")
    monkeypatch.setenv("LOG_ACCESS", "false")
    settings = load_settings(_env_file=None)
    assert (settings.log_format, settings.log_level, settings.log_access) == ("json", "debug", False)
    monkeypatch.setenv("LOG_FORMAT", "")
    monkeypatch.setenv("LOG_LEVEL", "")
    monkeypatch.delenv("LOG_ACCESS")
    settings = load_settings(_env_file=None)
    assert (settings.log_format, settings.log_level, settings.log_access) == (None, "info", True)
