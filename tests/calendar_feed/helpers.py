"""The feed as a calendar app sees it: fetched without a token and parsed with icalendar."""

import re
from datetime import date, datetime, time
from itertools import chain, islice

import httpx2
from dateutil import rrule as du
from icalendar import Calendar, Todo
from sqlalchemy import bindparam, update

from todo_app.tasks.models import Task


async def feed_url(client: httpx2.AsyncClient, user: dict) -> str:
    r = await client.post("/calendar/feed", headers=user["headers"])
    assert r.status_code == 201, r.text
    return r.json()["url"]


async def fetch(client: httpx2.AsyncClient, url: str) -> Calendar:
    r = await client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(r.content)


async def todos(client: httpx2.AsyncClient, user: dict) -> dict[int, Todo]:
    """The VTODOs of a new feed of the user's, by task id."""
    calendar = await fetch(client, await feed_url(client, user))
    return {task_id(todo): todo for todo in calendar.walk("VTODO")}


def task_id(todo: Todo) -> int:
    uid = str(todo["UID"])
    found = re.fullmatch(r"task-([0-9]+)@todo-app", uid)
    assert found, uid
    return int(found[1])


def occurrences(todo: Todo, limit: int) -> list[date | datetime]:
    """Up to `limit` instances of the VTODO, read the RFC 5545 way: DTSTART is the first, and the first
    of COUNT (§3.3.10), also when the rule would not produce it; dateutil expands the RRULE. Dates for
    a VALUE=DATE DTSTART, aware datetimes otherwise."""
    start = todo.decoded("DTSTART")
    parts = todo["RRULE"].to_ical().decode().split(";")
    count = next((int(p.removeprefix("COUNT=")) for p in parts if p.startswith("COUNT=")), None)
    rule = ";".join(p for p in parts if not p.startswith("COUNT="))
    dtstart = start if isinstance(start, datetime) else datetime.combine(start, time())
    found = chain([dtstart], (d for d in du.rrulestr(rule, dtstart=dtstart) if d != dtstart))
    dates = list(islice(found, min(limit, count or limit)))
    return dates if isinstance(start, datetime) else [d.date() for d in dates]


async def set_columns(app, task_id: int, **values: object) -> None:
    """Write task columns directly, for a state the API cannot produce."""
    stmt = (
        update(Task)
        .where(Task.id == bindparam("task_id"))
        .values({name: bindparam(f"new_{name}") for name in values})
    )
    async with app.state.db.connection() as conn:
        await conn.execute(stmt, {"task_id": task_id, **{f"new_{k}": v for k, v in values.items()}})
