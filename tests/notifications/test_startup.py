"""Reminders that fell due while no process ran go out as the app starts, without waiting a poll:
under a day late they are sent (and emailed) marked late; older ones are recorded as missed, with no
email. The metrics count them."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from tests.conftest import client_for
from tests.factories import make_task, make_user
from tests.notifications.conftest import eventually, notifications
from todo_app.db import Database, parse_database_url
from todo_app.tasks.models import Reminder

METRICS_TOKEN = "metrics-token-for-the-reminder-tests"


async def test_reminders_due_while_stopped_go_out_at_start_late_or_missed(mail_settings, smtp_server):
    async with client_for(mail_settings, smtp_url=None, smtp_from=None) as client:
        user = await make_user(client)
        late, missed, ahead = [await make_task(client, user, title=t) for t in ("late", "missed", "ahead")]
    now = datetime.now(UTC)
    times = {
        late["id"]: now - timedelta(hours=1),
        missed["id"]: now - timedelta(days=2),
        ahead["id"]: now + timedelta(hours=1),
    }
    database = Database(parse_database_url(mail_settings.effective_database_url), pool_size=1, pool_timeout=5)
    await database.open()
    try:
        async with database.connection() as db:
            for task_id, at in times.items():
                row = {"user_id": user["id"], "task_id": task_id, "position": 0, "remind_at": at}
                await db.execute(insert(Reminder).values(**row))
    finally:
        await database.close()

    # Turns half a second apart: the email of a reminder claimed at start-up goes within one.
    overrides = {"reminder_poll_seconds": 0.5, "metrics_token": METRICS_TOKEN}
    async with client_for(mail_settings, **overrides) as client:
        app = client.app
        made = await eventually(lambda: _two(app))
        await eventually(lambda: _emailed(app))
        by_title = {n["title"]: n for n in made}
        assert by_title["late"]["late"] is True
        assert by_title["late"]["sent_at"] is not None
        assert by_title["late"]["remind_at"] == times[late["id"]]
        assert by_title["missed"]["late"] is True
        assert by_title["missed"]["sent_at"] is None
        assert by_title["missed"]["email_due_at"] is None  # never to be emailed
        async with app.state.db.connection() as db:
            left = await db.all(select(Reminder.task_id))
        assert left == [(ahead["id"],)]
        await asyncio.sleep(1.5)  # three more turns: nothing more is sent
        [(to, mail)] = smtp_server.received()
        assert (to, mail["Subject"]) == (user["email"], "Reminder: late")
        assert "This reminder is late" in mail.get_content()
        assert len(await notifications(app)) == 2

        r = await client.get("/notifications", headers=user["headers"])
        shown = sorted((n["title"], n["late"], n["sent_at"] is None) for n in r.json())
        assert shown == [("late", True, False), ("missed", True, True)]
        r = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert r.status_code == 200
        samples = dict(line.rsplit(" ", 1) for line in r.text.splitlines() if line.startswith("todo_remind"))
        assert float(samples["todo_reminders_sent_total"]) == 1
        assert float(samples["todo_reminders_late_total"]) == 1
        assert float(samples["todo_reminders_missed_total"]) == 1
        assert float(samples["todo_reminder_emails_sent_total"]) == 1
        assert float(samples["todo_reminder_emails_failed_total"]) == 0


async def _two(app):
    made = await notifications(app)
    return made if len(made) == 2 else None


async def _emailed(app):
    return await notifications(app, title="late", email_due_at=None)
