"""Reminders: the instant each one falls due (before_minutes from the due date and time in the owner's
zone across daylight-saving changes, at as given), and the pending rows every write keeps in step:
completing, trashing or un-dating cancels, reopening, restoring and a new occurrence re-arm, a new
time zone moves the relative ones, and a row due but not yet claimed survives an unrelated edit."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from tests.clock import set_timezone
from tests.factories import make_task, make_user
from todo_app.tasks.models import Reminder
from todo_app.tasks.reminders import instants, rearm

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
D, T = date.fromisoformat, time.fromisoformat


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("reminders", "due_date", "due_time", "zone", "expected"),
    [
        # before_minutes 0 and the longest, 40320 (four weeks)
        ([{"before_minutes": 0}], "2026-12-29", "09:00", "UTC", [(0, "2026-12-29 09:00")]),
        ([{"before_minutes": 40320}], "2026-12-29", "09:00", "UTC", [(0, "2026-12-01 09:00")]),
        # Berlin in winter (+01:00) and summer (+02:00)
        ([{"before_minutes": 30}], "2026-02-10", "08:00", BERLIN, [(0, "2026-02-10 06:30")]),
        ([{"before_minutes": 30}], "2026-07-10", "08:00", BERLIN, [(0, "2026-07-10 05:30")]),
        # Berlin, spring forward on 2026-03-29 02:00 -> 03:00: a time in the gap is read with the
        # offset before it (RFC 5545); a reminder counts back real minutes across the change
        ([{"before_minutes": 0}], "2026-03-29", "02:30", BERLIN, [(0, "2026-03-29 01:30")]),
        ([{"before_minutes": 60}], "2026-03-29", "03:30", BERLIN, [(0, "2026-03-29 00:30")]),
        ([{"before_minutes": 1440}], "2026-03-30", "09:00", BERLIN, [(0, "2026-03-29 07:00")]),
        # Berlin, fall back on 2026-10-25 03:00 -> 02:00: a repeated time is its first instance
        ([{"before_minutes": 0}], "2026-10-25", "02:30", BERLIN, [(0, "2026-10-25 00:30")]),
        ([{"before_minutes": 120}], "2026-10-25", "04:00", BERLIN, [(0, "2026-10-25 01:00")]),
        # New York, spring forward on 2026-03-08 and fall back on 2026-11-01
        ([{"before_minutes": 0}], "2026-03-08", "02:30", NEW_YORK, [(0, "2026-03-08 07:30")]),
        ([{"before_minutes": 15}], "2026-03-08", "03:15", NEW_YORK, [(0, "2026-03-08 07:00")]),
        ([{"before_minutes": 0}], "2026-11-01", "01:30", NEW_YORK, [(0, "2026-11-01 05:30")]),
        ([{"before_minutes": 60}], "2026-11-01", "02:00", NEW_YORK, [(0, "2026-11-01 06:00")]),
        # at: as given, whatever the due date or zone; only those after now
        ([{"at": "2026-06-01T10:00:00Z"}], None, None, BERLIN, [(0, "2026-06-01 10:00")]),
        ([{"at": "2025-12-31T23:59:59Z"}], "2026-06-01", "10:00", "UTC", []),
        ([{"at": "2026-01-01T00:00:00Z"}], None, None, "UTC", []),  # exactly now: not ahead
        ([{"at": "2026-01-01T00:00:01Z"}], None, None, "UTC", [(0, "2026-01-01 00:00:01")]),
        # relative ones need a due date and a due time
        ([{"before_minutes": 10}], "2026-06-01", None, "UTC", []),
        ([{"before_minutes": 10}], None, None, "UTC", []),
        # a relative reminder already past is not armed; positions stay those of the list
        ([{"before_minutes": 10}], "2026-01-01", "00:05", "UTC", []),
        (
            [{"at": "2025-06-01T00:00:00Z"}, {"before_minutes": 60}, {"at": "2026-03-01T12:00:00Z"}],
            "2026-02-01",
            "12:00",
            BERLIN,
            [(1, "2026-02-01 10:00"), (2, "2026-03-01 12:00")],
        ),
        (
            [{"before_minutes": 0}, {"before_minutes": 5}],
            "2026-05-05",
            "10:00",
            "UTC",
            [
                (0, "2026-05-05 10:00"),
                (1, "2026-05-05 09:55"),
            ],
        ),
        ([], "2026-05-05", "10:00", "UTC", []),
    ],
)
def test_instants(reminders, due_date, due_time, zone, expected):
    got = instants(
        reminders,
        due_date=D(due_date) if due_date else None,
        due_time=T(due_time) if due_time else None,
        zone=zone,
        now=NOW,
    )
    assert got == [(position, utc(at)) for position, at in expected]
    assert all(at.tzinfo is not None and at.utcoffset() == timedelta(0) for _, at in got)


# --- the pending rows, through the API ------------------------------------------------------------


async def pending(app, task_id: int) -> list[tuple[int, datetime]]:
    async with app.state.db.connection() as db:
        stmt = select(Reminder.position, Reminder.remind_at).where(Reminder.task_id == task_id)
        return sorted(await db.all(stmt.order_by(Reminder.position)))


def ahead(days: int = 10) -> date:
    return (datetime.now(UTC) + timedelta(days=days)).date()


def at(day: date, hhmm: str, zone_offset_hours: int = 0) -> datetime:
    return datetime.combine(day, T(hhmm), tzinfo=UTC) - timedelta(hours=zone_offset_hours)


async def patch(client, user, task, **body) -> dict:
    r = await client.patch(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_new_task_arms_its_reminders_still_ahead(client, app):
    user, day = await make_user(client), ahead()
    later = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    reminders = [
        {"before_minutes": 30},
        {"at": "2001-01-01T00:00:00Z"},
        {"at": later.isoformat()},
        {"before_minutes": 0},
    ]
    task = await make_task(client, user, due_date=day.isoformat(), due_time="09:30", reminders=reminders)
    assert await pending(app, task["id"]) == [(0, at(day, "09:00")), (2, later), (3, at(day, "09:30"))]
    bare = await make_task(client, user, due_date=day.isoformat())
    assert await pending(app, bare["id"]) == []


async def test_completing_cancels_and_reopening_re_arms(client, app):
    user, day = await make_user(client), ahead()
    task = await make_task(
        client, user, due_date=day.isoformat(), due_time="10:00", reminders=[{"before_minutes": 60}]
    )
    await patch(client, user, task, completed=True)
    assert await pending(app, task["id"]) == []
    await patch(client, user, task, completed=False)
    assert await pending(app, task["id"]) == [(0, at(day, "09:00"))]
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])  # (a toggle)
    assert r.status_code == 200
    assert r.json()["completed"] is True
    assert await pending(app, task["id"]) == []


async def test_trashing_cancels_and_restoring_re_arms(client, app):
    user, day = await make_user(client), ahead()
    task = await make_task(
        client, user, due_date=day.isoformat(), due_time="10:00", reminders=[{"before_minutes": 5}]
    )
    assert (await client.delete(f"/tasks/{task['id']}", headers=user["headers"])).status_code == 204
    assert await pending(app, task["id"]) == []
    r = await client.post(f"/trash/{task['id']}/restore", headers=user["headers"])
    assert r.status_code == 200, r.text
    assert await pending(app, task["id"]) == [(0, at(day, "09:55"))]


async def test_un_dating_cancels_the_relative_ones_and_moving_the_time_moves_them(client, app):
    user, day = await make_user(client), ahead()
    fixed = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    reminders = [{"before_minutes": 15}, {"at": fixed.isoformat()}]
    task = await make_task(client, user, due_date=day.isoformat(), due_time="10:00", reminders=reminders)
    await patch(client, user, task, due_time="18:00")
    assert await pending(app, task["id"]) == [(0, at(day, "17:45")), (1, fixed)]
    await patch(client, user, task, due_date=None)
    assert await pending(app, task["id"]) == [(1, fixed)]
    await patch(client, user, task, reminders=[])
    assert await pending(app, task["id"]) == []


async def test_a_new_time_zone_moves_the_relative_reminders_only(client, app):
    user, day = await make_user(client), ahead(40)  # (no daylight-saving change matters: whole hours)
    fixed = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    reminders = [{"before_minutes": 0}, {"at": fixed.isoformat()}]
    task = await make_task(client, user, due_date=day.isoformat(), due_time="12:00", reminders=reminders)
    other = await make_user(client)
    theirs = await make_task(
        client, other, due_date=day.isoformat(), due_time="12:00", reminders=reminders[:1]
    )
    await set_timezone(client, user, "Etc/GMT-5")  # UTC+5
    assert await pending(app, task["id"]) == [(0, at(day, "12:00", 5)), (1, fixed)]
    assert await pending(app, theirs["id"]) == [(0, at(day, "12:00"))]


async def test_completing_a_recurring_task_re_arms_for_its_next_occurrence(client, app):
    user, day = await make_user(client), ahead(3)
    task = await make_task(
        client,
        user,
        due_date=day.isoformat(),
        due_time="08:00",
        recurrence={"rule": "FREQ=DAILY"},
        reminders=[{"before_minutes": 10}],
    )
    moved = await patch(client, user, task, completed=True)
    assert moved["completed"] is False
    assert moved["due_date"] == (day + timedelta(days=1)).isoformat()
    assert await pending(app, task["id"]) == [(0, at(day + timedelta(days=1), "07:50"))]


async def test_bulk_completion_and_deletion_cancel(client, app):
    user, day = await make_user(client), ahead()
    tasks = [
        await make_task(
            client, user, due_date=day.isoformat(), due_time="10:00", reminders=[{"before_minutes": 1}]
        )
        for _ in range(3)
    ]
    r = await client.patch(
        "/tasks", params={"ids": f"{tasks[0]['id']}"}, json={"completed": True}, headers=user["headers"]
    )
    assert r.status_code == 200, r.text
    r = await client.delete("/tasks", params={"ids": f"{tasks[1]['id']}"}, headers=user["headers"])
    assert r.status_code == 200, r.text
    assert [await pending(app, t["id"]) for t in tasks] == [[], [], [(0, at(day, "09:59"))]]


async def test_a_row_due_but_not_yet_claimed_survives_a_write_that_leaves_it_as_it_was(client, app):
    """A write in the moment between a reminder's time and the claim (here: `now` just after it)
    keeps the row if the reminder is unchanged, and drops it when the reminder moved or went."""
    user = await make_user(client)
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    task = await make_task(client, user, reminders=[{"at": when.isoformat()}])
    just_after = when + timedelta(seconds=1)
    async with app.state.db.connection() as db, db.transaction():
        await rearm(db, user_id=user["id"], version=task["version"], now=just_after)
    assert await pending(app, task["id"]) == [(0, when)]
    moved = when + timedelta(minutes=1)
    async with app.state.db.connection() as db, db.transaction():
        await db.execute(
            text("UPDATE task SET reminders = :r WHERE id = :id"),
            {"r": f'[{{"at": "{moved:%Y-%m-%dT%H:%M:%SZ}"}}]', "id": task["id"]},
        )
        await rearm(db, user_id=user["id"], version=task["version"], now=just_after)
    assert await pending(app, task["id"]) == [(0, moved)]
    async with app.state.db.connection() as db, db.transaction():
        await rearm(db, user_id=user["id"], version=task["version"], now=moved + timedelta(seconds=1))
    assert await pending(app, task["id"]) == [(0, moved)]  # (still as it was: kept)
    async with app.state.db.connection() as db, db.transaction():
        await db.execute(text("UPDATE task SET completed = true WHERE id = :id"), {"id": task["id"]})
        await rearm(db, user_id=user["id"], version=task["version"], now=moved + timedelta(seconds=1))
    assert await pending(app, task["id"]) == []
