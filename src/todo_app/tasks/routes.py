"""/tasks: the caller's own tasks. Each handler is one service call plus HTTP concerns."""

import hashlib
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError, to_json

from todo_app.db.types import MAX_ID
from todo_app.deps import CurrentUser, Db, SettingsDep
from todo_app.errors import Unprocessable
from todo_app.tasks import bulk, service, tagnames
from todo_app.tasks import cursor as cursors
from todo_app.tasks.listing import DEFAULT_SORT, SORTS, Filters
from todo_app.tasks.priority import Priority, rank
from todo_app.tasks.quickadd import QuickAddError, parse
from todo_app.tasks.schemas import (
    BulkChange,
    BulkDeleted,
    BulkUpdated,
    QuickAddPublic,
    QuickAddRequest,
    TaskCreate,
    TaskPublic,
    TaskReplace,
    TaskUpdate,
    parse_date,
    quick_add_fields,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])
NOT_FOUND = {404: {"description": "No such task among the caller's tasks"}}
MAX_IDS = 500
MAX_WORDS = 20
SortName = Annotated[str, Query(pattern="^-?(" + "|".join(s for s in SORTS if s[0] != "-") + ")$")]


def _json(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Rows straight to JSON. The service selects exactly TaskPublic's columns, so FastAPI's
    re-validation of every row against `response_model` (kept for the OpenAPI schema) is skipped:
    on the list route it cost more CPU than the query."""
    return Response(to_json(data), status_code=status_code, media_type="application/json", headers=headers)


def _ids(value: str) -> tuple[int, ...]:
    parts = value.split(",")
    if len(parts) > MAX_IDS or not all(p.strip().isdigit() and len(p.strip()) <= 19 for p in parts):
        raise PydanticCustomError("ids", f"ids are up to {MAX_IDS} task ids separated by commas")
    return tuple(sorted({int(p) for p in parts if 1 <= int(p) <= MAX_ID}))


def _tag_key(value: str) -> str:
    try:
        return tagnames.key(tagnames.clean(value))
    except tagnames.TagNameError as exc:
        raise PydanticCustomError("tag_invalid", str(exc)) from None


QueryDate = Annotated[date, BeforeValidator(parse_date)]


def task_filters(
    completed: bool | None = None,
    priority: Annotated[list[Priority] | None, Query(description="Any of these (repeat)")] = None,
    tag: Annotated[
        list[Annotated[str, AfterValidator(_tag_key)]] | None,
        Query(max_length=20, description="All of these, case-insensitively (repeat)"),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words that must each occur in the title or description"),
    ] = None,
    due_after: Annotated[QueryDate | None, Query(description="Due on or after this day")] = None,
    due_before: Annotated[QueryDate | None, Query(description="Due on or before this day")] = None,
    has_due: bool | None = None,
    overdue: Annotated[
        bool | None, Query(description="Open and due before now in the owner's time zone")
    ] = None,
    ids: Annotated[
        str | None,
        Query(description="Only these of the caller's tasks: ids separated by commas"),
        AfterValidator(_ids),
    ] = None,
) -> Filters:
    words = tuple(sorted({w.casefold() for w in (q or "").split()}))
    if len(words) > MAX_WORDS:
        raise Unprocessable(f"Search for at most {MAX_WORDS} words at once")
    return Filters(
        completed=completed,
        priorities=tuple(sorted({rank(p) for p in priority or ()})),
        tags=tuple(sorted(set(tag or ()))),
        words=words,
        due_after=due_after,
        due_before=due_before,
        has_due=has_due,
        overdue=overdue,
        ids=ids or (),  # type: ignore[arg-type]  (the validator made it a tuple)
    )


TaskFilters = Annotated[Filters, Depends(task_filters)]


def _cursor_secret(settings: SettingsDep) -> bytes:
    return hashlib.sha256(
        b"todo-app listing cursor\0" + settings.jwt_secret.get_secret_value().encode()
    ).digest()


@router.get(
    "",
    response_model=list[TaskPublic],
    responses={422: {"description": "A bad parameter, or a cursor made for another listing"}},
)
async def list_tasks(
    request: Request,
    db: Db,
    user: CurrentUser,
    filters: TaskFilters,
    secret: Annotated[bytes, Depends(_cursor_secret)],
    sort: SortName = DEFAULT_SORT,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    cursor: Annotated[str | None, Query(max_length=cursors.MAX_CURSOR_CHARS)] = None,
) -> Response:
    """The caller's tasks that match every filter, one page at a time. `X-Total-Count` counts all
    that match; a `Link: <...>; rel="next"` header leads to the next page while more remain."""
    if offset is not None and cursor is not None:
        raise Unprocessable("Give either offset or cursor, not both")
    try:
        tasks, total, next_cursor = await service.list_page(
            db,
            user=user,
            filters=filters,
            sort=sort,
            limit=limit,
            offset=offset or 0,
            cursor=cursor,
            secret=secret,
        )
    except cursors.InvalidCursor:
        raise Unprocessable(
            "This cursor is invalid or belongs to another listing: start again without it"
        ) from None
    headers = {"X-Total-Count": str(total)}
    if next_cursor is not None:
        query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "cursor")]
        next_url = request.url.replace(query=urlencode([*query, ("cursor", next_cursor)]))
        headers["Link"] = f'<{next_url}>; rel="next"'
    return _json(tasks, headers=headers)


def _quick_add(text: str, user: CurrentUser):  # type: ignore[no-untyped-def]
    try:
        return parse(text, today=service.today_for(user))
    except QuickAddError as exc:
        raise Unprocessable(str(exc)) from None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def create_task(body: TaskCreate, db: Db, user: CurrentUser) -> Response:
    """A new task from `title`, or from quick-add `text` (see POST /tasks/parse)."""
    fields = body.model_dump(exclude={"text", "tags"}, exclude_unset=body.text is not None)
    tag_names = list(body.tags)
    if body.text is not None:
        fields, tag_names = quick_add_fields(_quick_add(body.text, user), {**fields, "tags": tag_names})
    task = await service.create(db, user=user, fields=fields, tag_names=tag_names)
    return _json(task, status.HTTP_201_CREATED)


@router.post("/parse", response_model=QuickAddPublic)
async def parse_quick_add(body: QuickAddRequest, user: CurrentUser) -> QuickAddPublic:
    """What POST /tasks would make of this quick-add text, in the caller's time zone; nothing is
    stored. `#tag`, `!low`/`!medium`/`!high`/`!urgent`, `^today`/`^tomorrow`/`^mon`.../`^YYYY-MM-DD`,
    each date optionally with `@HH:MM`."""
    parsed = _quick_add(body.text, user)
    return QuickAddPublic(
        title=parsed.title,
        tags=tagnames.ordered(parsed.tags),
        priority=parsed.priority,
        due_date=parsed.due_date,
        due_time=parsed.due_time.strftime("%H:%M") if parsed.due_time else None,
    )


@router.patch("", response_model=BulkUpdated)
async def update_tasks(body: BulkChange, filters: TaskFilters, db: Db, user: CurrentUser) -> BulkUpdated:
    """Change every task that matches the filters (all of the caller's tasks without any), in one
    transaction."""
    return BulkUpdated(updated=await bulk.update_matching(db, user=user, filters=filters, change=body))


@router.delete("", response_model=BulkDeleted, responses={422: {"description": "No filter and no all=true"}})
async def delete_tasks(
    filters: TaskFilters,
    db: Db,
    user: CurrentUser,
    all: Annotated[bool, Query(description="Required to delete every task (no filter)")] = False,
) -> BulkDeleted:
    """Delete every task that matches the filters, in one transaction."""
    everything = Filters(**{**filters.__dict__, "everything": all})
    return BulkDeleted(deleted=await bulk.delete_matching(db, user=user, filters=everything))


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def get_task(task_id: int, db: Db, user: CurrentUser) -> Response:
    return _json(await service.get(db, user_id=user.id, task_id=task_id))


@router.put("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def replace_task(task_id: int, body: TaskReplace, db: Db, user: CurrentUser) -> Response:
    changes = body.model_dump()
    return _json(await service.update_fields(db, user_id=user.id, task_id=task_id, changes=changes))


@router.patch("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def update_task(task_id: int, body: TaskUpdate, db: Db, user: CurrentUser) -> Response:
    return _json(await service.update_fields(db, user_id=user.id, task_id=task_id, changes=body.changes()))


@router.patch("/{task_id}/complete", response_model=TaskPublic, responses=NOT_FOUND)
async def toggle_task(task_id: int, db: Db, user: CurrentUser) -> Response:
    return _json(await service.toggle(db, user_id=user.id, task_id=task_id))


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(task_id: int, db: Db, user: CurrentUser) -> None:
    await service.delete_one(db, user_id=user.id, task_id=task_id)
