"""A user's open tasks as an iCalendar feed (RFC 5545): one VTODO per open task with a due date.

Pure: no I/O and no clock; the same tasks and zone always give the same bytes, so the feed's ETag
can be taken from them (service.py) without building it. Decisions, each for a reason:

- Which tasks: live (not in the trash), open, with a due date. A completed recurring task whose
  series goes on is open at its next occurrence, so it stays.
- UID ``task-<id>@todo-app``: a task id is never handed out again, so a client keeps its copy of a
  task across refreshes and edits. DTSTAMP and LAST-MODIFIED are the task's ``updated_at`` (without
  METHOD, RFC 5545 §3.8.7.2 makes DTSTAMP the time the information was last revised), CREATED its
  ``created_at``; nothing in the feed depends on the time it is served.
- DUE: a date alone is ``DUE;VALUE=DATE``. With a due time it is the owner's wall clock with
  ``TZID=<the owner's zone>`` and a VTIMEZONE of that zone, so a daily 09:00 stays 09:00 across a DST
  change, as in the API; a UTC owner gets ``...Z`` (no VTIMEZONE needed). A wall-clock time in a DST
  gap is read the RFC 5545 §3.3.5 way, which is also the API's (tasks/recurrence.py).
- Recurrence "from": "due": DTSTART = DUE = the current occurrence, and the RRULE goes on from there
  (rrule.py keeps COUNT and UNTIL meaning what they mean in the API). Not DTSTART = the series'
  first date: for a recurring VTODO, RFC 5545 §3.8.5.3 gives every instance the DUE - DTSTART
  duration, so a DUE weeks after DTSTART would shift every instance, and the occurrences already
  completed would show again as open instances.
- Recurrence "from": "completion": no RRULE. Its next date depends on the day the task is completed,
  which no RRULE can say; the VTODO shows the current DUE, and the next one appears with the refresh
  after the task is completed.
- PRIORITY: urgent 1, high 3, medium 5, low 7 (RFC 5545 §3.8.1.9: 1-4 high, 5 medium, 6-9 low);
  none leaves PRIORITY out (0 would mean the same, undefined). CATEGORIES: the tags, sorted as the
  API lists them. STATUS:NEEDS-ACTION.
- VALARM, ACTION:DISPLAY with the title as DESCRIPTION, one per reminder. ``before_minutes``:
  ``TRIGGER;RELATED=END:-PT<n>M``, relative to DUE (a VTODO's "end"), so it follows every instance
  of a series. The API asks for a due time for these; should a task hold one without (its due time
  removed later), the API's reminder falls at 09:00 local minus n minutes on the due date, which is
  ``RELATED=END`` from the start of that DATE: ``PT9H`` minus n. ``at``: an absolute
  ``TRIGGER;VALUE=DATE-TIME`` in UTC.
- VTIMEZONE: one, for the owner's zone, when some task has a due time: icalendar's, built from the
  IANA data zoneinfo reads. It lists the zone's transitions from the earliest timed due date to
  TZ_YEARS after the latest (icalendar's default stops at 2038), enough for any series a person
  looks ahead in, within 1900-2200 (a due date outside gets the nearest observance's offset). Zones
  that are UTC all year (Etc/UTC, Africa/Abidjan) are written ``...Z`` instead.
- The calendar: PRODID, VERSION, CALSCALE, NAME and X-WR-CALNAME "Todo", X-WR-TIMEZONE the owner's
  zone, and REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL of PT15M, the refresh calendar clients
  are asked for.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, Todo, vDDDTypes

from todo_app.calendar_feed.rrule import series_rule
from todo_app.tasks.recurrence import DATE_ONLY_TIME

PRODID = "-//todo-app//Calendar feed//EN"
CALENDAR_NAME = "Todo"
REFRESH = timedelta(minutes=15)
UID_FORMAT = "task-{}@todo-app"
PRIORITY = {4: 1, 3: 3, 2: 5, 1: 7}  # stored rank (tasks/priority.py) -> RFC 5545 PRIORITY; none: left out
TZ_YEARS = 10
TZ_FIRST, TZ_LAST = date(1900, 1, 1), date(2200, 12, 31)  # a VTIMEZONE's transitions, at the most
_DATE_ONLY_OFFSET = timedelta(hours=DATE_ONLY_TIME.hour, minutes=DATE_ONLY_TIME.minute)


@dataclass(frozen=True)
class FeedTask:
    """What the feed shows of a task, as stored (service.py reads it)."""

    id: int
    title: str
    description: str | None
    due_date: date
    due_time: time | None
    priority: int  # the stored rank, 0 (none) to 4 (urgent)
    tags: tuple[str, ...]
    recurrence_rule: str | None
    recurrence_from: str | None
    series_start: date | None
    reminders: tuple[dict[str, object], ...]
    created_at: datetime
    updated_at: datetime


def calendar(tasks: Sequence[FeedTask], *, zone: str) -> bytes:
    """The feed of these tasks, for an owner living in ``zone``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", CALENDAR_NAME)
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add("x-wr-timezone", zone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT15M")
    timed = [task.due_date for task in tasks if task.due_time is not None]
    tzid = vDDDTypes(datetime(2000, 1, 1, tzinfo=ZoneInfo(zone))).params.get("TZID")
    if timed and tzid:  # (a UTC owner's times are written ...Z and need no VTIMEZONE)
        first = min(max(min(timed), TZ_FIRST + timedelta(days=1)), TZ_LAST) - timedelta(days=1)
        end = date(min(max(timed).year + TZ_YEARS, TZ_LAST.year), 12, 31)
        cal.add_component(Timezone.from_tzid(tzid, first_date=first, last_date=max(first, end)))
    for task in tasks:
        cal.add_component(todo(task, zone=zone))
    ical: bytes = cal.to_ical()  # (icalendar leaves to_ical unannotated)
    return ical


def todo(task: FeedTask, *, zone: str) -> Todo:
    item = Todo()
    item.add("uid", UID_FORMAT.format(task.id))
    item.add("dtstamp", task.updated_at)
    item.add("last-modified", task.updated_at)
    item.add("created", task.created_at)
    item.add("summary", task.title)
    if task.description:
        item.add("description", task.description)
    due = due_value(task.due_date, task.due_time, zone)
    rule = None
    if task.recurrence_rule is not None and task.recurrence_from == "due":
        rule = series_rule(
            task.recurrence_rule,
            start=task.series_start,
            due_date=task.due_date,
            due_time=task.due_time,
            zone=zone,
        )
    if rule is not None:
        item.add("dtstart", due)  # RFC 5545 §3.8.2.4: required beside an RRULE
    item.add("due", due)
    if rule is not None:
        item.add("rrule", rule)
    if task.priority in PRIORITY:
        item.add("priority", PRIORITY[task.priority])
    if task.tags:
        item.add("categories", list(task.tags))
    item.add("status", "NEEDS-ACTION")
    for reminder in task.reminders:
        alarm = _alarm(reminder, task)
        if alarm is not None:
            item.add_component(alarm)
    return item


def due_value(due_date: date, due_time: time | None, zone: str) -> date | datetime:
    """A date alone, or the wall-clock date and time in the owner's zone (fold=0: RFC 5545 §3.3.5)."""
    if due_time is None:
        return due_date
    return datetime.combine(due_date, due_time.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(zone))


def _alarm(reminder: dict[str, object], task: FeedTask) -> Alarm | None:
    """The VALARM of a stored reminder (tasks/schemas.py reminders_json); None for one that is not."""
    before, at = reminder.get("before_minutes"), reminder.get("at")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", task.title)
    if isinstance(before, int) and not isinstance(before, bool):
        offset = -timedelta(minutes=before)
        if task.due_time is None:
            offset += _DATE_ONLY_OFFSET
        alarm.add("trigger", offset, parameters={"RELATED": "END"})
        return alarm
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        return None
    alarm.add("trigger", moment.astimezone(UTC), parameters={"VALUE": "DATE-TIME"})
    return alarm
