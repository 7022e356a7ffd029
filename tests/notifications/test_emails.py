"""The email outbox against a real SMTP server (aiosmtpd): one email per notification to its owner,
a subject no title can inject a header into, retries while the server is down, giving up on a
refusal, and leases that keep two senders from sending the same email."""

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tests.clock import set_timezone
from tests.factories import make_user
from tests.notifications.conftest import SENDER, claim, notifications, remind, tomorrow
from todo_app.notifications import outbox
from todo_app.notifications.smtp import parse_smtp_url


async def send(client, smtp_server, now, outcomes: list | None = None) -> int:
    target = parse_smtp_url(smtp_server.url)
    async with client.app.state.db.connection() as db:
        return await outbox.send_due(
            db, target=target, sender=SENDER, now=now, outcome=None if outcomes is None else outcomes.append
        )


async def test_one_email_per_notification_to_its_owner(mail_client, smtp_server):
    client, app = mail_client, mail_client.app
    ann, bob = await make_user(client), await make_user(client)
    await set_timezone(client, ann, "Europe/Berlin")
    when = tomorrow()
    day = (when + timedelta(days=3)).date()
    await remind(client, ann, when, title="Water the plants", due_date=day.isoformat(), due_time="18:30")
    await remind(client, bob, when, title="Call mum")
    await claim(app, when, emails=True)
    outcomes: list[bool] = []
    assert await send(client, smtp_server, when, outcomes) == 2
    assert outcomes == [True, True]
    received = dict(smtp_server.received())
    assert set(received) == {ann["email"], bob["email"]}
    mail = received[ann["email"]]
    assert mail["Subject"] == "Reminder: Water the plants"
    assert mail["From"] == SENDER
    assert mail["To"] == ann["email"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"]
    body = mail.get_content()
    assert f"Due {date.strftime(day, '%A %d %B %Y')}, 18:30 (Europe/Berlin)." in body
    local = when.astimezone(ZoneInfo("Europe/Berlin"))
    assert f"Reminder for {local.strftime('%A %d %B %Y, %H:%M')} (Europe/Berlin)." in body
    assert "http" not in body
    assert "No due date." in received[bob["email"]].get_content()
    for n in await notifications(app):
        assert n["emailed_at"] == when
        assert n["email_due_at"] is None
        assert n["email_attempts"] == 1
    assert await send(client, smtp_server, when + timedelta(hours=1)) == 0  # nothing twice
    assert len(smtp_server.received()) == 2


async def test_a_title_cannot_inject_a_header(mail_client, smtp_server):
    client, app = mail_client, mail_client.app
    user, when = await make_user(client), tomorrow()
    title = "Pay rent\r\nBcc: victim@example.com\r\n\r\nforged body\u2028more"
    await remind(client, user, when, title=title)
    await claim(app, when, emails=True)
    assert await send(client, smtp_server, when) == 1
    [(to, mail)] = smtp_server.received()
    assert to == user["email"]
    assert mail["Subject"] == "Reminder: Pay rent Bcc: victim@example.com forged body more"
    assert mail["Bcc"] is None
    assert mail.get_content().startswith(title.replace("\r\n", "\n"))


async def test_a_server_down_is_retried_with_backoff_until_it_is_up(mail_client, smtp_server):
    client, app = mail_client, mail_client.app
    user, when = await make_user(client), tomorrow()
    await remind(client, user, when, title="Retry me")
    await claim(app, when, emails=True)
    smtp_server.stop()
    outcomes: list[bool] = []
    assert await send(client, smtp_server, when, outcomes) == 0
    [n] = await notifications(app)
    assert (n["email_attempts"], n["email_due_at"], n["emailed_at"]) == (1, when + outbox.RETRY_FIRST, None)
    assert await send(client, smtp_server, when + timedelta(seconds=29), outcomes) == 0  # not yet due
    assert await send(client, smtp_server, when + timedelta(seconds=30), outcomes) == 0  # still down
    [n] = await notifications(app)
    assert (n["email_attempts"], n["email_due_at"]) == (2, when + timedelta(seconds=90))
    smtp_server.start()
    assert await send(client, smtp_server, when + timedelta(seconds=90), outcomes) == 1
    assert outcomes == [False, False, True]
    [n] = await notifications(app)
    assert (n["email_attempts"], n["email_due_at"], n["emailed_at"]) == (
        3,
        None,
        when + timedelta(seconds=90),
    )
    [(to, mail)] = smtp_server.received()
    assert (to, mail["Subject"]) == (user["email"], "Reminder: Retry me")


async def test_it_gives_up_after_the_last_attempt_or_at_once_on_a_refusal(mail_client, smtp_server):
    client, app = mail_client, mail_client.app
    user, when = await make_user(client), tomorrow()
    await remind(client, user, when)
    await claim(app, when, emails=True)
    smtp_server.stop()
    now = when
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert await send(client, smtp_server, now) == 0
        [n] = await notifications(app)
        assert n["email_attempts"] == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert n["email_due_at"] == now + outbox.retry_delay(attempt)
            now = n["email_due_at"]
    assert n["email_due_at"] is None
    assert n["emailed_at"] is None
    assert outbox.retry_delay(outbox.MAX_ATTEMPTS) <= outbox.RETRY_MAX

    smtp_server.start()
    smtp_server.inbox.refuse = "550 5.1.1 No such mailbox"
    later = when + timedelta(seconds=1)
    await remind(client, user, later, title="Refused")
    await claim(app, later, emails=True)
    assert await send(client, smtp_server, later) == 0
    [refused] = await notifications(app, title="Refused")
    assert (refused["email_attempts"], refused["email_due_at"], refused["emailed_at"]) == (1, None, None)
    assert smtp_server.received() == []


async def test_two_senders_at_once_send_each_email_once(mail_client, smtp_server):
    client, app = mail_client, mail_client.app
    users = [await make_user(client) for _ in range(3)]
    when = tomorrow()
    for i in range(24):
        await remind(client, users[i % 3], when, title=f"reminder {i}")
    await claim(app, when, emails=True)
    sent = await asyncio.gather(*(send(client, smtp_server, when) for _ in range(3)))
    assert sum(sent) == 24
    received = smtp_server.received()
    assert sorted(mail["Subject"] for _, mail in received) == sorted(
        f"Reminder: reminder {i}" for i in range(24)
    )
    owner = {f"Reminder: reminder {i}": users[i % 3]["email"] for i in range(24)}
    assert all(owner[mail["Subject"]] == to for to, mail in received)
