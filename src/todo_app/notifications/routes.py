"""/notifications: what the caller's reminders produced. Each handler is one service call plus HTTP
concerns."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, status

from todo_app.db.types import MAX_ID
from todo_app.deps import CurrentUser, Db
from todo_app.notifications import service
from todo_app.notifications.schemas import NotificationPublic
from todo_app.responses import json_response

router = APIRouter(prefix="/notifications", tags=["notifications"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such notification among the caller's"}}


PAGE_HEADERS: dict[str, Any] = {
    "X-Unread-Count": {
        "description": "How many of the caller's notifications are unread, whatever the filters",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": 'On a full page: `<url>; rel="next"`, the same query with `before_id`',
        "schema": {"type": "string"},
    },
}


@router.get(
    "",
    response_model=list[NotificationPublic],
    responses={200: {"description": "Newest first", "headers": PAGE_HEADERS}},
)
async def list_notifications(
    request: Request,
    db: Db,
    user: CurrentUser,
    unread: Annotated[bool | None, Query(description="true: unread only; false: read only")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only those older than this id (the next page)")
    ] = None,
) -> Response:
    """The caller's notifications, newest first. A full page carries `Link: <...>; rel="next"`: the
    same query with `before_id` set to the page's last id. `X-Unread-Count` counts every unread one
    (for a badge), whatever the filters."""
    items, unread_count = await service.page(
        db, user_id=user.id, unread=unread, limit=limit, before_id=before_id
    )
    headers = {"X-Unread-Count": str(unread_count)}
    if len(items) == limit:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "before_id"]
        next_url = request.url.replace(query=urlencode([*query, ("before_id", items[-1]["id"])]))
        headers["Link"] = f'<{next_url}>; rel="next"'
    return json_response(items, headers=headers)


@router.post("/read-all", status_code=status.HTTP_204_NO_CONTENT)
async def read_all(db: Db, user: CurrentUser) -> Response:
    """Mark every notification of the caller's read."""
    await service.mark_all_read(db, user_id=user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def read_one(notification_id: int, db: Db, user: CurrentUser) -> Response:
    """Mark one notification read (again: nothing changes)."""
    await service.mark_read(db, user_id=user.id, notification_id=notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
