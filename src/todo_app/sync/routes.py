"""GET /sync: a full copy of the caller's tasks, then only what changed (sync/feed.py)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from todo_app.db.types import MAX_ID
from todo_app.deps import CurrentUser, Db
from todo_app.errors import AppError, Unprocessable
from todo_app.responses import json_response
from todo_app.sync import feed
from todo_app.sync.feed import Position
from todo_app.tasks.schemas import TaskPublic

router = APIRouter(tags=["sync"])
FULL, DELTA = "f", "d"
DEFAULT_LIMIT, MAX_LIMIT = 500, 1000


class Gone(AppError):
    status_code = 410


class FullSync(BaseModel):
    tasks: list[TaskPublic]
    cursor: str = Field(description="Send as `since` next time (or, with more=true, right away)")
    more: bool


class DeltaSync(BaseModel):
    changed: list[TaskPublic] = Field(description="Tasks created, changed or restored since the cursor")
    deleted: list[int] = Field(description="Ids of tasks moved to the trash or deleted for good since")
    cursor: str
    more: bool


def _decode(since: str, secret: bytes, owner: int) -> tuple[str, Position]:
    for prefix in (DELTA, FULL):
        if since.startswith(prefix):
            try:
                return prefix, feed.decode_cursor(since, secret=secret, owner=owner, prefix=prefix)
            except feed.InvalidCursor:
                break
    raise Unprocessable("This sync cursor is malformed or not yours: start again with GET /sync")


@router.get(
    "/sync",
    response_model=FullSync | DeltaSync,
    responses={
        410: {"description": "The cursor is too old to answer: start again with GET /sync"},
        422: {"description": "A malformed cursor"},
    },
)
async def sync_tasks(
    request: Request,
    db: Db,
    user: CurrentUser,
    since: Annotated[str | None, Query(max_length=feed.MAX_CURSOR_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Without `since`: every live task and a cursor. With it: what changed since that cursor.
    Applying the answers in order leaves a client with exactly the server's tasks. When `more` is
    true, call again at once with the returned cursor."""
    secret = feed.secret_for(request.app.state)
    if since is None:
        phase, position = FULL, Position((await feed.head(db, user_id=user.id)).seq, 0)
    else:
        phase, position = _decode(since, secret, user.id)
    if phase == FULL:  # position: (the change number the copy began at, the last id sent)
        tasks = await feed.live_tasks(db, user_id=user.id, after_id=position.task_id, limit=limit + 1)
        more = len(tasks) > limit
        tasks = tasks[:limit]
        if more:
            next_position, prefix = Position(position.seq, tasks[-1]["id"]), FULL
        else:  # the copy is complete: from here on, changes after the number it began at
            next_position, prefix = Position(position.seq, MAX_ID), DELTA
        cursor = feed.encode_cursor(next_position, secret=secret, owner=user.id, prefix=prefix)
        return json_response({"tasks": tasks, "cursor": cursor, "more": more})
    try:
        await feed.check_reachable(db, user_id=user.id, position=position)
    except feed.CursorTooOld:
        raise Gone("This sync cursor is too old: start again with GET /sync") from None
    changes = await feed.changes_since(db, user_id=user.id, after=position, limit=limit + 1)
    more = len(changes) > limit
    changes = changes[:limit]
    if changes:
        position = changes[-1].position
    return json_response(
        {
            "changed": [change.task for change in changes if change.task is not None],
            "deleted": [change.position.task_id for change in changes if change.task is None],
            "cursor": feed.encode_cursor(position, secret=secret, owner=user.id, prefix=DELTA),
            "more": more,
        }
    )
