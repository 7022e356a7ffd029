"""Recurring tasks: an RFC 5545 RRULE and the date a task moves to when it is completed or skipped.

A task's ``recurrence`` is ``{"rule": "FREQ=WEEKLY;BYDAY=TU", "from": "due" | "completion"}``. ``parse``
checks the text part by part, so every ``RecurrenceError`` is a plain sentence naming the part for a 422
``detail``; dateutil then computes the dates. Pure: no I/O and no clock, ``today`` is passed in.

Decisions, each for a reason:

- Parts are read case-insensitively, a leading ``RRULE:``, spaces around parts and empty parts are
  ignored; ``Rule.text`` is canonical: upper case, FREQ first (RFC 5545 wants it first), the rest as given.
- The series starts on ``start``, the task's first due date, which always counts as its first occurrence
  (RFC 5545 DTSTART), also when the rule would not produce it; COUNT includes it.
- ``"from": "due"``: the next date of the series strictly after both the current due date and today;
  missed dates are skipped but still count towards COUNT. ``"from": "completion"``: the rule restarted on
  the completion day, first date strictly after it (even if that is before the current due date). COUNT
  then counts completions and skips: ``done_so_far`` made before this one, so COUNT=3 means three times.
- A due date without a time happens at 09:00 local (``DATE_ONLY_TIME``): reminders ("before_minutes") for
  it land in waking hours, not at midnight; UNTIL as a UTC time is compared with that time too.
- UNTIL as a date includes that whole day; as ``...Z`` it is converted to the owner's local wall clock
  and compared with each occurrence's local date and time.
- Local times follow RFC 5545 §3.3.5, which is zoneinfo's ``fold=0``: a time in a spring-forward gap uses
  the offset before the gap (02:30 Berlin on 2026-03-29 is 03:30 CEST); a repeated time means the first.
- Every search is bounded. dateutil's iteration only ends at a match past UNTIL, at COUNT or at
  ``datetime.MAXYEAR``; the Gregorian calendar repeats every 400 years (146097 days, 20871 weeks), so
  dates are shifted by a multiple of 400 years close to MAXYEAR, where a rule that never matches gives up
  within ``room + 400`` years; a rule with no date in the room after its start is refused at parse.
  Without COUNT, dateutil starts at the last period of the series' grid before the date sought, so an
  old series costs no more than a new one (with COUNT every date since the start must be counted).
"""

import dataclasses
import re
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from todo_app.tasks.tagnames import quoted

From = Literal["due", "completion"]
Frequency = Literal[0, 1, 2, 3]  # dateutil's YEARLY, MONTHLY, WEEKLY, DAILY
DATE_ONLY_TIME = time(9, 0)
MAX_LENGTH = 500
_FREQS: dict[str, Frequency] = {
    "DAILY": du.DAILY,
    "WEEKLY": du.WEEKLY,
    "MONTHLY": du.MONTHLY,
    "YEARLY": du.YEARLY,
}
_FREQ_HINT = "use DAILY, WEEKLY, MONTHLY or YEARLY"
_UNSUPPORTED = ("HOURLY", "MINUTELY", "SECONDLY", "BYSECOND", "BYMINUTE", "BYHOUR", "BYWEEKNO", "BYYEARDAY")
_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_HINT = "use MO, TU, WE, TH, FR, SA or SU"
_INT = re.compile(r"[+-]?[0-9]{1,4}")  # ASCII digits only: int() also takes fullwidth digits and "1_0"
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z)?")
_LEAP_YEAR_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_PERIOD_DAYS = {du.DAILY: 1, du.WEEKLY: 7, du.MONTHLY: 31, du.YEARLY: 366}
_EXAMPLES = dict(zip(_PARTS, ("WEEKLY", "2", "TU", "15", "3", "-1", "10", "20261231", "MO"), strict=True))
_ROOM_YEARS = 50  # longest gap of a sensible rule: Feb 29 on a Monday, 40 years around 2100
_CYCLE_YEARS = 400


class RecurrenceError(ValueError):
    """The rule cannot be used; ``str(error)`` is a sentence for the user naming the part at fault."""


