"""Reminder emails: SMTP_URL read into a target, the message of a notification, and its sending.

`smtps://` speaks TLS from the first byte (port 465 by default). `smtp://` (port 25 by default)
upgrades with STARTTLS whenever the server offers it; with a user name it insists on STARTTLS, so a
password never crosses the network in clear. Certificates are verified. The password is kept out
of every repr, log line and error message.
"""

import asyncio
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import aiosmtplib

TIMEOUT_SECONDS = 20.0  # each step: connect, each command, the data
SEND_SECONDS = 60.0  # the whole delivery of one message
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:  # what a log line may say about it
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://host[:port] or smtps://[user:password@]host[:port]; ValueError with a message that
    never repeats the URL (it may hold a password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(
            "not a URL like smtp://mail.example.com:25 or smtps://user:password@host:465"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("names no host, e.g. smtp://mail.example.com:25")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("takes no path or query: smtp[s]://[user:password@]host[:port]")
    if parts.password is not None and not parts.username:
        raise ValueError("has a password but no user name")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        implicit_tls=scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def check_sender(value: str) -> str:
    """SMTP_FROM: an address, optionally with a display name ("Todo <todo@example.com>")."""
    if any(char in value for char in "\r\n\x00"):
        raise ValueError("must be one line")
    _, address = parseaddr(value)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError("is not an address like todo@example.com or Todo <todo@example.com>")
    return value.strip()


def one_line(text: str) -> str:
    """Text fit for a header: every control character and line break a space, runs of space one."""
    cleaned = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return _SPACES.sub(" ", cleaned).strip()


@dataclass(frozen=True)
class ReminderEmail:
    """What an email says: the notification, and the task and owner as they are now."""

    to: str
    title: str
    remind_at: datetime
    zone: str
    late: bool
    due_date: date | None
    due_time: time | None


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%A %d %B %Y, %H:%M")


def compose(reminder: ReminderEmail, *, sender: str) -> EmailMessage:
    """A plain-text email; the title is one line in the subject (no header can be injected)."""
    message = EmailMessage()
    message["Subject"] = f"Reminder: {one_line(reminder.title) or '(untitled)'}"
    message["From"] = sender
    message["To"] = reminder.to
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("reminder", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # (RFC 3834: no vacation replies)
    lines = [reminder.title, ""]
    if reminder.due_date is None:
        lines.append("No due date.")
    elif reminder.due_time is None:
        lines.append(f"Due {reminder.due_date.strftime('%A %d %B %Y')}.")
    else:
        day = datetime.combine(reminder.due_date, reminder.due_time)
        lines.append(f"Due {day.strftime('%A %d %B %Y, %H:%M')} ({reminder.zone}).")
    lines.append(f"Reminder for {_local(reminder.remind_at, reminder.zone)} ({reminder.zone}).")
    if reminder.late:
        lines += ["", "This reminder is late: it fell due while the service was not running."]
    lines += ["", "-- ", "Sent by the todo service because you set a reminder on this task."]
    message.set_content("\n".join(lines) + "\n")
    return message


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx answer to its recipient or its content): no
    retry will help. Refusals of the connection, the login or SMTP_FROM are retried: they are the
    server's or the configuration's, and may be put right."""


async def send(target: SmtpTarget, message: EmailMessage) -> None:
    """Deliver one message; raises PermanentFailure, or another exception for a failure worth a
    retry (no connection, a timeout, a 4xx answer)."""
    try:
        async with asyncio.timeout(SEND_SECONDS):
            await _deliver(target, message)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        if all(500 <= error.code < 600 for error in exc.recipients):
            raise PermanentFailure(f"recipient refused: {exc.recipients[0].code}") from None
        raise
    except aiosmtplib.SMTPDataError as exc:
        if 500 <= exc.code < 600:
            raise PermanentFailure(f"message refused: {exc.code} {one_line(exc.message)[:200]}") from None
        raise


async def _deliver(target: SmtpTarget, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.implicit_tls,
        start_tls=False if target.implicit_tls else (None if target.username is None else True),
        timeout=TIMEOUT_SECONDS,
    )
