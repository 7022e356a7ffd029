"""Health checks, for people and for load balancers.

- `GET /health`: 200 when the database answers, 503 when it does not.
- `GET /health/live`: 200 whenever the process answers; it touches nothing else, so a database
  outage never makes a supervisor restart processes that would recover on their own.
- `GET /health/ready`: 200 when this process can serve: the database answers and its schema is the
  one this release's migrations build; 503 otherwise, saying which, so a load balancer sends it no
  traffic meanwhile.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import column, func, select, table

from todo_app import migrate
from todo_app.db import Connection, DatabaseUnavailable

log = logging.getLogger(__name__)
DB_TIMEOUT_SECONDS = 5


@asynccontextmanager
async def _read_shipped_schema(app: FastAPI) -> AsyncIterator[None]:
    """The migrations' head is a property of the installed release: read once, at start-up."""
    app.state.shipped_schema = await to_thread.run_sync(migrate.shipped_schema)
    yield


router = APIRouter(tags=["health"], lifespan=_read_shipped_schema)


class Healthy(BaseModel):
    status: Literal["ok"] = "ok"


class Unhealthy(BaseModel):
    status: Literal["unavailable"] = "unavailable"
    detail: str


_VERSION_TABLE = table("alembic_version", column("version_num"))
_REVISIONS = select(_VERSION_TABLE.c.version_num)
# Whether alembic_version exists (a database never migrated has none); per backend.
_HAS_REVISIONS = {
    "postgresql": select(func.to_regclass("alembic_version").is_not(None)),
    "sqlite": select(func.count())
    .select_from(table("sqlite_master", column("name")))
    .where(column("name") == "alembic_version"),
}


@router.get(
    "/health",
    response_model=Healthy,
    responses={503: {"model": Unhealthy, "description": "The database does not answer"}},
)
async def check_health(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS):
            await request.app.state.db.ping()
    except Exception as exc:  # any failure to reach the database is "unavailable"
        log.warning("health check: database unavailable: %s", exc)
        return JSONResponse({"status": "unavailable", "detail": "Database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/health/live", response_model=Healthy)
async def check_liveness() -> Healthy:
    """The process answers. Nothing else is checked: restart it when this fails."""
    return Healthy()


@router.get(
    "/health/ready",
    response_model=Healthy,
    responses={
        503: {
            "model": Unhealthy,
            "description": "Not ready: the database is unreachable, or its schema is behind this "
            "release's migrations (run `todo-app migrate`)",
        }
    },
)
async def check_readiness(request: Request) -> Healthy | JSONResponse:
    """Send this process traffic? Yes when the database answers and its schema is up to date."""
    shipped: migrate.ShippedSchema = request.app.state.shipped_schema
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS):
            async with request.app.state.db.connection() as db:
                current = await _schema_revisions(db)
    except (DatabaseUnavailable, TimeoutError) as exc:
        log.warning("readiness check: database unreachable: %s", exc or "no answer in time")
        return _unhealthy("Database unreachable")
    if shipped.behind(current):
        at = ", ".join(sorted(current)) or "none (never migrated)"
        return _unhealthy(
            f"Schema behind: the database is at revision {at}, this release expects {shipped.head}"
        )
    return Healthy()


async def _schema_revisions(db: Connection) -> set[str]:
    if not await db.scalar(_HAS_REVISIONS[db.backend]):
        return set()
    return {row[0] for row in await db.all(_REVISIONS)}


def _unhealthy(detail: str) -> JSONResponse:
    return JSONResponse(Unhealthy(detail=detail).model_dump(), status_code=503)
