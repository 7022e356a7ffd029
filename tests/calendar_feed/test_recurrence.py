"""A recurring task's RRULE, expanded the way a calendar app would (DTSTART + RRULE, by dateutil), gives
exactly the dates the API moves the task through as it is completed, DST changes included.

Every series starts at least ten days after the owner's today, so "from": "due" never skips a date
for being past, whatever the day the suite runs."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.calendar_feed.helpers import feed_url, fetch, occurrences
from tests.clock import make_user_in
from tests.factories import make_task

BERLIN = "Europe/Berlin"
TUESDAY = 1


def _on_or_after(day: date, ok: Callable[[date], bool]) -> date:
    while not ok(day):
        day += timedelta(days=1)
    return day


def _last_of_month(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _second_tuesday(day: date) -> bool:
    return day.weekday() == TUESDAY and 8 <= day.day <= 14


def _dst_change(month: int) -> Callable[[date], date]:
    """Three days before the next change of Berlin's clocks in `month` (March: on, October: off)."""

    def first(today: date) -> date:
        day = _on_or_after(
            today + timedelta(days=13), lambda d: d.month == month and d.weekday() == 6 and d.day > 24
        )
        return day - timedelta(days=3)

    return first


def _local(day: date, due_time: str | None) -> date | datetime:
    if due_time is None:
        return day
    return datetime.combine(day, time.fromisoformat(due_time), tzinfo=ZoneInfo(BERLIN))


def _wall_clock(moments: list[date | datetime]) -> list[date | datetime]:
    """Dates as they are; datetimes as the wall-clock time in their zone (which must be Berlin)."""
    for moment in moments:
        if isinstance(moment, datetime):
            assert str(moment.tzinfo) == BERLIN
    return [m.replace(tzinfo=None) if isinstance(m, datetime) else m for m in moments]


async def _complete(client, user: dict, task: dict) -> dict:
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    assert r.status_code == 200, r.text
    return r.json()


async def _the_todo(client, url: str):
    [todo] = (await fetch(client, url)).walk("VTODO")
    return todo


CASES = {
    "every other tuesday": (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        lambda today: _on_or_after(today + timedelta(days=10), lambda d: d.weekday() == TUESDAY),
        None,
        6,
    ),
    "last day of the month": (
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        lambda today: _on_or_after(today + timedelta(days=10), _last_of_month),
        "18:00",
        6,
    ),
    "second tuesday": (
        "FREQ=MONTHLY;BYDAY=+2TU",
        lambda today: _on_or_after(today + timedelta(days=10), _second_tuesday),
        "07:15",
        6,
    ),
    "daily across the spring DST change": ("FREQ=DAILY", _dst_change(3), "09:00", 7),
    "daily across the autumn DST change": ("FREQ=DAILY", _dst_change(10), "09:00", 7),
    "daily in the hour the clocks skip": ("FREQ=DAILY", _dst_change(3), "02:30", 7),
}


@pytest.mark.parametrize(("rule", "first", "due_time", "n"), CASES.values(), ids=CASES.keys())
async def test_the_rrule_gives_the_dates_the_api_moves_through(client, rule, first, due_time, n):
    user = await make_user_in(client, BERLIN)
    start = first(user["today"])
    task = await make_task(
        client, user, due_date=start.isoformat(), due_time=due_time, recurrence={"rule": rule, "from": "due"}
    )
    url = await feed_url(client, user)
    todo = await _the_todo(client, url)
    assert todo.decoded("DTSTART") == todo.decoded("DUE") == _local(start, due_time)
    assert todo["RRULE"].to_ical().decode() == rule
    expanded = occurrences(todo, n + 3)

    moved = [task]
    for _ in range(n - 1):
        moved.append(await _complete(client, user, moved[-1]))
    assert all(t["due_time"] == due_time and not t["completed"] for t in moved)
    api = [_local(date.fromisoformat(t["due_date"]), due_time) for t in moved]
    assert _wall_clock(expanded[:n]) == _wall_clock(api)
    assert expanded[:n] == api  # and the same instants

    # The feed follows: DTSTART is now the current occurrence, and the series goes on as before.
    later = await _the_todo(client, url)
    assert later.decoded("DTSTART") == later.decoded("DUE") == api[-1]
    assert _wall_clock(occurrences(later, 4)) == _wall_clock(expanded[n - 1 : n + 3])


async def test_a_daily_time_keeps_its_wall_clock_and_changes_its_offset_across_dst(client):
    user = await make_user_in(client, BERLIN)
    start = _dst_change(3)(user["today"])
    await make_task(
        client, user, due_date=start.isoformat(), due_time="09:00", recurrence={"rule": "FREQ=DAILY"}
    )
    calendar = await fetch(client, await feed_url(client, user))
    [todo] = calendar.walk("VTODO")
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == todo["DTSTART"].params["TZID"] == BERLIN
    days = occurrences(todo, 6)
    assert {d.time() for d in days} == {time(9)}
    # By the calendar's own VTIMEZONE: winter time before the change, summer time after it.
    tz = zone.to_tz()
    offsets = [d.replace(tzinfo=tz).utcoffset() for d in days]
    assert offsets == [timedelta(hours=1)] * 3 + [timedelta(hours=2)] * 3
    assert offsets == [d.utcoffset() for d in days]


