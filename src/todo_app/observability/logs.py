"""Where log lines go and what they look like: one line each on stderr, JSON (for a log pipeline) or
text (for a person at a terminal), every one carrying the request id of the request it was written
for (request_id.py).

The same configuration reaches every process: `todo-app serve` hands `dict_config` to uvicorn, which
applies it in the parent and again in each worker before the app is imported (so even an import
error is a JSON line), and `create_app` calls `configure`, which does nothing when that handler is
already in place and installs it otherwise (the app run by another server, or by the tests).

LOG_LEVEL governs the service's own loggers, uvicorn's and Alembic's. Every other library logs
warnings and worse only: at DEBUG some of them (aiosqlite, SQLAlchemy's engine) would write SQL
statements with their parameters, password hashes and emails among them.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from todo_app.observability.request_id import RequestIdFilter

LEVELS = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}
FORMATS = ("json", "text")
GOVERNED_LOGGERS = ("todo_app", "uvicorn", "alembic")
QUIET_LOGGERS = {"alembic.runtime.plugins": logging.WARNING}  # one line per plugin at every start


def utc_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: `2026-05-01T09:30:00.123Z`."""
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, message, logger, request_id (inside a request), the
    record's `fields` (extra={"fields": {...}}, e.g. the access line's), and the exception text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": utc_time(record.created),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """`2026-05-01T09:30:00.123Z INFO todo_app.access [3f2a...] GET /tasks 200 1.84ms client=...`,
    then the traceback, if any, on the lines below."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        where = f" [{request_id}]" if request_id is not None else ""
        line = f"{utc_time(record.created)} {record.levelname} {record.name}{where} {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is when the line is written, not when the handler was made
    (the test runner swaps it per test; a handler holding the old one would write to a closed file).
    `key` is the (format, level) it was made for, so `configure` can tell it is already in place."""

    def __init__(self, key: tuple[str, str]) -> None:
        super().__init__()
        self.key = key

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        """The stream is always the current sys.stderr; StreamHandler's assignments are ignored."""


def make_handler(log_format: str, log_level: str) -> StderrHandler:
    """The one handler every process logs through (also named by `dict_config`, for uvicorn)."""
    handler = StderrHandler((log_format, log_level))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def resolve_format(log_format: str | None, stream: TextIO | None = None) -> str:
    """LOG_FORMAT, or by default text for a person at a terminal and JSON for anything else."""
    if log_format is not None:
        return log_format
    stream = stream if stream is not None else sys.stderr
    try:
        return "text" if stream is not None and stream.isatty() else "json"
    except ValueError:  # a closed stream
        return "json"


def levels(log_level: str) -> dict[str, int]:
    """Logger name ("" = root) -> level, for LOG_LEVEL."""
    level = LEVELS[log_level]
    return {
        "": max(level, logging.WARNING),
        **dict.fromkeys(GOVERNED_LOGGERS, level),
        **{name: max(level, quiet) for name, quiet in QUIET_LOGGERS.items()},
    }


def dict_config(log_format: str | None, log_level: str) -> dict[str, Any]:
    """`logging.config.dictConfig` form of `configure`, for uvicorn's `log_config` (it applies it in
    every worker process too). uvicorn's own access line stays off: ours replaces it."""
    log_format = resolve_format(log_format)
    named = {name: level for name, level in levels(log_level).items() if name}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {
            "stderr": {
                "()": f"{__name__}.make_handler",
                "log_format": log_format,
                "log_level": log_level,
            }
        },
        "root": {"level": levels(log_level)[""], "handlers": ["stderr"]},
        "loggers": {name: {"level": level} for name, level in named.items()},
    }


def configure(log_format: str | None, log_level: str) -> None:
    """Route every logger through one stderr handler of this format, at LOG_LEVEL. Idempotent, and
    leaves other handlers on the root logger alone (pytest's log capture, say)."""
    key = (resolve_format(log_format), log_level)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if isinstance(handler, StderrHandler)]
    if [handler.key for handler in ours] == [key]:
        return
    for handler in ours:
        root.removeHandler(handler)
    root.addHandler(make_handler(*key))
    for name, level in levels(log_level).items():
        logging.getLogger(name).setLevel(level)
