"""Task fields between the API and the table: how each value sent is stored (priority as its rank,
the due key beside date and time, reminders as JSON, a recurrence as its checked series) and how a
row is shown. Pure: no I/O."""

import json
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from pydantic import TypeAdapter, ValidationError

from todo_app.errors import Unprocessable
from todo_app.tasks import listing, priority, series
from todo_app.tasks.listing import FIELDS
from todo_app.tasks.schemas import RelativeReminder, Reminders, reminders_json

# What a write may set, besides the timestamps and version it always sets.
STORED = (
    "title",
    "description",
    "completed",
    "completed_at",
    "due_date",
    "due_time",
    "due_key",
    "priority",
    "recurrence_rule",
    "recurrence_from",
    "series_start",
    "series_done",
    "reminders",
)

NEW_TASK: dict[str, Any] = {
    "description": None,
    "completed": False,
    "due_date": None,
    "due_time": None,
    "priority": "none",
    "recurrence": None,
    "reminders": [],
}
# The fields whose change moves a task's pending reminders.
MOVES_REMINDERS = frozenset({"completed", "due_date", "due_time", "reminders", "recurrence"})
NEEDS_DUE_TIME = "before_minutes reminders need a due_time: give the task one, or remind it at a time (at)"
_REMINDERS: TypeAdapter[Any] = TypeAdapter(Reminders)


# The order public() unpacks a row in: listing.COLUMNS's, checked at import.
_ROW = (
    "id", "title", "description", "completed", "completed_at", "due_date", "due_time", "priority",
    "tags", "created_at", "updated_at", "version", "recurrence_rule", "recurrence_from", "reminders",
)  # fmt: skip
if tuple(FIELDS) != _ROW:
    raise ImportError(f"listing.COLUMNS changed ({FIELDS}): update fields.public")
_WIDTH = len(_ROW)


def public(row: Sequence[Any]) -> dict[str, Any]:
    """A row of listing.COLUMNS as the task JSON. (One dict literal: a listing page calls this for
    each of up to 500 rows.)"""
    (id_, title, description, completed, completed_at, due_date, due_time, rank, names, created_at,
     updated_at, version, rule, from_, reminders) = row[:_WIDTH]  # fmt: skip
    return {
        "id": id_,
        "title": title,
        "description": description,
        "completed": completed,
        "completed_at": completed_at,
        "due_date": due_date,
        "due_time": due_time.strftime("%H:%M") if due_time is not None else None,
        "priority": priority.name_of(rank),
        "tags": sorted(names.split("\x1f"), key=_tag_order) if names else [],
        "created_at": created_at,
        "updated_at": updated_at,
        "version": version,
        "recurrence": {"rule": rule, "from": from_} if rule is not None else None,
        "reminders": json.loads(reminders) if reminders else [],
    }


def _tag_order(name: str) -> tuple[str, str]:
    return name.casefold(), name


def hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


def stored(fields: dict[str, Any]) -> dict[str, Any]:
    """API field values as stored: priority as its rank, the due key beside date and time, the
    reminders as JSON. (Recurrence is stored by the caller, once checked against the due date.)"""
    out = {name: value for name, value in fields.items() if name in STORED}
    if "priority" in fields:
        out["priority"] = priority.rank(fields["priority"])
    if "due_date" in fields or "due_time" in fields:
        out["due_key"] = listing.due_key(fields.get("due_date"), fields.get("due_time"))
        out["due_time"] = _time(fields.get("due_time"))
    if "reminders" in fields:
        out["reminders"] = reminders_text(fields["reminders"], due_time=fields.get("due_time"))
    return out


def reminders_text(value: Any, *, due_time: str | None) -> str | None:
    """Reminders as sent (models or dicts) as stored: a JSON array, or None for none. 422 for a
    relative reminder on a task without a due time."""
    try:
        checked = _REMINDERS.validate_python(value or [])
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Unprocessable(f"reminders: {error['msg']}") from None
    if due_time is None and any(isinstance(reminder, RelativeReminder) for reminder in checked):
        raise Unprocessable(NEEDS_DUE_TIME)
    return json.dumps(reminders_json(checked), separators=(",", ":")) if checked else None


def series_values(value: Any, *, due_date: date | None) -> dict[str, Any]:
    """The stored series of a recurrence as sent: a new series starting on the due date."""
    checked = series.checked(value, due_date=due_date)
    if checked is None:
        return {"recurrence_rule": None, "recurrence_from": None, "series_start": None, "series_done": 0}
    rule, from_ = checked
    return {"recurrence_rule": rule, "recurrence_from": from_, "series_start": due_date, "series_done": 0}


def same_recurrence(sent: Any, rule: str | None, from_: str | None, due_date: date | None) -> bool:
    if sent is None or rule is None:
        return sent is None and rule is None
    try:
        return series.checked(sent, due_date=due_date) == (rule, from_)
    except Unprocessable:
        return False  # (and series_values says why)