async def test_count_is_what_is_left_of_the_series(client):
    user = await make_user_in(client, BERLIN)
    start = user["today"] + timedelta(days=10)
    task = await make_task(
        client, user, due_date=start.isoformat(), due_time="08:00", recurrence={"rule": "FREQ=WEEKLY;COUNT=3"}
    )
    url = await feed_url(client, user)
    first = await _the_todo(client, url)
    assert first["RRULE"]["COUNT"] == [3]
    expected = [_local(start + timedelta(weeks=k), "08:00") for k in range(3)]
    assert occurrences(first, 10) == expected
    task = await _complete(client, user, task)
    second = await _the_todo(client, url)
    assert second["RRULE"]["COUNT"] == [2]
    assert (
        occurrences(second, 10)
        == expected[1:]
        == [_local(date.fromisoformat(task["due_date"]), "08:00"), expected[2]]
    )
    task = await _complete(client, user, task)
    assert occurrences(await _the_todo(client, url), 10) == expected[2:]
    task = await _complete(client, user, task)
    assert task["completed"] is True  # the series is over: the feed has nothing left
    assert (await fetch(client, url)).walk("VTODO") == []


async def test_count_counts_a_first_date_the_rule_would_not_give(client):
    """RFC 5545: DTSTART is the first of COUNT even off the rule, as the API counts the series' start."""
    user = await make_user_in(client, BERLIN)
    start = _on_or_after(user["today"] + timedelta(days=10), lambda d: d.weekday() == TUESDAY + 1)
    task = await make_task(
        client, user, due_date=start.isoformat(), recurrence={"rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3"}
    )
    url = await feed_url(client, user)
    expanded = occurrences(await _the_todo(client, url), 10)
    moved = [date.fromisoformat(task["due_date"])]
    while not task["completed"]:
        task = await _complete(client, user, task)
        if not task["completed"]:
            moved.append(date.fromisoformat(task["due_date"]))
    assert expanded == moved == [start, start + timedelta(days=6), start + timedelta(days=13)]


@pytest.mark.parametrize(
    ("due_time", "until", "kept_days"),
    [
        ("21:30", lambda last: last.strftime("%Y%m%d"), 4),  # a date includes its whole day
        (None, lambda last: last.strftime("%Y%m%d"), 4),
        # 06:00Z is before 09:00 Berlin, when the API holds a date-only occurrence to happen
        (None, lambda last: last.strftime("%Y%m%dT060000Z"), 3),
        (None, lambda last: last.strftime("%Y%m%dT120000Z"), 4),
        ("21:30", lambda last: last.strftime("%Y%m%dT203000Z"), 4),  # 21:30 Berlin winter time, exactly
        ("21:30", lambda last: last.strftime("%Y%m%dT202959Z"), 3),
    ],
)
async def test_until_ends_the_feeds_series_where_the_api_ends_it(client, due_time, until, kept_days):
    user = await make_user_in(client, BERLIN)
    start = _on_or_after(user["today"] + timedelta(days=10), lambda d: d.month in (12, 1))  # winter time
    rule = f"FREQ=DAILY;UNTIL={until(start + timedelta(days=3))}"
    task = await make_task(
        client, user, due_date=start.isoformat(), due_time=due_time, recurrence={"rule": rule}
    )
    url = await feed_url(client, user)
    todo = await _the_todo(client, url)
    [stated] = todo["RRULE"]["UNTIL"]
    assert type(stated) is type(todo.decoded("DTSTART"))  # RFC 5545: UNTIL takes DTSTART's value type
    expanded = occurrences(todo, 10)
    moved = [_local(start, due_time)]
    while True:
        task = await _complete(client, user, task)
        if task["completed"]:
            break
        moved.append(_local(date.fromisoformat(task["due_date"]), due_time))
    assert len(moved) == kept_days
    assert expanded == moved


async def test_from_completion_shows_the_current_due_date_without_an_rrule(client):
    user = await make_user_in(client, BERLIN)
    start = user["today"] + timedelta(days=10)
    await make_task(
        client,
        user,
        due_date=start.isoformat(),
        due_time="10:00",
        recurrence={"rule": "FREQ=WEEKLY", "from": "completion"},
    )
    todo = await _the_todo(client, await feed_url(client, user))
    assert {"DTSTART", "RRULE"}.isdisjoint(todo)
    assert todo.decoded("DUE") == _local(start, "10:00")
