"""GET /health: 200 when the database answers, 503 when it does not."""

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])
DB_TIMEOUT_SECONDS = 5


@router.get("/health", responses={503: {"description": "The database does not answer"}})
async def health(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS):
            await request.app.state.db.ping()
    except Exception as exc:  # any failure to reach the database is "unavailable"
        log.warning("health check: database unavailable: %s", exc)
        return JSONResponse({"status": "unavailable", "detail": "Database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
