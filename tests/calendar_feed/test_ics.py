"""What the feed says of each task, read back with icalendar as a calendar app would read it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.calendar_feed.helpers import feed_url, fetch, set_columns, task_id, todos
from tests.clock import set_timezone
from tests.factories import make_task, make_user
from todo_app.calendar_feed.ics import FeedTask, calendar

BERLIN = "Europe/Berlin"


async def test_a_task_with_a_due_time_is_due_at_its_wall_clock_time_in_the_owners_zone(client):
    user = await make_user(client)
    await set_timezone(client, user, BERLIN)
    task = await make_task(
        client,
        user,
        title="Pay rent",
        description="Line one\nline two, with; punctuation",
        due_date="2027-07-01",
        due_time="09:30",
        priority="high",
        tags=["home", "Bills"],
    )
    calendar = await fetch(client, await feed_url(client, user))
    [todo] = calendar.walk("VTODO")
    assert str(todo["UID"]) == f"task-{task['id']}@todo-app"
    assert str(todo["SUMMARY"]) == "Pay rent"
    assert str(todo["DESCRIPTION"]) == "Line one\nline two, with; punctuation"
    assert todo["DUE"].params["TZID"] == BERLIN
    assert todo.decoded("DUE") == datetime(2027, 7, 1, 9, 30, tzinfo=ZoneInfo(BERLIN))
    assert todo.decoded("DUE").utcoffset() == timedelta(hours=2)
    assert {"DTSTART", "RRULE"}.isdisjoint(todo)
    assert todo["PRIORITY"] == 3
    assert todo["CATEGORIES"].cats == ["Bills", "home"]
    assert str(todo["STATUS"]) == "NEEDS-ACTION"
    updated = datetime.fromisoformat(task["updated_at"])
    assert todo.decoded("DTSTAMP") == updated.replace(microsecond=0)
    assert todo.decoded("LAST-MODIFIED") == updated.replace(microsecond=0)
    assert todo.decoded("CREATED") == datetime.fromisoformat(task["created_at"]).replace(microsecond=0)
    # The calendar carries a VTIMEZONE for exactly that TZID, and it agrees with the IANA zone.
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == BERLIN
    tz = zone.to_tz()
    for moment in (datetime(2027, 1, 15, 12), datetime(2027, 7, 1, 9, 30), datetime(2030, 11, 1, 8)):
        assert moment.replace(tzinfo=tz).utcoffset() == moment.replace(tzinfo=ZoneInfo(BERLIN)).utcoffset()
    assert str(calendar["X-WR-CALNAME"]) == "Todo"
    assert str(calendar["X-WR-TIMEZONE"]) == BERLIN
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(minutes=15)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT15M"
    assert str(calendar["VERSION"]) == "2.0"
    assert "todo-app" in str(calendar["PRODID"])


async def test_a_date_alone_is_due_value_date_and_needs_no_vtimezone(client):
    user = await make_user(client)
    await set_timezone(client, user, BERLIN)
    await make_task(client, user, due_date="2027-02-28")
    calendar = await fetch(client, await feed_url(client, user))
    [todo] = calendar.walk("VTODO")
    assert todo["DUE"].params["VALUE"] == "DATE"
    assert todo.decoded("DUE") == date(2027, 2, 28)
    assert calendar.walk("VTIMEZONE") == []


async def test_a_utc_owner_gets_utc_times(client):
    user = await make_user(client)  # UTC by default
    await make_task(client, user, due_date="2027-02-28", due_time="23:15")
    calendar = await fetch(client, await feed_url(client, user))
    [todo] = calendar.walk("VTODO")
    assert todo["DUE"].to_ical() == b"20270228T231500Z"
    assert calendar.walk("VTIMEZONE") == []


@pytest.mark.parametrize(("priority", "expected"), [("urgent", 1), ("high", 3), ("medium", 5), ("low", 7)])
async def test_priorities_map_to_rfc_5545(client, priority, expected):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2027-01-05", priority=priority)
    assert (await todos(client, user))[task["id"]]["PRIORITY"] == expected


async def test_no_priority_and_no_tags_leave_those_properties_out(client):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2027-01-05")
    todo = (await todos(client, user))[task["id"]]
    assert {"PRIORITY", "CATEGORIES", "DESCRIPTION"}.isdisjoint(todo)


async def test_only_open_live_tasks_with_a_due_date_are_in_the_feed(client):
    user = await make_user(client)
    shown = await make_task(client, user, due_date="2027-01-05")
    await make_task(client, user)  # no due date
    await make_task(client, user, due_date="2027-01-05", completed=True)
    done_later = await make_task(client, user, due_date="2027-01-05")
    trashed = await make_task(client, user, due_date="2027-01-05")
    assert (
        await client.patch(f"/tasks/{done_later['id']}/complete", headers=user["headers"])
    ).status_code == 200
    assert (await client.delete(f"/tasks/{trashed['id']}", headers=user["headers"])).status_code == 204
    url = await feed_url(client, user)
    assert [task_id(t) for t in (await fetch(client, url)).walk("VTODO")] == [shown["id"]]
    # Restored from the trash, or reopened, a task is back.
    assert (await client.post(f"/trash/{trashed['id']}/restore", headers=user["headers"])).status_code == 200
    assert (
        await client.patch(f"/tasks/{done_later['id']}/complete", headers=user["headers"])
    ).status_code == 200
    ids = {task_id(t) for t in (await fetch(client, url)).walk("VTODO")}
    assert ids == {shown["id"], trashed["id"], done_later["id"]}


async def test_each_reminder_is_a_valarm(client):
    user = await make_user(client)
    await set_timezone(client, user, BERLIN)
    at = "2027-06-30T07:45:00Z"
    task = await make_task(
        client,
        user,
        title="Dentist",
        due_date="2027-07-01",
        due_time="09:30",
        reminders=[{"before_minutes": 30}, {"before_minutes": 1440}, {"at": at}],
    )
    alarms = (await todos(client, user))[task["id"]].walk("VALARM")
    assert len(alarms) == 3
    for alarm in alarms:
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == "Dentist"
    before30, before_day, absolute = alarms
    assert before30["TRIGGER"].params["RELATED"] == "END"  # END of a VTODO: its DUE
    assert before30.decoded("TRIGGER") == -timedelta(minutes=30)
    assert before_day.decoded("TRIGGER") == -timedelta(days=1)
    assert before30["TRIGGER"].to_ical() == b"-PT30M"
    assert absolute["TRIGGER"].params["VALUE"] == "DATE-TIME"
    assert absolute.decoded("TRIGGER") == datetime(2027, 6, 30, 7, 45, tzinfo=UTC)


async def test_a_relative_reminder_of_a_date_alone_falls_at_nine_minus_its_minutes(client, app):
    """The API asks for a due time for before_minutes; a task left with one without (as stored
    here directly) is reminded the API's way: 09:00 local on the due date, minus the minutes."""
    user = await make_user(client)
    await set_timezone(client, user, BERLIN)
    task = await make_task(client, user, due_date="2027-07-01")
    await set_columns(app, task["id"], reminders='[{"before_minutes":30},{"before_minutes":600}]')
    todo = (await todos(client, user))[task["id"]]
    triggers = [alarm.decoded("TRIGGER") for alarm in todo.walk("VALARM")]
    assert triggers == [timedelta(hours=8, minutes=30), -timedelta(hours=1)]
    assert all(alarm["TRIGGER"].params["RELATED"] == "END" for alarm in todo.walk("VALARM"))