@dataclass(frozen=True)
class Rule:
    """A checked rule: ``text`` is canonical; the other fields are its parts as dateutil takes them."""

    text: str
    from_: From
    freq: Frequency
    interval: int = 1
    count: int | None = None
    until: date | datetime | None = None  # a date (the whole day included) or an aware UTC datetime
    byday: tuple[tuple[int, int | None], ...] = ()  # (weekday 0=MO, ordinal such as +2 or -1, or None)
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0


def parse(text: str, from_: str = "due", *, start: date) -> Rule:
    """Check ``text`` for a series whose first date is ``start``; raises ``RecurrenceError``."""
    if from_ not in ("due", "completion"):
        raise RecurrenceError('"from" must be "due" or "completion"')
    if len(text) > MAX_LENGTH:
        raise RecurrenceError(f"The recurrence rule is too long: at most {MAX_LENGTH} characters")
    parts = _split(text)
    rule = _build(parts, cast(From, from_))  # checked above
    until_day = rule.until.date() if isinstance(rule.until, datetime) else rule.until
    if until_day is not None and until_day < start:
        raise RecurrenceError(f"UNTIL={parts['UNTIL']} is before the first due date {start.isoformat()}")
    pattern = dataclasses.replace(rule, count=None, until=None)
    found = _first_after(pattern, start, start, DATE_ONLY_TIME, "UTC", count=None)
    room = _room_years(rule)
    if found is None or found.year - start.year > room:
        raise RecurrenceError(
            f"{rule.text} gives no date in the {room} years after {start.isoformat()}, "
            "so the task would never repeat"
        )
    return rule


def next_due(
    rule: Rule,
    *,
    start: date,
    current_due: date,
    today: date,
    completed_on: date,
    done_so_far: int,
    due_time: time | None,
    zone: str,
) -> date | None:
    """The date a completed or skipped task moves to, or None when its series is over.

    ``today`` and ``completed_on`` are the owner's local dates (the same day, unless a completion is
    back-dated); ``done_so_far`` counts the completions and skips before this one ("completion" only).
    """
    at = due_time or DATE_ONLY_TIME
    if rule.from_ == "completion":
        if rule.count is not None and done_so_far + 1 >= rule.count:
            return None
        return _first_after(rule, completed_on, completed_on, at, zone, count=None)
    return _first_after(rule, start, max(current_due, today), at, zone, count=rule.count)


def occurrence_instant(day: date, due_time: time | None, zone: str) -> datetime:
    """When a due date happens, in UTC: ``due_time`` (09:00 if None) on ``day`` in ``zone``'s wall clock.

    ``fold=0`` is RFC 5545's rule: a gap time moves on by the gap, a repeated time is its first instance.
    """
    at = due_time or DATE_ONLY_TIME
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def _split(text: str) -> dict[str, str]:
    body = text.strip().upper()
    body = body.removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for piece in body.split(";"):
        name, equals, value = piece.partition("=")
        name, value = name.strip(), value.strip()
        if not (name or equals or value):
            continue
        if not equals or not name:
            raise RecurrenceError(f"{quoted(piece.strip())} is not a NAME=VALUE part of a recurrence rule")
        if name in _UNSUPPORTED:
            raise RecurrenceError(f"{name} is not supported")
        if name not in _PARTS:
            raise RecurrenceError(f"{quoted(name)} is not a recurrence rule part; use {', '.join(_PARTS)}")
        if name in parts:
            raise RecurrenceError(f"{name} is given twice")
        if not value:
            raise RecurrenceError(f"{name} needs a value, e.g. {name}={_EXAMPLES[name]}")
        parts[name] = value
    if not parts:
        raise RecurrenceError("The recurrence rule is empty: give at least FREQ, e.g. FREQ=WEEKLY")
    if "FREQ" not in parts:
        raise RecurrenceError("FREQ is missing, e.g. FREQ=WEEKLY")
    return {"FREQ": parts.pop("FREQ"), **parts}


