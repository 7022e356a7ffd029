"""/trash: the caller's deleted tasks, to restore or delete for good."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from todo_app.db.types import MAX_ID
from todo_app.deps import CurrentUser, Db
from todo_app.errors import NotFound
from todo_app.responses import json_response
from todo_app.tasks import etag
from todo_app.tasks.schemas import TaskPublic
from todo_app.trash import service

router = APIRouter(prefix="/trash", tags=["trash"])
NOT_IN_TRASH: dict[int | str, dict[str, Any]] = {404: {"description": "No such task in the caller's trash"}}


class TrashedTask(TaskPublic):
    deleted_at: datetime = Field(description="When it was moved to the trash")


def _check_id(task_id: int) -> None:
    if not 1 <= task_id <= MAX_ID:
        raise NotFound("No such task in the trash")


@router.get("", response_model=list[TrashedTask])
async def list_trash(
    db: Db,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """Trashed tasks, latest deleted first; `X-Total-Count` counts them all. They are deleted for
    good after TRASH_RETENTION_DAYS."""
    tasks, total = await service.page(db, user_id=user.id, limit=limit, offset=offset)
    return json_response(tasks, headers={"X-Total-Count": str(total)})


@router.post("/{task_id}/restore", response_model=TaskPublic, responses=NOT_IN_TRASH)
async def restore_task(task_id: int, db: Db, user: CurrentUser) -> Response:
    """Back to the list, with the same id and fields."""
    _check_id(task_id)
    task = await service.restore(db, user_id=user.id, task_id=task_id)
    return json_response(task, headers={"ETag": etag.of(task["version"])})


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_IN_TRASH)
async def purge_task(task_id: int, db: Db, user: CurrentUser) -> None:
    """Delete a trashed task for good."""
    _check_id(task_id)
    await service.purge(db, user_id=user.id, task_id=task_id)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def empty_trash(db: Db, user: CurrentUser) -> None:
    """Delete every trashed task for good."""
    await service.empty(db, user_id=user.id)
