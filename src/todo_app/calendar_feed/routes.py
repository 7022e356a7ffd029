"""/calendar: a secret iCalendar URL of the caller's open tasks, for calendar apps to subscribe to.

POST and DELETE /calendar/feed take the usual bearer token. GET /calendar/{secret}.ics takes none:
calendar apps cannot send one, so the secret in the URL is the credential, and every way it can be
wrong (malformed, unknown, replaced, revoked) gets the same 404. The access log and traces name the
route template, never the path (observability/access.py; tracing masks a parameter named `secret`).
"""

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from pydantic import BaseModel, Field

from todo_app.calendar_feed import service
from todo_app.deps import CurrentUser, Db
from todo_app.errors import NotFound

router = APIRouter(prefix="/calendar", tags=["calendar"])
NOT_FOUND = "Not found"
MEDIA_TYPE = "text/calendar; charset=utf-8"
# Calendar apps poll; a copy kept five minutes spares the database, and no shared cache may keep it.
CACHE_CONTROL = "private, max-age=300"


class FeedUrl(BaseModel):
    url: str = Field(
        description="The feed's path on this server. Anyone with it can read the feed: keep it secret. "
        "Shown only now; POST again to replace it (the old one stops working).",
        examples=["/calendar/3q2-7wE4yJ5fV0bXk1n9cQ8rT6uZ2aH4mL0pS7dG1eK.ics"],
    )


@router.post("/feed", status_code=status.HTTP_201_CREATED, response_model=FeedUrl)
async def create_feed(db: Db, user: CurrentUser, response: Response) -> FeedUrl:
    """A new secret URL for the caller's calendar feed, replacing any earlier one."""
    secret = await service.issue(db, user_id=user.id)
    response.headers["Cache-Control"] = "no-store"  # it carries the secret
    return FeedUrl(url=service.url_for(secret))


@router.delete("/feed", status_code=status.HTTP_204_NO_CONTENT)
async def delete_feed(db: Db, user: CurrentUser) -> Response:
    """Turn the feed off: its URL answers 404 from now on."""
    await service.revoke(db, user_id=user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{secret}.ics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {}},
            "description": "RFC 5545: a VTODO per open task with a due date",
        },
        304: {"description": "Not modified (If-None-Match)"},
        404: {"description": "No feed has this URL"},
    },
)
async def read_feed(
    secret: str,
    db: Db,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    """The feed: no Authorization header, the URL is the credential."""
    feed = await service.find(db, secret=secret)
    if feed is None:
        raise NotFound(NOT_FOUND)
    headers = {"ETag": feed.etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match is not None and _matches(if_none_match, feed.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = await service.render(feed)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


def _matches(header: str, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x"."""
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags
