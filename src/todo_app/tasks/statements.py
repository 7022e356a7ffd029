"""The statements of tasks/service.py, built once: every one scoped to the owner (`:owner`) and,
but for the trash's own, to live tasks."""

from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    String,
    Update,
    bindparam,
    case,
    delete,
    insert,
    literal,
    not_,
    select,
    update,
)
from sqlmodel import col

from todo_app.models import metadata
from todo_app.tasks import changes as changelog
from todo_app.tasks import listing
from todo_app.tasks.fields import STORED
from todo_app.tasks.listing import COLUMNS
from todo_app.tasks.models import Task, TaskChange, TaskTag
from todo_app.users.models import User

THIS_TASK = (col(Task.id) == bindparam("task_id"), col(Task.user_id) == bindparam("owner"), listing.LIVE)
# listing.COLUMNS as RETURNING can name them (the stored tag names unlabelled).
RETURNED = tuple(
    col(Task.tag_names) if field == "tags" else column
    for field, column in zip(listing.FIELDS, COLUMNS, strict=True)
)
GET = select(*COLUMNS).where(*THIS_TASK)
STATE = select(
    col(Task.completed),
    col(Task.completed_at),
    col(Task.due_date),
    col(Task.due_time),
    col(Task.recurrence_rule),
    col(Task.recurrence_from),
    col(Task.reminders),
).where(*THIS_TASK)
_TASK = metadata.tables["task"].c
_NEW_VALUES = {field: bindparam(f"new_{field}", type_=_TASK[field].type) for field in STORED}
_NOW = bindparam("now", type_=_TASK.created_at.type)
CREATE = (
    insert(Task)
    .values(
        user_id=bindparam("owner"),
        **_NEW_VALUES,
        version=bindparam("version"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*RETURNED)
)


def _create_in_one_statement() -> Select[*tuple[Any, ...]]:
    """PostgreSQL: the change number, the task and its change-log row in one statement (one round
    trip, atomic without a transaction block). No row when the owner is gone."""
    seq = (
        update(User)
        .where(col(User.id) == bindparam("owner"))
        .values(change_seq=col(User.change_seq) + 1)
        .returning(col(User.id), col(User.change_seq))
        .cte("next_change")
    )
    names = ["user_id", *STORED, "version", "created_at", "updated_at"]
    new = (
        insert(Task)
        .from_select(names, select(seq.c.id, *_NEW_VALUES.values(), seq.c.change_seq, _NOW, _NOW))
        .returning(*RETURNED, col(Task.user_id))
        .cte("new_task")
    )
    kind = literal(changelog.CREATED, type_=String())
    logged = (
        insert(TaskChange)
        .from_select(
            ["user_id", "seq", "task_id", "kind", "changed_at"],
            select(new.c.user_id, new.c.version, new.c.id, kind, _NOW),
        )
        .cte("logged")
    )
    returned_names = select(*RETURNED).selected_columns.keys()
    return select(*(new.c[name] for name in returned_names)).add_cte(logged)


CREATE_NOW = _create_in_one_statement()
TOGGLE = (
    update(Task)
    .where(*THIS_TASK)
    .values(
        completed=not_(col(Task.completed)),
        completed_at=case((col(Task.completed), None), else_=bindparam("now")),
        version=bindparam("version"),
        updated_at=bindparam("now"),
    )
)
# To the trash: its tag links go (tags count live tasks only); tag_names keeps the names.
TRASH = update(Task).where(*THIS_TASK).values(deleted_at=bindparam("now"), version=bindparam("version"))
UNLINK_TRASHED = delete(TaskTag).where(
    col(TaskTag.task_id).in_(
        select(col(Task.id)).where(
            col(Task.user_id) == bindparam("owner"),
            col(Task.version) == bindparam("version"),
            col(Task.deleted_at).is_not(None),
        )
    )
)


@cache
def update_statement(fields: frozenset[str]) -> Update:
    """UPDATE of exactly these fields; at most one statement per subset of STORED."""
    values: dict[str, BindParameter[Any]] = {field: bindparam(f"new_{field}") for field in sorted(fields)}
    return (
        update(Task)
        .where(*THIS_TASK)
        .values(**values, version=bindparam("version"), updated_at=bindparam("now"))
    )
