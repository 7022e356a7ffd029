"""Quick add: one line of text becomes a task's title, tags, priority and due date.

Every client (web UI, API, CLI, MCP) sends the text as typed and gets the same fields back. The text is
split into whitespace-separated words; these words are tokens, the rest is the title:

- ``#name``: a tag (any word starting with ``#``; ``C#`` is text, so is a lone ``#``).
- ``!low`` ``!medium`` ``!high`` ``!urgent``: the priority, in any case. Other ``!`` + letters is an
  error (``!none``, ``!extreme``); ``!``, ``!!!`` or ``!5`` are text.
- ``^today`` ``^tomorrow`` ``^mon``..``^sun`` ``^monday``..``^sunday`` ``^YYYY-MM-DD``: the due date
  (a weekday means the next one strictly after today), optionally with a 24-hour time:
  ``^fri@09:30``. Any other ``^`` word is an error; a lone ``^`` is text.
- ``*daily`` ``*weekdays`` ``*weekly`` ``*monthly`` ``*yearly`` ``*mon``..``*sun`` (or full day names):
  the task repeats (an RRULE, from its due date). Without a ``^`` date it is due on the first day of the
  series from today: today, or the next weekday or named day. Other ``*`` words are text (``*note*``).

Each token is removed with the whitespace that follows it; the rest of the text is kept as typed and
stripped at the ends. Pure: no I/O and no clock, ``today`` is passed in. ``QuickAddError`` messages are
shown to users as they are, and name the offending token.
"""

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from todo_app.tasks import tagnames
from todo_app.tasks.priority import PRIORITIES, Priority
from todo_app.tasks.tagnames import quoted

_WORD = re.compile(r"(\S+)\s*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name: number for number, full in enumerate(_DAY_NAMES) for name in (full, full[:3])}
_SETTABLE: tuple[Priority, ...] = PRIORITIES[1:]  # "none" is the absence of a token, not a token
_BY_NAME: dict[str, Priority] = {name: name for name in _SETTABLE}
_PRIORITY_HINT = "use " + ", ".join(f"!{name}" for name in _SETTABLE[:-1]) + f" or !{_SETTABLE[-1]}"
_DATE_HINT = "use ^today, ^tomorrow, a weekday such as ^mon or ^monday, or ^YYYY-MM-DD"
_TIME_HINT = "use a 24-hour time from @00:00 to @23:59"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_REPEATS = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY",
    **{name: f"FREQ=WEEKLY;BYDAY={_BYDAY[number]}" for name, number in _WEEKDAYS.items()},
}


class QuickAddError(ValueError):
    """The text cannot be read; ``str(error)`` is a message for the user naming the problem."""


@dataclass(frozen=True)
class QuickAdd:
    """The fields read from a quick-add text; a field without a token is None (tags: empty)."""

    title: str
    tags: list[str]
    priority: Priority | None
    due_date: date | None
    due_time: time | None
    recurrence: str | None = None  # an RRULE


def parse(text: str, *, today: date) -> QuickAdd:
    """Read ``text`` typed on ``today`` (the user's local date); raises ``QuickAddError``."""
    tags: list[str] = []
    priority: tuple[str, Priority] | None = None  # (word, value) of the first priority token
    due: tuple[str, date, time | None] | None = None
    repeat: tuple[str, str] | None = None  # (word, rule)
    title_parts: list[str] = []
    kept_from = 0
    for match in _WORD.finditer(text):
        word = match.group(1)
        if len(word) < 2 or word[0] not in "#!^*":
            continue
        if word[0] == "*":
            rule = _REPEATS.get(word[1:].lower()) if word[1:].isascii() else None
            if rule is None:
                continue
            if repeat is not None and repeat[1] != rule:
                raise QuickAddError(f"Only one repeat, please: {quoted(repeat[0])} and {quoted(word)}")
            repeat = (word, rule)
        elif word[0] == "#":
            tags.append(_tag(word))
        elif word[0] == "!":
            value = _priority(word)
            if value is None:
                continue
            if priority is not None and priority[1] != value:
                raise QuickAddError(
                    f"Conflicting priorities {quoted(priority[0])} and {quoted(word)}: use only one"
                )
            if priority is None:
                priority = (word, value)
        else:
            due_date, due_time = _due(word, today)
            if due is not None:
                raise QuickAddError(f"Only one due date, please: {quoted(due[0])} and {quoted(word)}")
            due = (word, due_date, due_time)
        title_parts.append(text[kept_from : match.start()])
        kept_from = match.end()
    title_parts.append(text[kept_from:])
    title = "".join(title_parts).strip()
    if not title:
        raise QuickAddError(
            "Quick add needs a title: add some words besides #tags, !priority, ^due date and *repeat"
        )
    try:
        merged = tagnames.merge(tags)
    except tagnames.TagNameError as error:
        raise QuickAddError(str(error)) from None
    if repeat is not None and due is None:
        due = (repeat[0], _first_day(repeat[1], today), None)
    return QuickAdd(
        title=title,
        tags=merged,
        priority=priority[1] if priority else None,
        due_date=due[1] if due else None,
        due_time=due[2] if due else None,
        recurrence=repeat[1] if repeat else None,
    )


def _first_day(rule: str, today: date) -> date:
    """The first day from today (included) that a repeat token's rule falls on."""
    _, _, days = rule.partition(";BYDAY=")
    if not days:
        return today
    weekdays = {_BYDAY.index(day) for day in days.split(",")}
    return next(today + timedelta(days=n) for n in range(7) if (today.weekday() + n) % 7 in weekdays)


def _tag(word: str) -> str:
    try:
        return tagnames.clean(word[1:])
    except tagnames.TagNameError as error:
        raise QuickAddError(f"Tag {quoted(word)} {error.problem}") from None


def _priority(word: str) -> Priority | None:
    """The priority a ``!word`` sets, or None if the word is plain text (``!``, ``!!!``, ``!5``)."""
    letters = word[1:]
    if not letters.isalpha():
        return None
    if letters.isascii() and letters.lower() in _BY_NAME:
        return _BY_NAME[letters.lower()]
    raise QuickAddError(f"Unknown priority {quoted(word)}: {_PRIORITY_HINT}")


def _due(word: str, today: date) -> tuple[date, time | None]:
    day, at, clock = word[1:].partition("@")
    shown = quoted(f"^{day}") + (f" in {quoted(word)}" if at and day else "") if day else quoted(word)
    due_date = _due_date(shown, day, today)
    if not at:
        return due_date, None
    found = _TIME.fullmatch(clock)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise QuickAddError(f"{quoted('@' + clock)} in {quoted(word)} is not a valid time: {_TIME_HINT}")
    return due_date, time(int(found[1]), int(found[2]))


def _due_date(shown: str, day: str, today: date) -> date:
    name = day.lower() if day.isascii() else day
    if name == "today":
        return today
    if name == "tomorrow":
        return today + timedelta(days=1)
    if name in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[name] - today.weekday() - 1) % 7 + 1)
    found = _ISO_DATE.fullmatch(day)
    if found is None:
        raise QuickAddError(f"Unknown due date {shown}: {_DATE_HINT}")
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise QuickAddError(f"{shown} is not a valid date") from None
