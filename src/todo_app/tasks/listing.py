"""Which of an owner's tasks a listing (or a bulk change) means, in which order: filters and sorts
turned into SQLAlchemy Core, built once per shape of request. Pure: no I/O.

Every order is "sort key, then newest id first". Sorting and seeking use the same key expression
as the indexes in models.py, so a page, also one deep in by cursor, is one index seek.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnClause,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    column,
    exists,
    false,
    func,
    literal_column,
    not_,
    select,
    table,
    true,
    tuple_,
    update,
)
from sqlmodel import col

from todo_app.tasks.models import DUE_FIRST_KEY, DUE_LAST_KEY, NEG_ID, TITLE_KEY, Tag, Task, TaskTag
from todo_app.tasks.sqlfuncs import tag_names
from todo_app.users.models import User

OWNER = col(Task.user_id) == bindparam("owner")
LIVE = col(Task.deleted_at).is_(None)  # not in the trash
NO_DUE: ColumnClause[str] = literal_column("'~'")  # DUE_FIRST_KEY of a task without a due date
LIKE_ESCAPE = "!"
# The text `q` searches; PostgreSQL has a trigram index on exactly this expression.
SEARCH_TEXT = (
    col(Task.title) + literal_column("' '") + func.coalesce(col(Task.description), literal_column("''"))
)
# SQLite's FTS5 trigram index (migration 0004) matches words of at least three characters.
TASK_SEARCH = table("task_search", column("rowid"))
FTS_MIN_CHARS = 3


TAGS = (
    select(tag_names(col(Tag.name)))
    .select_from(TaskTag)
    .join(Tag, col(Tag.id) == col(TaskTag.tag_id))
    .where(col(TaskTag.task_id) == col(Task.id))
    .scalar_subquery()
)
# Rewrites the stored tag names of the tasks a write stamped with its change number (or of one task).
RETAG = update(Task).where(OWNER, col(Task.version) == bindparam("version")).values(tag_names=TAGS)
RETAG_ONE = update(Task).where(OWNER, col(Task.id) == bindparam("task_id")).values(tag_names=TAGS)
COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    col(Task.id),
    col(Task.title),
    col(Task.description),
    col(Task.completed),
    col(Task.completed_at),
    col(Task.due_date),
    col(Task.due_time),
    col(Task.priority),
    col(Task.tag_names).label("tags"),
    col(Task.created_at),
    col(Task.updated_at),
    col(Task.version),
    col(Task.recurrence_rule),
    col(Task.recurrence_from),
    col(Task.reminders),
)
FIELDS = tuple(select(*COLUMNS).selected_columns.keys())


@dataclass(frozen=True)
class Sort:
    key: Any
    ascending: bool  # the key's direction; ties are always newest id first

    def order(self) -> tuple[Any, ...]:
        if self.ascending:
            return (self.key.asc(), NEG_ID.asc())
        return (self.key.desc(), col(Task.id).desc())

    def after(self, part: str) -> Any:
        """Rows strictly after the cursor's (key, id). `part` "all": one row comparison, which
        PostgreSQL seeks by. SQLite seeks only by the first column of a row comparison, so a large
        group of equal keys (one priority, no due date) would be read from its start: it asks in
        two parts, each one seek: "ties" (the cursor's key, later ids) then "beyond" (later keys)."""
        key = bindparam("after_key", type_=self.key.type)
        later_id = (
            bindparam("after_neg_id") < NEG_ID if self.ascending else col(Task.id) < bindparam("after_id")
        )
        if part == "ties":
            return and_(self.key == key, later_id)
        if part == "beyond":
            return self.key > key if self.ascending else self.key < key
        if self.ascending:
            return tuple_(self.key, NEG_ID) > tuple_(key, bindparam("after_neg_id"))
        return tuple_(self.key, col(Task.id)) < tuple_(key, bindparam("after_id"))


SORTS = {
    "created": Sort(col(Task.created_at), True),
    "-created": Sort(col(Task.created_at), False),
    "updated": Sort(col(Task.updated_at), True),
    "-updated": Sort(col(Task.updated_at), False),
    "priority": Sort(col(Task.priority), False),  # urgent (4) first
    "-priority": Sort(col(Task.priority), True),
    "title": Sort(TITLE_KEY, True),
    "-title": Sort(TITLE_KEY, False),
    "due": Sort(DUE_FIRST_KEY, True),
    "-due": Sort(DUE_LAST_KEY, False),
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class Filters:
    """A listing's filters in canonical form (sorted, deduplicated), all combined with AND."""

    completed: bool | None = None
    priorities: tuple[int, ...] = ()  # ranks, any of
    tags: tuple[str, ...] = ()  # tag keys, all of
    words: tuple[str, ...] = ()  # each a substring of title or description
    due_after: date | None = None
    due_before: date | None = None
    has_due: bool | None = None
    overdue: bool | None = None
    ids: tuple[int, ...] = ()
    everything: bool = field(default=False, compare=False)  # DELETE /tasks?all=true

    def narrows(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class Shape:
    """What a statement's SQL depends on (not the values): statements are cached by it."""

    completed: bool | None
    priorities: int
    tags: int
    fts: bool
    likes: int
    due_after: bool
    due_before: bool
    has_due: bool | None
    overdue: bool | None
    ids: int

    @property
    def data_dependent(self) -> bool:
        """How many rows match depends on the values (a tag, search words, the time): such a
        statement is planned for its values each time, never from a cached generic plan."""
        return bool(self.tags or self.fts or self.likes or self.overdue is not None)


ONE_TAG = Shape(
    completed=None,
    priorities=0,
    tags=1,
    fts=False,
    likes=0,
    due_after=False,
    due_before=False,
    has_due=None,
    overdue=None,
    ids=0,
)


def _search_plan(words: tuple[str, ...], backend: str) -> tuple[list[str], list[str]]:
    """(words for SQLite's FTS5 index, words for LIKE/ILIKE)."""
    if backend != "sqlite":
        return [], list(words)
    return [w for w in words if len(w) >= FTS_MIN_CHARS], [w for w in words if len(w) < FTS_MIN_CHARS]


def shape_of(filters: Filters, backend: str) -> Shape:
    fts, likes = _search_plan(filters.words, backend)
    return Shape(
        completed=filters.completed,
        priorities=len(filters.priorities),
        tags=len(filters.tags),
        fts=bool(fts),
        likes=len(likes),
        due_after=filters.due_after is not None,
        due_before=filters.due_before is not None,
        has_due=filters.has_due,
        overdue=filters.overdue,
        ids=len(filters.ids),
    )


def _like_pattern(word: str) -> str:
    escaped = word.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def _fts_query(words: list[str]) -> str:
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def filter_params(
    filters: Filters, backend: str, *, now_key: str, tag_ids: tuple[int, ...] = ()
) -> dict[str, Any]:
    """The bind values for `where(shape_of(filters, backend))`; `tag_ids` are the ids of
    `filters.tags`, in order."""
    fts, likes = _search_plan(filters.words, backend)
    params: dict[str, Any] = {"completed": filters.completed, "now_key": now_key}
    params.update({f"priority{i}": rank for i, rank in enumerate(filters.priorities)})
    params.update({f"tag{i}": tag_id for i, tag_id in enumerate(tag_ids)})
    params.update({f"like{i}": _like_pattern(w) for i, w in enumerate(likes)})
    params.update({f"id{i}": task_id for i, task_id in enumerate(filters.ids)})
    if fts:
        params["fts"] = _fts_query(fts)
    if filters.due_after is not None:
        params["due_after"] = filters.due_after.isoformat()
    if filters.due_before is not None:
        params["due_before_end"] = f"{filters.due_before.isoformat()}T24:00"
    return params


def _has_tag(i: int) -> Any:
    """The task carries tag `tag<i>` (an id: the service looks the names up first, so the planner
    sees the tag itself and can judge how many tasks carry it)."""
    return exists().where(col(TaskTag.task_id) == col(Task.id), col(TaskTag.tag_id) == bindparam(f"tag{i}"))


def where(shape: Shape) -> list[Any]:
    """The owner's tasks that match: `WHERE user_id = :owner AND ...`."""
    clauses: list[Any] = [OWNER, LIVE]
    if shape.completed is not None:
        clauses.append(col(Task.completed) == (true() if shape.completed else false()))
    if shape.priorities:
        clauses.append(col(Task.priority).in_([bindparam(f"priority{i}") for i in range(shape.priorities)]))
    clauses.extend(_has_tag(i) for i in range(shape.tags))
    if shape.fts:
        matches = select(TASK_SEARCH.c.rowid).where(literal_column("task_search").match(bindparam("fts")))
        clauses.append(col(Task.id).in_(matches))
    for i in range(shape.likes):
        clauses.append(SEARCH_TEXT.ilike(bindparam(f"like{i}"), escape=LIKE_ESCAPE))
    if shape.due_after:
        clauses.append(and_(bindparam("due_after") <= DUE_FIRST_KEY, DUE_FIRST_KEY < NO_DUE))
    if shape.due_before:
        clauses.append(bindparam("due_before_end") >= DUE_FIRST_KEY)
    if shape.has_due is not None:
        clauses.append(col(Task.due_key).is_not(None) if shape.has_due else col(Task.due_key).is_(None))
    if shape.overdue is not None:
        overdue = and_(col(Task.completed) == false(), bindparam("now_key") > DUE_FIRST_KEY)
        clauses.append(overdue if shape.overdue else not_(overdue))
    if shape.ids:
        clauses.append(col(Task.id).in_([bindparam(f"id{i}") for i in range(shape.ids)]))
    return clauses


def _counter(column: Any) -> Any:
    return select(column).where(col(User.id) == bindparam("owner")).scalar_subquery()


def total(shape: Shape) -> Any:
    """How many tasks match: from the owner's counters (kept by triggers) when only `completed`
    filters, else counted."""
    if shape == shape_of(Filters(completed=shape.completed), "postgresql"):
        if shape.completed is None:
            return _counter(col(User.task_count))
        return _counter(
            col(User.completed_count) if shape.completed else col(User.task_count) - col(User.completed_count)
        )
    if shape == ONE_TAG:  # every link of an owner's tag is to one of the owner's tasks
        return (
            select(func.count())
            .select_from(TaskTag)
            .where(col(TaskTag.tag_id) == bindparam("tag0"))
            .scalar_subquery()
        )
    return select(func.count()).select_from(Task).where(*where(shape)).scalar_subquery()


SNAPSHOT = select(col(User.change_seq)).where(col(User.id) == bindparam("owner")).scalar_subquery()


@lru_cache(maxsize=512)
def page(shape: Shape, sort_name: str, *, after: str | None) -> Select[*tuple[Any, ...]]:
    """One page: the task columns, the sort key, the total and the owner's change number. With
    `after` (see Sort.after), rows past a cursor that were not changed since the walk began."""
    sort = SORTS[sort_name]
    clauses = where(shape)
    if after is not None:
        # (version + 0: a term no index serves, so the planner seeks by the sort's index, not by version)
        clauses += [sort.after(after), col(Task.version) + literal_column("0") <= bindparam("snapshot")]
    return (
        select(*COLUMNS, sort.key.label("sort_key"), total(shape).label("total"), SNAPSHOT.label("snapshot"))
        .where(*clauses)
        .order_by(*(sort.order()[1:] if after == "ties" else sort.order()))  # ties: one key, by id
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@lru_cache(maxsize=512)
def count(shape: Shape) -> Select[Any]:
    return select(total(shape))


def due_key(due_date: date | None, due_time: str | None) -> str | None:
    """The stored key `due` sorts and `overdue` compares: a date without a time is at its end."""
    if due_date is None:
        return None
    return f"{due_date.isoformat()}T{due_time or '24:00'}"


def now_key(local_now: datetime) -> str:
    """Now, in the owner's zone, comparable with due keys (a task due at this minute is overdue)."""
    return local_now.strftime("%Y-%m-%dT%H:%M:%S.%f")
