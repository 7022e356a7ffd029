"""/tasks: the caller's own tasks. Each handler is one service call plus HTTP concerns."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic_core import to_json

from todo_app.db.types import MAX_ID
from todo_app.deps import CurrentUser, Db
from todo_app.tasks import service
from todo_app.tasks.models import TaskCreate, TaskPublic, TaskReplace, TaskUpdate

router = APIRouter(prefix="/tasks", tags=["tasks"])
NOT_FOUND = {404: {"description": "No such task among the caller's tasks"}}


def _json(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Rows straight to JSON. The service selects exactly TaskPublic's columns, so FastAPI's
    re-validation of every row against `response_model` (kept for the OpenAPI schema) is skipped:
    on the list route it cost more CPU than the query."""
    return Response(to_json(data), status_code=status_code, media_type="application/json", headers=headers)


@router.get("", response_model=list[TaskPublic])
async def list_tasks(
    db: Db,
    user: CurrentUser,
    completed: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    tasks, total = await service.list_for(
        db, user_id=user.id, completed=completed, limit=limit, offset=offset
    )
    return _json(tasks, headers={"X-Total-Count": str(total)})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def create_task(body: TaskCreate, db: Db, user: CurrentUser) -> Response:
    return _json(await service.create(db, user_id=user.id, data=body), status.HTTP_201_CREATED)


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def get_task(task_id: int, db: Db, user: CurrentUser) -> Response:
    return _json(await service.get(db, user_id=user.id, task_id=task_id))


@router.put("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def replace_task(task_id: int, body: TaskReplace, db: Db, user: CurrentUser) -> Response:
    return _json(await service.update_fields(db, user_id=user.id, task_id=task_id, changes=body.model_dump()))


@router.patch("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def update_task(task_id: int, body: TaskUpdate, db: Db, user: CurrentUser) -> Response:
    return _json(await service.update_fields(db, user_id=user.id, task_id=task_id, changes=body.changes()))


@router.patch("/{task_id}/complete", response_model=TaskPublic, responses=NOT_FOUND)
async def toggle_task(task_id: int, db: Db, user: CurrentUser) -> Response:
    return _json(await service.toggle(db, user_id=user.id, task_id=task_id))


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(task_id: int, db: Db, user: CurrentUser) -> None:
    await service.delete_one(db, user_id=user.id, task_id=task_id)
