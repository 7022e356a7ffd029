"""todo-app serve | migrate"""

import argparse
import logging
import sys

from todo_app.config import ConfigError, load_settings
from todo_app.db import parse_database_url


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
    uvicorn.run(
        "todo_app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # httptools, with the request-head limit it lacks; each worker imports the class by name.
        http=LimitedHttpToolsProtocol,
        log_level=args.log_level,
        # One line per request is what the proxy in front already writes; on the list route the
        # line cost a fifth of the throughput. --access-log turns it on.
        access_log=args.access_log,
        proxy_headers=False,
    )


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
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.add_argument("--access-log", action="store_true", help="log a line per request (default: off)")
    serve.set_defaults(func=_serve)
    mig = sub.add_parser("migrate", help="apply database migrations and exit")
    mig.set_defaults(func=_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"todo-app: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
