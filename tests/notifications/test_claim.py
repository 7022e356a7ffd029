"""The claim: every due reminder becomes exactly one notification, also with several claimers at once
(PostgreSQL: each on its own connection, rows taken FOR UPDATE SKIP LOCKED; SQLite: one at a time
under the write lock); late and missed ones are told apart; the title is the task's at that moment."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, insert, select

from tests.factories import make_task, make_user
from tests.notifications.conftest import claim, notifications, remind, tomorrow
from todo_app.notifications.claim import claim_due, late_after
from todo_app.tasks.models import Reminder, Task


async def test_concurrent_claimers_turn_each_due_reminder_into_exactly_one_notification(client, app):
    users = [await make_user(client) for _ in range(3)]
    tasks = [await make_task(client, user) for user in users for _ in range(2)]
    async with app.state.db.connection() as db:
        owner = dict(await db.all(select(Task.id, Task.user_id)))
    base = tomorrow()
    due = {(tasks[i % 6]["id"], base + timedelta(milliseconds=i)) for i in range(300)}
    later = {(tasks[0]["id"], base + timedelta(hours=1))}
    async with app.state.db.connection() as db, db.transaction():
        for task_id, at in sorted(due | later):
            row = {"user_id": owner[task_id], "task_id": task_id, "position": 0, "remind_at": at}
            await db.execute(insert(Reminder).values(**row))

    async def claimer():
        async with app.state.db.connection() as db:
            return await claim_due(
                db, poll_seconds=15, emails=False, now=base + timedelta(seconds=10), batch=7
            )

    results = await asyncio.gather(*(claimer() for _ in range(6)))
    assert sum(result.total for result in results) == 300
    made = await notifications(app)
    assert len(made) == 300
    assert {(n["task_id"], n["remind_at"]) for n in made} == due
    assert all(n["user_id"] == owner[n["task_id"]] for n in made)
    async with app.state.db.connection() as db:
        left = await db.all(select(Reminder.task_id, Reminder.remind_at))
    assert set(left) == later
    assert (await claim(app, base + timedelta(seconds=10))).total == 0  # nothing twice


async def test_late_and_missed_are_told_apart_and_the_title_is_the_tasks_at_that_moment(client, app):
    user = await make_user(client)
    now = tomorrow() + timedelta(days=2)
    cases = {
        "on time": now - timedelta(seconds=59),
        "late": now - timedelta(seconds=61),
        "a day late, nearly": now - timedelta(hours=24) + timedelta(seconds=1),
        "missed": now - timedelta(hours=24, seconds=1),
    }
    ids = {}
    for title, when in cases.items():
        task = await remind(client, user, when, title=f"old {title}")
        r = await client.patch(f"/tasks/{task['id']}", json={"title": title}, headers=user["headers"])
        assert r.status_code == 200
        ids[task["id"]] = title
    claimed = await claim(app, now, emails=True, poll_seconds=15)
    assert (claimed.sent, claimed.late, claimed.missed) == (3, 2, 1)
    made = {ids[n["task_id"]]: n for n in await notifications(app)}
    assert set(made) == set(cases)
    for title, n in made.items():
        assert n["title"] == title
        assert n["remind_at"] == cases[title]
        assert n["created_at"] == now
        assert n["read_at"] is None
    assert {t: made[t]["late"] for t in cases} == {
        "on time": False,
        "late": True,
        "a day late, nearly": True,
        "missed": True,
    }
    assert {t: made[t]["sent_at"] for t in cases} == {**dict.fromkeys(cases, now), "missed": None}
    assert {t: made[t]["email_due_at"] for t in cases} == {**dict.fromkeys(cases, now), "missed": None}
    # Renamed afterwards: the notification keeps the title it was sent with.
    task_id = next(i for i, t in ids.items() if t == "late")
    await client.patch(f"/tasks/{task_id}", json={"title": "renamed"}, headers=user["headers"])
    assert (await notifications(app, task_id=task_id))[0]["title"] == "late"


async def test_no_email_is_due_when_emails_are_off_and_lateness_follows_the_poll(client, app):
    user = await make_user(client)
    now = tomorrow() + timedelta(hours=1)
    await remind(client, user, now - timedelta(seconds=100))
    claimed = await claim(app, now, emails=False, poll_seconds=60)  # late after two polls: 120 s
    assert (claimed.sent, claimed.late, claimed.missed) == (1, 0, 0)
    [made] = await notifications(app)
    assert made["email_due_at"] is None
    assert made["late"] is False
    assert late_after(1) == timedelta(seconds=60)
    assert late_after(45) == timedelta(seconds=90)


async def test_only_due_rows_are_claimed(client, app):
    user = await make_user(client)
    when = tomorrow()
    task = await remind(client, user, when)
    assert (await claim(app, when - timedelta(microseconds=1))).total == 0
    assert (await claim(app, when)).total == 1
    async with app.state.db.connection() as db:
        assert await db.scalar(select(func.count()).select_from(Reminder)) == 0
    assert [n["task_id"] for n in await notifications(app)] == [task["id"]]
