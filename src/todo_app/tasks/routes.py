"""/tasks: the caller's own tasks. Each handler is one service call plus HTTP concerns."""

import hashlib
from collections.abc import Awaitable
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Request, Response, status

from todo_app.deps import CurrentUser, Db
from todo_app.errors import Unprocessable
from todo_app.responses import json_response
from todo_app.tasks import bulk, etag, pages, service, tagnames
from todo_app.tasks import cursor as cursors
from todo_app.tasks.params import DeleteParams, FilterParams, ListParams, from_query, query_parameters
from todo_app.tasks.quickadd import QuickAdd, QuickAddError, parse
from todo_app.tasks.schemas import (
    BulkChange,
    BulkDeleted,
    BulkUpdated,
    CompletionPublic,
    QuickAddPublic,
    QuickAddRequest,
    Recurrence,
    TaskCreate,
    TaskPublic,
    TaskReplace,
    TaskUpdate,
    quick_add_fields,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such task among the caller's tasks"}}


def _cursor_secret(request: Request) -> bytes:
    """The key listing cursors are signed with, derived from JWT_SECRET (once per app)."""
    state = request.app.state
    if not hasattr(state, "cursor_secret"):
        secret = state.settings.jwt_secret.get_secret_value().encode()
        state.cursor_secret = hashlib.sha256(b"todo-app listing cursor\0" + secret).digest()
    return cast(bytes, state.cursor_secret)  # (app.state is untyped)


@router.get(
    "",
    response_model=list[TaskPublic],
    responses={422: {"description": "A bad parameter, or a cursor made for another listing"}},
    openapi_extra=query_parameters(ListParams),
)
async def list_tasks(
    request: Request,
    params: Annotated[ListParams, Depends(from_query(ListParams))],
    db: Db,
    user: CurrentUser,
) -> Response:
    """The caller's tasks that match every filter, one page at a time. `X-Total-Count` counts all
    that match; a `Link: <...>; rel="next"` header leads to the next page while more remain."""
    if params.offset is not None and params.cursor is not None:
        raise Unprocessable("Give either offset or cursor, not both")
    try:
        tasks, total, next_cursor = await pages.list_page(
            db,
            user=user,
            filters=params.filters(),
            sort=params.sort,
            limit=params.limit,
            offset=params.offset or 0,
            cursor=params.cursor,
            secret=_cursor_secret(request),
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
    return json_response(tasks, headers=headers)


def _quick_add(text: str, user: CurrentUser) -> QuickAdd:
    try:
        return parse(text, today=service.today_for(user))
    except QuickAddError as exc:
        raise Unprocessable(str(exc)) from None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def create_task(body: TaskCreate, db: Db, user: CurrentUser) -> Response:
    """A new task from `title`, or from quick-add `text` (see POST /tasks/parse)."""
    fields = body.model_dump(exclude={"text", "tags"}, exclude_unset=body.text is not None, by_alias=True)
    tag_names = list(body.tags)
    if body.text is not None:
        fields, tag_names = quick_add_fields(_quick_add(body.text, user), {**fields, "tags": tag_names})
    task = await service.create(db, user=user, fields=fields, tag_names=tag_names)
    return _task(task, status.HTTP_201_CREATED)


@router.post("/parse", response_model=QuickAddPublic)
async def parse_quick_add(body: QuickAddRequest, user: CurrentUser) -> QuickAddPublic:
    """What POST /tasks would make of this quick-add text, in the caller's time zone; nothing is
    stored. `#tag`, `!low`/`!medium`/`!high`/`!urgent`, `^today`/`^tomorrow`/`^mon`.../`^YYYY-MM-DD`,
    each date optionally with `@HH:MM`; `*daily`, `*weekdays`, `*weekly`, `*monthly`, `*yearly`, `*mon`...
    for a task that repeats."""
    parsed = _quick_add(body.text, user)
    return QuickAddPublic(
        title=parsed.title,
        tags=tagnames.ordered(parsed.tags),
        priority=parsed.priority,
        due_date=parsed.due_date,
        due_time=parsed.due_time.strftime("%H:%M") if parsed.due_time else None,
        recurrence=Recurrence(rule=parsed.recurrence) if parsed.recurrence else None,
    )


@router.patch("", response_model=BulkUpdated, openapi_extra=query_parameters(FilterParams))
async def update_tasks(
    body: BulkChange,
    params: Annotated[FilterParams, Depends(from_query(FilterParams))],
    db: Db,
    user: CurrentUser,
) -> BulkUpdated:
    """Change every task that matches the filters (all of the caller's tasks without any), in one
    transaction."""
    filters = params.filters()
    return BulkUpdated(updated=await bulk.update_matching(db, user=user, filters=filters, change=body))


@router.delete(
    "",
    response_model=BulkDeleted,
    responses={422: {"description": "No filter and no all=true"}},
    openapi_extra=query_parameters(DeleteParams),
)
async def delete_tasks(
    params: Annotated[DeleteParams, Depends(from_query(DeleteParams))], db: Db, user: CurrentUser
) -> BulkDeleted:
    """Delete every task that matches the filters, in one transaction."""
    filters = params.filters(everything=params.all)
    return BulkDeleted(deleted=await bulk.delete_matching(db, user=user, filters=filters))


# The documented pattern is what etag.parse accepts; it decides (422 otherwise).
ENTITY_TAGS = {"pattern": etag.PATTERN, "maxLength": etag.MAX_HEADER_CHARS}
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='Change only if the task\'s ETag is one of these (`"7"`, or `*` for any version); '
        "412 with the current task otherwise",
        json_schema_extra=ENTITY_TAGS,
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="304 when the task's ETag is one of these",
        json_schema_extra=ENTITY_TAGS,
    ),
]
PRECONDITION: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names another version: nothing changed; the body is the current task"}
}


