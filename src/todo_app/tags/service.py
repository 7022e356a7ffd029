"""An owner's tags: naming them on tasks, counting, renaming (merging) and removing them.

A tag is named in the spelling its owner used first; `Work` and `work` are one tag. A tag no task
carries is listed nowhere; the next task to use it names it afresh."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from todo_app.db import Connection
from todo_app.errors import NotFound
from todo_app.tags.schemas import TagPublic
from todo_app.tasks import changes as changelog
from todo_app.tasks import tagnames
from todo_app.tasks.changes import next_change
from todo_app.tasks.listing import RETAG, RETAG_ONE
from todo_app.tasks.models import Tag, Task, TaskTag

TAG_NOT_FOUND = "Tag not found"
OWNER = col(Task.user_id) == bindparam("owner")


def _upsert(dialect_insert: Any) -> Any:
    stmt = dialect_insert(Tag).values(
        user_id=bindparam("owner"), name=bindparam("new_name"), name_key=bindparam("new_key")
    )
    in_use = exists().where(col(TaskTag.tag_id) == col(Tag.id))
    return stmt.on_conflict_do_update(
        index_elements=[col(Tag.user_id), col(Tag.name_key)],
        set_={"name": case((in_use, col(Tag.name)), else_=stmt.excluded.name)},
    ).returning(col(Tag.id), col(Tag.name))


UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}
UNLINK_ALL = delete(TaskTag).where(col(TaskTag.task_id) == bindparam("task_id"))
LINK = insert(TaskTag).values(task_id=bindparam("task_id"), tag_id=bindparam("tag_id"))
COUNTS = (
    select(col(Tag.name), func.count(), func.sum(case((col(Task.completed), 0), else_=1)))
    .select_from(Tag)
    .join(TaskTag, col(TaskTag.tag_id) == col(Tag.id))
    .join(Task, col(Task.id) == col(TaskTag.task_id))
    .where(col(Tag.user_id) == bindparam("owner"))
    .group_by(col(Tag.id), col(Tag.name))
)
ONE_COUNT = COUNTS.where(col(Tag.id) == bindparam("tag_id"))
# A tag of the owner's by name, if some task carries it.
FIND = select(col(Tag.id), col(Tag.name)).where(
    col(Tag.user_id) == bindparam("owner"),
    col(Tag.name_key) == bindparam("key"),
    exists().where(col(TaskTag.tag_id) == col(Tag.id)),
)
FIND_ANY = select(col(Tag.id), exists().where(col(TaskTag.tag_id) == col(Tag.id))).where(
    col(Tag.user_id) == bindparam("owner"), col(Tag.name_key) == bindparam("key")
)
RESPELL = update(Tag).where(col(Tag.id) == bindparam("tag_id")).values(name=bindparam("new_name"))
RENAME = (
    update(Tag)
    .where(col(Tag.id) == bindparam("tag_id"))
    .values(name=bindparam("new_name"), name_key=bindparam("new_key"))
)
TOUCH_TAGGED = (
    update(Task)
    .where(
        OWNER,
        col(Task.id).in_(select(col(TaskTag.task_id)).where(col(TaskTag.tag_id) == bindparam("tag_id"))),
    )
    .values(version=bindparam("version"), updated_at=bindparam("now"))
)
UNLINK_TAG = delete(TaskTag).where(col(TaskTag.tag_id) == bindparam("tag_id"))


def _merge_links(dialect_insert: Any) -> Any:
    moved: Select[int, Any] = select(col(TaskTag.task_id), bindparam("target_id")).where(
        col(TaskTag.tag_id) == bindparam("tag_id")
    )
    return dialect_insert(TaskTag).from_select(["task_id", "tag_id"], moved).on_conflict_do_nothing()


MERGE_LINKS = {"postgresql": _merge_links(pg_insert), "sqlite": _merge_links(sqlite_insert)}


TAG_ID = select(col(Tag.id)).where(
    col(Tag.user_id) == bindparam("owner"), col(Tag.name_key) == bindparam("key")
)


async def ids_of(db: Connection, *, user_id: int, keys: tuple[str, ...]) -> tuple[int, ...] | None:
    """The ids of the owner's tags with these keys, in order; None if one does not exist (then no
    task can carry them all)."""
    ids = []
    for key in keys:
        tag_id = await db.scalar(TAG_ID, {"owner": user_id, "key": key})
        if tag_id is None:
            return None
        ids.append(tag_id)
    return tuple(ids)


async def name_tags(db: Connection, *, user_id: int, names: list[str]) -> list[tuple[int, str]]:
    """The owner's tags of these names, created where new: (id, name in the owner's spelling).
    Call inside the write's transaction."""
    named = []
    for name in tagnames.merge(names):
        params = {"owner": user_id, "new_name": name, "new_key": tagnames.key(name)}
        row = await db.first(UPSERT[db.backend], params)
        assert row is not None
        named.append((row[0], row[1]))
    return named


