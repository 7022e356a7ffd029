"""A real SMTP server (aiosmtpd) in the test process, and helpers that make reminders fall due.

Tests that drive the claim and the outbox themselves pass them a `now` a day or more ahead of the
clock, for reminders set ahead of it too: the app's own jobs (which run at start-up, on the real
clock) can then never take those rows first."""

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import client_for
from tests.factories import make_task
from tests.test_cli import free_port
from todo_app.config import Settings
from todo_app.notifications.claim import Claimed, claim_due
from todo_app.notifications.models import Notification

SENDER = "Todo <todo@example.com>"
WAIT = 20.0  # seconds any wait may take at most (a shared, loaded machine)


@dataclass
class Inbox:
    """The aiosmtpd handler: every message accepted, or refused with `refuse` (e.g. "550 ...")."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> list[tuple[str, EmailMessage]]:
        """(recipient, message) of every message, one per recipient."""
        return [(to, message) for tos, message in self.inbox.messages for to in tos]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Listening; `stop()` and `start()` take it down and up again on the same port."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    """The test's settings with reminder emails on, and the jobs' turns an hour apart (start-up only)."""
    values = {"smtp_url": smtp_server.url, "smtp_from": SENDER, "reminder_poll_seconds": 3600.0}
    return Settings(_env_file=None, **{**settings.model_dump(), **values})


@pytest.fixture
async def mail_client(mail_settings) -> AsyncIterator:
    """A client of an app that sends reminder emails (`client.app` is the app)."""
    async with client_for(mail_settings) as client:
        yield client


def tomorrow() -> datetime:
    """A whole second a day ahead: reminders set there are not due for the app's own jobs."""
    return (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)


async def remind(client, user, when: datetime, **fields) -> dict:
    """A task of `user` with one reminder at `when`."""
    return await make_task(client, user, reminders=[{"at": when.isoformat()}], **fields)


async def claim(app, now: datetime, *, emails: bool = False, poll_seconds: float = 15.0) -> Claimed:
    async with app.state.db.connection() as db:
        return await claim_due(db, poll_seconds=poll_seconds, emails=emails, now=now)


async def notifications(app, **where) -> list[dict]:
    """Every notification (all columns) matching `where` (column=value), oldest first."""
    columns = Notification.__table__.c
    stmt = select(Notification.__table__).order_by(columns.id)
    for name, value in where.items():
        stmt = stmt.where(columns[name] == value)
    async with app.state.db.connection() as db:
        rows = await db.all(stmt)
    return [dict(zip(columns.keys(), row, strict=True)) for row in rows]


async def eventually(check, seconds: float = WAIT):
    """Poll `check()` (async) until it returns something true; that value."""
    async with asyncio.timeout(seconds):
        while not (result := await check()):  # noqa: ASYNC110 (a database state, polled with a deadline)
            await asyncio.sleep(0.05)
        return result
