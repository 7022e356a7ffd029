"""Pages of an owner's listing (GET /tasks): offset or signed cursor pages, with the total."""

from typing import Any

from todo_app.db import Connection
from todo_app.tags import service as tags
from todo_app.tasks import cursor as cursors
from todo_app.tasks import listing
from todo_app.tasks.fields import public
from todo_app.tasks.listing import COLUMNS, Filters
from todo_app.users.models import UserPublic
from todo_app.zones import local_now


async def list_page(
    db: Connection,
    *,
    user: UserPublic,
    filters: Filters,
    sort: str,
    limit: int,
    offset: int,
    cursor: str | None,
    secret: bytes,
) -> tuple[list[dict[str, Any]], int, str | None]:
    """One page of the owner's matching tasks, how many match in all, and the next page's cursor
    (None at the end). A cursor made for another listing or user raises cursors.InvalidCursor."""
    listing_id = cursors.listing_digest(filters, sort)
    position = cursors.decode(cursor, secret=secret, owner=user.id, listing=listing_id) if cursor else None
    tag_ids = await tags.ids_of(db, user_id=user.id, keys=filters.tags)
    if tag_ids is None:  # a tag the owner does not have: nothing matches
        return [], 0, None
    shape = listing.shape_of(filters, db.backend)
    # (the clock is read only when `overdue` asks for it)
    now_key = listing.now_key(local_now(user.timezone)) if filters.overdue is not None else ""
    params: dict[str, Any] = {
        "owner": user.id,
        "limit": limit + 1,
        "offset": offset,
        **listing.filter_params(filters, db.backend, now_key=now_key, tag_ids=tag_ids),
    }
    prepare = False if shape.data_dependent else None
    if position is not None:
        params.update(
            after_key=position.key,
            after_id=position.task_id,
            after_neg_id=-position.task_id,
            snapshot=position.snapshot,
        )
    if position is None:
        rows = await db.all(listing.page(shape, sort, after=None), params, prepare=prepare)
    elif db.backend == "postgresql":
        rows = await db.all(listing.page(shape, sort, after="all"), params, prepare=prepare)
    else:  # SQLite: equal keys first, then later keys, each one index seek (see listing.Sort.after)
        rows = await db.all(listing.page(shape, sort, after="ties"), params)
        if len(rows) <= limit:
            rest = {**params, "limit": limit + 1 - len(rows)}
            rows += await db.all(listing.page(shape, sort, after="beyond"), rest)
    if not rows:
        return [], (await db.all(listing.count(shape), params, prepare=prepare))[0][0], None
    more = len(rows) > limit
    rows = rows[:limit]
    total, snapshot = rows[0][-2], rows[0][-1]
    next_cursor = None
    if more:
        last = rows[-1]
        snapshot = position.snapshot if position is not None else snapshot
        next_position = cursors.Position(key=last[-3], task_id=last[0], snapshot=snapshot)
        next_cursor = cursors.encode(next_position, secret=secret, owner=user.id, listing=listing_id)
    return [public(row[: len(COLUMNS)]) for row in rows], total, next_cursor