async def set_for_task(db: Connection, *, user_id: int, task_id: int, names: list[str]) -> list[str]:
    """Exactly these tags on the task (inside its write's transaction); their names, ordered."""
    await db.all(UNLINK_ALL, {"task_id": task_id})
    named = await name_tags(db, user_id=user_id, names=names)
    for tag_id, _ in named:
        await db.all(LINK, {"task_id": task_id, "tag_id": tag_id})
    await db.execute(RETAG_ONE, {"owner": user_id, "task_id": task_id})
    return tagnames.ordered([name for _, name in named])


def _public(row: tuple[Any, ...]) -> TagPublic:
    return TagPublic(name=row[0], tasks=row[1], open=row[2] or 0)


async def list_for(db: Connection, *, user_id: int) -> list[TagPublic]:
    rows = await db.all(COUNTS, {"owner": user_id})
    return [_public(row) for row in sorted(rows, key=lambda row: (tagnames.key(row[0]), row[0]))]


async def _find(db: Connection, *, user_id: int, name: str) -> tuple[int, str]:
    try:
        key = tagnames.key(tagnames.clean(name))
    except tagnames.TagNameError:
        raise NotFound(TAG_NOT_FOUND) from None
    row = await db.first(FIND, {"owner": user_id, "key": key})
    if row is None:
        raise NotFound(TAG_NOT_FOUND)
    return row[0], row[1]


async def rename(db: Connection, *, user_id: int, name: str, new_name: str) -> TagPublic:
    """Rename a tag on every task; into an existing tag's name, the two become one."""
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        tag_id, _ = await _find(db, user_id=user_id, name=name)
        new_key = tagnames.key(new_name)
        target = await db.first(FIND_ANY, {"owner": user_id, "key": new_key})
        await db.execute(TOUCH_TAGGED, {"owner": user_id, "tag_id": tag_id, "version": version, "now": now})
        if target is None:
            await db.execute(RENAME, {"tag_id": tag_id, "new_name": new_name, "new_key": new_key})
        elif target[0] == tag_id:
            await db.execute(RESPELL, {"tag_id": tag_id, "new_name": new_name})
        else:
            if not target[1]:  # nobody uses that name any more: it takes the new spelling
                await db.execute(RESPELL, {"tag_id": target[0], "new_name": new_name})
            await db.execute(MERGE_LINKS[db.backend], {"tag_id": tag_id, "target_id": target[0]})
            await db.execute(UNLINK_TAG, {"tag_id": tag_id})
            tag_id = target[0]
        await db.execute(RETAG, {"owner": user_id, "version": version})
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
        row = await db.first(ONE_COUNT, {"owner": user_id, "tag_id": tag_id})
    assert row is not None
    return _public(row)


async def remove(db: Connection, *, user_id: int, name: str) -> None:
    """Take the tag off every task."""
    now = datetime.now(UTC)
    async with db.transaction():
        version = await next_change(db, user_id=user_id)
        tag_id, _ = await _find(db, user_id=user_id, name=name)
        await db.execute(TOUCH_TAGGED, {"owner": user_id, "tag_id": tag_id, "version": version, "now": now})
        await db.execute(UNLINK_TAG, {"tag_id": tag_id})
        await db.execute(RETAG, {"owner": user_id, "version": version})
        await changelog.record(db, user_id=user_id, version=version, kind=changelog.UPDATED, now=now)
