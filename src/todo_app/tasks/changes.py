"""Numbering of an owner's task writes. Each write transaction first takes the owner's next change
number: that locks the owner's row, so one owner's writes apply one at a time and their numbers
follow commit order; the tasks a write touches carry the number as their `version`. A create
carries the current number without moving it on (see tasks/service.py CREATE)."""

from sqlalchemy import bindparam, update

from todo_app.db import Connection
from todo_app.errors import INVALID_TOKEN, Unauthorized
from todo_app.users.models import User

NEXT_CHANGE = (
    update(User)
    .where(User.id == bindparam("owner"))
    .values(change_seq=User.change_seq + 1)
    .returning(User.change_seq)
)


async def next_change(db: Connection, *, user_id: int) -> int:
    """Call first inside the write's transaction."""
    seq = await db.scalar(NEXT_CHANGE, {"owner": user_id})
    if seq is None:  # the account was deleted after this request was authenticated
        raise Unauthorized(INVALID_TOKEN)
    return seq
