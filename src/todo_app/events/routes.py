"""/events: the caller's task changes as they happen, as Server-Sent Events (events/stream.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel
from starlette.responses import JSONResponse

from todo_app.db import Connection
from todo_app.deps import CurrentSession, Db, bearer_token, get_db, session_from_token
from todo_app.errors import INVALID_TOKEN, AppError, TooManyRequests, Unauthorized, Unprocessable
from todo_app.events import service
from todo_app.events.hub import EventHub
from todo_app.events.service import StreamAuth
from todo_app.events.stream import HEADERS, RESET, EventStream, EventStreamResponse
from todo_app.sync import feed
from todo_app.tokens import TokenClaims

router = APIRouter(prefix="/events", tags=["events"])
# The stream must not keep the connection its set-up used: released when the handler returns.
SetUpDb = Annotated[Connection, Depends(get_db, scope="function")]
INVALID_TICKET = "Invalid, expired or already used ticket"


class ShuttingDown(AppError):
    status_code = 503
    default_headers = {"Retry-After": "2"}  # noqa: RUF012 (AppError's ClassVar)


class Ticket(BaseModel):
    ticket: str


@router.post("/ticket", response_model=Ticket)
async def create_ticket(session: CurrentSession, db: Db) -> JSONResponse:
    """A single-use ticket, valid 60 seconds, for `GET /events?ticket=` (EventSource cannot send an
    Authorization header). The stream it opens ends when this token is signed out or revoked."""
    ticket = await service.issue_ticket(db, auth=_auth(session.user.id, session.token))
    return JSONResponse({"ticket": ticket}, headers={"Cache-Control": "no-store"})


def _auth(user_id: int, claims: TokenClaims) -> StreamAuth:
    return StreamAuth(user_id=user_id, jti=claims.jti, token_version=claims.version, expires_at=claims.exp)


async def _authenticate(
    request: Request, db: Connection, token: str | None, ticket: str | None
) -> StreamAuth:
    """A ticket (spent by this call) or the bearer token; tokens are never taken from the query."""
    if ticket is not None:
        auth = await service.redeem_ticket(db, ticket=ticket)
        if auth is None or not await service.still_valid(db, auth):
            raise Unauthorized(INVALID_TICKET)
        return auth
    if not token:
        raise Unauthorized("Not authenticated")
    session = await session_from_token(request.app.state, db, token)
    if session is None:
        raise Unauthorized(INVALID_TOKEN)
    return _auth(session.user.id, session.token)


@router.get(
    "",
    status_code=200,
    response_class=EventStreamResponse,
    response_description="The stream",
    responses={
        401: {"description": "No valid token or ticket"},
        422: {"description": "A Last-Event-ID that is not one of the caller's cursors"},
        429: {"description": "The caller already has 10 streams open"},
    },
)
async def stream_events(
    request: Request,
    db: SetUpDb,
    token: Annotated[str | None, Depends(bearer_token)],
    ticket: Annotated[str | None, Query(description="A ticket from POST /events/ticket")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    resume: Annotated[
        str | None,
        Query(
            alias="last_event_id",
            max_length=feed.MAX_CURSOR_CHARS,
            description="As the Last-Event-ID header, for a new EventSource (which cannot set it)",
        ),
    ] = None,
) -> Response:
    """`task.created`, `task.updated`, `task.restored` (data: the task) and `task.deleted` (data:
    `{"id"}`) as they happen, each with its sync cursor as `id`; a comment line every 15 s. With
    `Last-Event-ID` it first replays what changed since; one too old to replay is answered with a
    single `reset` event: start over with GET /sync."""
    hub: EventHub = request.app.state.hub
    if hub.closing:
        raise ShuttingDown("The server is restarting; reconnect shortly")
    auth = await _authenticate(request, db, token, ticket)
    secret = feed.secret_for(request.app.state)
    cursor = last_event_id if last_event_id is not None else resume
    if cursor is None:
        start = await feed.head(db, user_id=auth.user_id)
    else:
        try:
            start = feed.decode_cursor(cursor.strip(), secret=secret, owner=auth.user_id)
            await feed.check_reachable(db, user_id=auth.user_id, position=start)
        except feed.InvalidCursor:
            raise Unprocessable(
                "Last-Event-ID is not a cursor of yours: start again with GET /sync"
            ) from None
        except feed.CursorTooOld:
            return Response(RESET, media_type=EventStreamResponse.media_type, headers=HEADERS)
    slot = await hub.slots.acquire(auth.user_id)
    if slot is None:
        raise TooManyRequests(
            f"At most {hub.slots.limit} event streams per user are open at once: close one first",
            retry_after=hub.heartbeat_seconds,
        )
    return EventStreamResponse(EventStream(hub, auth=auth, slot=slot, start=start, secret=secret))
