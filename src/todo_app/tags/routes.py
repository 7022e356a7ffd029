"""/tags: the caller's tags with their task counts; rename (merge) and remove."""

from typing import Any

from fastapi import APIRouter, Response, status

from todo_app.deps import CurrentUser, Db
from todo_app.tags import service
from todo_app.tags.schemas import TagPublic, TagRename

router = APIRouter(prefix="/tags", tags=["tags"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "None of the caller's tasks carries this tag"}
}


@router.get("", response_model=list[TagPublic])
async def list_tags(db: Db, user: CurrentUser) -> list[TagPublic]:
    """Every tag on at least one of the caller's tasks, by name (case-insensitively), with how
    many tasks carry it and how many of those are open."""
    return await service.list_for(db, user_id=user.id)


@router.patch("/{name:path}", response_model=TagPublic, responses=NOT_FOUND)
async def rename_tag(name: str, body: TagRename, db: Db, user: CurrentUser) -> TagPublic:
    """Rename the tag on every task. Renaming into the name of another tag merges the two."""
    return await service.rename(db, user_id=user.id, name=name, new_name=body.name)


@router.delete("/{name:path}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_tag(name: str, db: Db, user: CurrentUser) -> Response:
    """Take the tag off every task."""
    await service.remove(db, user_id=user.id, name=name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
