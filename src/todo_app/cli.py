"""todo-app serve | migrate"""

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile

from pydantic import ValidationError

from todo_app.config import ConfigError, Settings, load_settings
from todo_app.db import parse_database_url
from todo_app.observability import logs


def _serve(args: argparse.Namespace) -> None:
    settings = load_settings()
    parse_database_url(settings.effective_database_url)  # refuse a bad URL before anything starts

    import uvicorn

    from todo_app import migrate
    from todo_app.http_limits import LimitedHttpToolsProtocol

    migrate.upgrade(settings)
    where = (
        "SQLite at " + settings.effective_database_url.removeprefix("sqlite:///")
        if (settings.uses_embedded_default)
        else "the configured database"
    )
    logging.getLogger("todo_app").info("schema up to date on %s", where)
    print(f"Todo service: open http://{args.host}:{args.port}/ (API docs at /docs)", flush=True)
    signal.signal(signal.SIGTERM, _stopped)
    metrics_dir = _metrics_dir(settings, args.workers)
    try:
        uvicorn.run(
            "todo_app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # httptools, with the request-head limit it lacks; each worker imports the class by name.
            http=LimitedHttpToolsProtocol,
            # Our handler and levels in this process and again in each worker, before the app loads.
            log_config=logs.dict_config(settings.log_format, settings.log_level),
            # uvicorn's access line named the raw path and cost a fifth of the list route's throughput;
            # the app writes its own (observability/access.py, LOG_ACCESS).
            access_log=False,
            proxy_headers=False,
            # SIGTERM: stop accepting, let requests in flight finish for up to this long, then cancel
            # them and run the lifespan's shutdown (event streams are ended at once, events/hub.py).
            timeout_graceful_shutdown=settings.shutdown_timeout,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _metrics_dir(settings: Settings, workers: int) -> str | None:
    """With metrics on and several workers, a new private directory where each worker keeps its
    metric values (prometheus-client's multiprocess mode; observability/metrics.py). Set in the
    environment before uvicorn starts the workers, which inherit it. One process counts in memory,
    so an inherited PROMETHEUS_MULTIPROC_DIR (another run's) is dropped."""
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if settings.metrics_token is None or workers <= 1:
        return None
    path = tempfile.mkdtemp(prefix="todo-app-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM outside uvicorn's own handler. uvicorn, once it has shut down gracefully, restores
    this handler and raises the signal again: a stop that was asked for and done exits 0 instead
    of dying of the signal (which supervisors would log as a failure)."""
    raise SystemExit(0)


def _migrate(_: argparse.Namespace) -> None:
    settings = load_settings()
    from todo_app import migrate

    migrate.upgrade(settings)
    print("database schema is up to date")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo-app", description="Multi-user todo service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations, then serve the API and web UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--log-level", choices=list(logs.LEVELS), help="overrides LOG_LEVEL (default info)")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        help="a log line per request; overrides LOG_ACCESS (default on)",
    )
    serve.set_defaults(func=_serve)
    mig = sub.add_parser("migrate", help="apply database migrations and exit")
    mig.set_defaults(func=_migrate)
    return parser


def _apply_log_options(args: argparse.Namespace) -> None:
    """`--log-level` and `--access-log` are LOG_LEVEL and LOG_ACCESS given on the command line. They
    go into the environment, because each worker process reads its settings from there afresh."""
    if getattr(args, "log_level", None) is not None:
        os.environ["LOG_LEVEL"] = args.log_level
    if getattr(args, "access_log", None) is not None:
        os.environ["LOG_ACCESS"] = "true" if args.access_log else "false"


def _configure_logging() -> None:
    """Log as configured before anything logs (load_settings may warn about the generated secret).
    A bad value is left to load_settings, which reports it in one line; until then, the defaults."""
    try:
        settings = Settings()
    except ValidationError:
        logs.configure(None, "info")
        return
    logs.configure(settings.log_format, settings.log_level)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _apply_log_options(args)
    _configure_logging()
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"todo-app: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