def _build(parts: dict[str, str], from_: From) -> Rule:
    name = parts["FREQ"]
    if name in _UNSUPPORTED:
        raise RecurrenceError(f"FREQ={name} is not supported; {_FREQ_HINT}")
    if name not in _FREQS:
        raise RecurrenceError(f"FREQ={quoted(name)} is not a frequency; {_FREQ_HINT}")
    freq = _FREQS[name]
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("COUNT and UNTIL cannot both be given")
    rule = Rule(
        text=";".join(f"{key}={value}" for key, value in parts.items()),
        from_=from_,
        freq=freq,
        interval=_whole(parts, "INTERVAL", 1000) or 1,
        count=_whole(parts, "COUNT", 10000),
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        byday=tuple(_weekday(item, freq) for item in parts["BYDAY"].split(",")) if "BYDAY" in parts else (),
        bymonthday=_numbers(parts, "BYMONTHDAY", 31, signed=True, what="a day of the month"),
        bymonth=_numbers(parts, "BYMONTH", 12, signed=False, what="a month"),
        bysetpos=_numbers(parts, "BYSETPOS", 366, signed=True, what="a position"),
        wkst=_weekday(parts["WKST"], freq, part="WKST")[0] if "WKST" in parts else 0,
    )
    if len({n is None for _, n in rule.byday}) > 1:  # dateutil would keep only days matching both kinds
        raise RecurrenceError(
            f"BYDAY={parts['BYDAY']} mixes weekdays with and without a position; use one kind, e.g. -1FR,+2TU"
        )
    if rule.bymonthday and freq == du.WEEKLY:
        raise RecurrenceError("BYMONTHDAY cannot be used with FREQ=WEEKLY; use BYDAY")
    if rule.bysetpos and freq == du.DAILY:
        raise RecurrenceError("BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY")
    if rule.bysetpos and not (rule.byday or rule.bymonthday or rule.bymonth):
        raise RecurrenceError("BYSETPOS needs another BY part: BYDAY, BYMONTHDAY or BYMONTH")
    months = rule.bymonth or range(1, 13)
    if rule.bymonthday and all(
        abs(d) > _LEAP_YEAR_MONTH_DAYS[m - 1] for m in months for d in rule.bymonthday
    ):
        raise RecurrenceError(
            f"BYMONTHDAY={parts['BYMONTHDAY']} never falls in BYMONTH={parts['BYMONTH']}, "
            "so the task would never repeat"
        )
    return rule


def _whole(parts: dict[str, str], name: str, high: int) -> int | None:
    if name not in parts:
        return None
    value = parts[name]
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= high:
        raise RecurrenceError(f"{name} must be a whole number from 1 to {high}")
    return int(value)


def _numbers(parts: dict[str, str], name: str, high: int, *, signed: bool, what: str) -> tuple[int, ...]:
    if name not in parts:
        return ()
    ranges = f"1 to {high} or -{high} to -1" if signed else f"1 to {high}"
    numbers = []
    for item in parts[name].split(","):
        number = int(item) if _INT.fullmatch(item) else 0
        if not (1 <= abs(number) <= high and (signed or number > 0)):
            shown = item if _INT.fullmatch(item) else quoted(item)
            raise RecurrenceError(f"{name}={shown} is not {what}: use {ranges}")
        numbers.append(number)
    return tuple(numbers)


def _weekday(item: str, freq: int, part: str = "BYDAY") -> tuple[int, int | None]:
    found = _BYDAY.fullmatch(item)
    if found is None or (part == "WKST" and found[1]):
        example = "" if part == "WKST" else ", optionally with a position such as +2TU or -1FR"
        raise RecurrenceError(f"{part}={quoted(item)} is not a weekday: {_WEEKDAY_HINT}{example}")
    weekday = _WEEKDAYS.index(found[2])
    if found[1] is None:
        return weekday, None
    if freq not in (du.MONTHLY, du.YEARLY):
        raise RecurrenceError(f"BYDAY={item} needs FREQ=MONTHLY or YEARLY")
    most, period = (5, "month") if freq == du.MONTHLY else (53, "year")
    if not 1 <= abs(int(found[1])) <= most:
        raise RecurrenceError(f"BYDAY={item} is out of range: a {period} has at most {most} of each weekday")
    return weekday, int(found[1])


