"""Errors that carry their HTTP status, and the handlers that render every error as JSON `detail`."""

import logging
import math
from typing import Any, ClassVar

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException

from todo_app.db import DatabaseUnavailable
from todo_app.observability.templates import route_template

log = logging.getLogger(__name__)


class AppError(Exception):
    status_code: ClassVar[int] = 400
    default_headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers if headers is not None else self.default_headers


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401
    default_headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


INVALID_TOKEN = "Invalid or expired token"  # noqa: S105 (a message)


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Unprocessable(AppError):
    """A request that is well-formed but cannot be applied (a bad quick-add token, a stale cursor)."""

    status_code = 422


class UnsupportedMediaType(AppError):
    status_code = 415


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, math.ceil(retry_after)))})


def _clean_validation_error(error: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's 422 item without `input` (it would echo passwords back) or non-JSON `ctx` values."""
    clean = {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"]}
    ctx = error.get("ctx")
    if ctx:
        clean["ctx"] = {k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in ctx.items()}
    return clean


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": [_clean_validation_error(e) for e in exc.errors()]}, status_code=422)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A lost or refused database connection is the service's outage, not the client's fault."""
    # (the route's template, not its path: a path can hold a secret, as the calendar feed's does)
    template = route_template(request.scope, request.scope.get("root_path", ""))
    log.error("database unavailable during %s %s: %s", request.method, template, exc)
    return JSONResponse(
        {"detail": "Database unavailable, try again shortly"}, status_code=503, headers={"Retry-After": "5"}
    )


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    """The path exists, the method does not: `Allow` lists every method of the path (routing's own
    named only the first route it matched), and a plain OPTIONS is answered 204 with that list (a
    CORS preflight never gets here: CORSMiddleware answers it first). Static files keep their 405."""
    assert isinstance(exc, HTTPException)
    path = request.scope["path"].removeprefix(request.scope.get("root_path", ""))
    methods = set[str]()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.path_regex.match(path):
            methods |= route.methods
    if not methods:
        return await http_exception_handler(request, exc)
    allow = {"Allow": ", ".join(sorted(methods | {"OPTIONS"}))}
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=allow)
    return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers=allow)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(405, _method_not_allowed)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