async def test_stored_reminders_that_are_not_json_show_none(client, app):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2027-07-01")
    await set_columns(app, task["id"], reminders="not json")
    assert (await todos(client, user))[task["id"]].walk("VALARM") == []


async def test_the_feed_follows_the_owners_zone(client):
    user = await make_user(client)
    await make_task(client, user, due_date="2027-07-01", due_time="09:30")
    url = await feed_url(client, user)
    await set_timezone(client, user, "America/New_York")
    calendar = await fetch(client, url)
    [todo] = calendar.walk("VTODO")
    assert todo.decoded("DUE") == datetime(2027, 7, 1, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/New_York"]


async def test_the_feed_is_well_formed(client):
    user = await make_user(client)
    await set_timezone(client, user, BERLIN)
    for i in range(40):
        await make_task(client, user, due_date="2027-01-05", due_time=f"{i % 24:02d}:00", tags=[f"t{i}"])
    body = (await client.get(await feed_url(client, user))).content
    calendar = Calendar.from_ical(body)
    assert len(calendar.walk("VTODO")) == 40
    assert all(line.endswith(b"\r") or not line for line in body.split(b"\n"))  # CRLF line ends
    assert max(len(line) for line in body.split(b"\r\n")) <= 75  # folded (RFC 5545 §3.1)


def test_odd_stored_values_still_give_a_feed():
    """Dates at the ends of the calendar, and reminders that are not what the API stores."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    odd = ({"at": "garbage"}, {"at": "2027-01-01T00:00:00"}, {"before_minutes": True}, {}, {"at": 5})

    def task(task_id: int, day: date, reminders: tuple = ()) -> FeedTask:
        return FeedTask(task_id, "x", None, day, time(23, 59), 0, (), None, None, None, reminders, now, now)

    tasks = [task(1, date(1, 1, 1), odd), task(2, date(9999, 12, 31)), task(3, date(2027, 1, 1))]
    parsed = Calendar.from_ical(calendar(tasks, zone="America/New_York"))
    assert [t.decoded("DUE").date() for t in parsed.walk("VTODO")] == [t.due_date for t in tasks]
    assert parsed.walk("VALARM") == []
    [zone] = parsed.walk("VTIMEZONE")
    assert datetime(2027, 7, 1, 12, tzinfo=zone.to_tz()).utcoffset() == -timedelta(hours=4)