def _until(value: str) -> date | datetime:
    found = _UNTIL.fullmatch(value)
    if found is None:
        raise RecurrenceError(
            f"UNTIL={quoted(value)} is not a date or a UTC time: use e.g. 20261231 or 20261231T235959Z"
        )
    try:
        if found[4] is None:
            return date(int(found[1]), int(found[2]), int(found[3]))
        year, month, day, hour, minute, second = (int(group) for group in found.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise RecurrenceError(
            f"UNTIL={value} is not a valid date{'' if found[4] is None else ' and time'}"
        ) from None


def _room_years(rule: Rule) -> int:
    """How far ahead a date is looked for: 50 years, or two periods of a long INTERVAL."""
    return max(_ROOM_YEARS, -(-2 * rule.interval * _PERIOD_DAYS[rule.freq] // 365))


def _first_after(rule: Rule, start: date, after: date, at: time, zone: str, count: int | None) -> date | None:
    """The first date of the series begun on ``start`` strictly after ``after``, or None if it has ended
    (COUNT, counting ``start`` as the first, or UNTIL) or has no date within the room."""
    begin = start
    if count is None:
        begin, rule = _fast_forward(rule, start, after)
    shift = _CYCLE_YEARS * max(0, (MAXYEAR - _room_years(rule) - max(begin, after).year) // _CYCLE_YEARS)
    until: datetime | None = None
    try:
        if isinstance(rule.until, datetime):
            until = rule.until.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        elif rule.until is not None:
            until = datetime.combine(rule.until, time.max)
        if until is not None:
            until = until.replace(year=until.year + shift)
    except (OverflowError, ValueError):  # an UNTIL at the end of time limits nothing
        until = None
    dtstart = datetime.combine(begin, at.replace(tzinfo=None, fold=0))
    series = du.rrule(
        rule.freq,
        dtstart=dtstart.replace(year=begin.year + shift),
        interval=rule.interval,
        wkst=rule.wkst,
        until=until,
        byweekday=[du.weekday(day, n) for day, n in rule.byday] or None,
        bymonthday=rule.bymonthday or None,
        bymonth=rule.bymonth or None,
        bysetpos=rule.bysetpos or None,
        cache=False,
    )
    seen = 1
    for moment in series:  # ends at COUNT, past UNTIL or at MAXYEAR: at most room + 400 years ahead
        day = moment.date().replace(year=moment.year - shift)
        if day == start:
            continue
        seen += 1
        if count is not None and seen > count:
            return None
        if day > after:
            return day
    return None


def _fast_forward(rule: Rule, start: date, after: date) -> tuple[date, Rule]:
    """Where dateutil may begin so that its work does not grow with the series' age: the start of the last
    period of the series' grid (every INTERVAL days, weeks, months or years from ``start``) on or before
    ``after``, with the parts dateutil would take from ``start`` made explicit. Without COUNT only: COUNT
    needs every date since ``start`` counted."""
    after = max(after, start)
    if not (rule.byday or rule.bymonthday):
        if rule.freq == du.YEARLY:
            rule = dataclasses.replace(rule, bymonth=rule.bymonth or (start.month,), bymonthday=(start.day,))
        elif rule.freq == du.MONTHLY:
            rule = dataclasses.replace(rule, bymonthday=(start.day,))
        elif rule.freq == du.WEEKLY:
            rule = dataclasses.replace(rule, byday=((start.weekday(), None),))
    step = rule.interval
    if rule.freq == du.DAILY:
        grid = start + timedelta(days=(after - start).days // step * step)
    elif rule.freq == du.WEEKLY:
        week = start - timedelta(days=(start.weekday() - rule.wkst) % 7)
        grid = week + timedelta(weeks=(after - week).days // (7 * step) * step)
    elif rule.freq == du.MONTHLY:
        month = start.month - 1 + ((after.year - start.year) * 12 + after.month - start.month) // step * step
        grid = date(start.year + month // 12, month % 12 + 1, 1)
    else:
        grid = date(start.year + (after.year - start.year) // step * step, 1, 1)
    return max(grid, start), rule