def _condition(header: str | None) -> etag.Condition | None:
    try:
        return etag.parse(header)
    except etag.MalformedCondition:
        raise Unprocessable('If-Match and If-None-Match take * or entity tags such as "7"') from None


def _task(task: dict[str, Any], status_code: int = 200) -> Response:
    return json_response(task, status_code, headers={"ETag": etag.of(task["version"])})


async def _write(write: Awaitable[dict[str, Any] | None], status_code: int = 200) -> Response:
    """The written task with its ETag (or 204), or 412 with the current task."""
    try:
        task = await write
    except service.PreconditionFailed as failed:
        return _task(failed.task, status.HTTP_412_PRECONDITION_FAILED)
    return Response(status_code=204) if task is None else _task(task, status_code)


@router.get(
    "/{task_id:int}", response_model=TaskPublic, responses={**NOT_FOUND, 304: {"description": "Not modified"}}
)
async def get_task(task_id: int, db: Db, user: CurrentUser, if_none_match: IfNoneMatch = None) -> Response:
    condition = _condition(if_none_match)
    task = await service.get(db, user_id=user.id, task_id=task_id)
    if condition is not None and condition.matches_weakly(task["version"]):
        return Response(status_code=304, headers={"ETag": etag.of(task["version"])})
    return _task(task)


@router.put("/{task_id:int}", response_model=TaskPublic, responses={**NOT_FOUND, **PRECONDITION})
async def replace_task(
    task_id: int, body: TaskReplace, db: Db, user: CurrentUser, if_match: IfMatch = None
) -> Response:
    changes = body.model_dump(by_alias=True)
    condition = _condition(if_match)
    return await _write(
        service.update_fields(db, user_id=user.id, task_id=task_id, changes=changes, if_match=condition)
    )


@router.patch("/{task_id:int}", response_model=TaskPublic, responses={**NOT_FOUND, **PRECONDITION})
async def update_task(
    task_id: int, body: TaskUpdate, db: Db, user: CurrentUser, if_match: IfMatch = None
) -> Response:
    changes = body.changes()
    condition = _condition(if_match)
    return await _write(
        service.update_fields(db, user_id=user.id, task_id=task_id, changes=changes, if_match=condition)
    )


@router.patch("/{task_id:int}/complete", response_model=TaskPublic, responses={**NOT_FOUND, **PRECONDITION})
async def toggle_task(task_id: int, db: Db, user: CurrentUser, if_match: IfMatch = None) -> Response:
    condition = _condition(if_match)
    return await _write(service.toggle(db, user_id=user.id, task_id=task_id, if_match=condition))


@router.delete(
    "/{task_id:int}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **PRECONDITION}
)
async def delete_task(task_id: int, db: Db, user: CurrentUser, if_match: IfMatch = None) -> Response:
    """Move the task to the trash (see /trash: restore or delete for good)."""
    condition = _condition(if_match)
    return await _write(service.delete_one(db, user_id=user.id, task_id=task_id, if_match=condition))


@router.post(
    "/{task_id:int}/skip",
    response_model=TaskPublic,
    responses={
        **NOT_FOUND,
        **PRECONDITION,
        409: {"description": "The task does not repeat, is completed, or its series has no further date"},
    },
)
async def skip_occurrence(task_id: int, db: Db, user: CurrentUser, if_match: IfMatch = None) -> Response:
    """Move a recurring task to its next occurrence without recording a completion."""
    condition = _condition(if_match)
    return await _write(service.skip(db, user_id=user.id, task_id=task_id, if_match=condition))


@router.get("/{task_id:int}/completions", response_model=list[CompletionPublic], responses=NOT_FOUND)
async def list_completions(task_id: int, db: Db, user: CurrentUser) -> Response:
    """Every completed occurrence of a recurring task, newest first, kept as long as the task."""
    return json_response(await service.completions(db, user_id=user.id, task_id=task_id))
