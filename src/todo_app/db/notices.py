"""Change notices on PostgreSQL, sent after the write has committed, in batches.

A NOTIFY inside the write's transaction would be delivered exactly at commit, but PostgreSQL makes
every committing transaction that has notified take one lock for the whole cluster and hold it
through its commit's flush to disk: every task write of every user, in every process, would then
commit one at a time. So a write's notices are handed here once it has committed, and each process
sends what has gathered meanwhile as one statement on a pooled connection (under load, one round
trip carries the notices of many writes; a user's notices about change numbers collapse into the
latest, since a stream woken reads everything up to now).

A notice is a nudge, not the news: event streams read the change log itself, and each one also
reads it at every heartbeat. A notice lost (the process stopped between the commit and the send,
or the database went away) delays a stream in another process by one heartbeat at most.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import ARRAY, Text, bindparam, func, select

log = logging.getLogger(__name__)

# How long the first notice waits for others to go with it: under load one statement then carries a
# moment's writes, not one write's; far below what a live update may take (a second).
GATHER_SECONDS = 0.01

# The channel of change notices ("<user id>:<change number>" or "<user id>:<word>").
CHANGES_CHANNEL = "todo_changes"
_PAYLOADS = func.unnest(bindparam("payloads", type_=ARRAY(Text()))).table_valued("payload").render_derived()
NOTIFY_MANY = select(func.count(func.pg_notify(CHANGES_CHANNEL, _PAYLOADS.c.payload))).select_from(_PAYLOADS)


def _key(payload: str) -> tuple[str, str]:
    """Notices with one key say the same thing but for the number: the owner's change numbers
    share one; any other word ("revoked") is a key of its own."""
    owner, _, what = payload.partition(":")
    return (owner, "" if what.isdigit() else what)


class Notices:
    """One per Database. `send` never waits: it queues, and a task of this process sends."""

    # run_batch(payloads): runs NOTIFY_MANY for them on a pooled connection.
    def __init__(self, run_batch: Callable[[list[str]], Awaitable[None]]) -> None:
        self._run_batch = run_batch
        self._waiting: dict[tuple[str, str], str] = {}
        self._sender: asyncio.Task[None] | None = None

    def send(self, payload: str) -> None:
        key = _key(payload)
        earlier = self._waiting.get(key)
        if earlier is None or key[1] or int(payload.partition(":")[2]) > int(earlier.partition(":")[2]):
            self._waiting[key] = payload
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_waiting())

    async def _send_waiting(self) -> None:
        try:
            await asyncio.sleep(GATHER_SECONDS)
            while self._waiting:
                batch = list(self._waiting.values())
                self._waiting.clear()
                try:
                    await self._run_batch(batch)
                except Exception as exc:  # the streams read the log at their next heartbeat anyway
                    log.warning("change notices not sent (%d): %s", len(batch), exc)
        finally:
            self._sender = None

    async def drain(self) -> None:
        """Sends what is waiting (before the pool closes)."""
        while self._sender is not None:
            await asyncio.shield(self._sender)
