"""A task's series as the RRULE of its VTODO (see ics.py for why DTSTART is the current due date).

The stored rule (tasks/recurrence.py, canonical text) counts from ``series_start``; the VTODO's
series starts at the current due date, so two parts are rewritten, the rest is copied as stored:

- COUNT becomes what is left of the series, the current due date included: RFC 5545 §3.3.10 counts
  DTSTART as the first occurrence. Counting the dates from ``series_start`` to the current due date
  is the same walk the API makes at each completion, so it costs no more than completing the task.
- UNTIL takes DTSTART's value type, as RFC 5545 requires: a DATE when the task has no due time, a
  UTC DATE-TIME otherwise. The API's meaning is kept: a date includes that whole day, and a date-only
  occurrence happens at 09:00 local (``recurrence.DATE_ONLY_TIME``) when compared with a UTC UNTIL.

Pure: no I/O and no clock.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from icalendar import vRecur

from todo_app.tasks import recurrence


def series_rule(
    text: str, *, start: date | None, due_date: date, due_time: time | None, zone: str
) -> vRecur | None:
    """The RRULE for a "due" series at its occurrence ``due_date``; None when the stored rule no
    longer parses or the series has no date left (an open task would not be in that state)."""
    start = min(start or due_date, due_date)
    try:
        rule = recurrence.parse(text, "due", start=start)
    except recurrence.RecurrenceError:
        return None
    parts: vRecur = vRecur.from_ical(rule.text)
    if rule.count is not None:
        left = rule.count - _dates_through(rule.text, start, due_date) + 1
        if left < 1:
            return None
        parts["COUNT"] = [left]
    elif rule.until is not None:
        try:
            parts["UNTIL"] = [_until(rule.until, due_time, zone)]
        except OverflowError:  # at the end of time (UNTIL=99991231 west of UTC): it limits nothing
            del parts["UNTIL"]
    return parts


def _dates_through(text: str, start: date, last: date) -> int:
    """How many dates the series begun on ``start`` has up to and including ``last``; ``start``
    always counts as the first (as in tasks/recurrence.py), also when the rule would not produce it."""
    if last <= start:
        return 1
    pattern = ";".join(part for part in text.split(";") if not part.startswith("COUNT="))
    seen = 1
    for moment in du.rrulestr(pattern, dtstart=datetime.combine(start, time()), cache=False):
        day = moment.date()
        if day > last:
            break
        if day != start:
            seen += 1
    return seen


def _until(until: date | datetime, due_time: time | None, zone: str) -> date | datetime:
    """The stored UNTIL (a date, or an aware UTC datetime) in DTSTART's value type, same meaning."""
    if due_time is None:
        if not isinstance(until, datetime):
            return until
        local = until.astimezone(ZoneInfo(zone))
        if local.time().replace(tzinfo=None) >= recurrence.DATE_ONLY_TIME:
            return local.date()
        return local.date() - timedelta(days=1)
    if isinstance(until, datetime):
        return until.astimezone(UTC)
    # The last occurrence UNTIL's day can hold is at the due time (a whole-day UNTIL has no later one).
    return recurrence.occurrence_instant(until, due_time, zone)
