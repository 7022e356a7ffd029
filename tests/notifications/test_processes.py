"""Exactly once across processes: three `todo-app serve` on one PostgreSQL database, each claiming
reminders and sending emails every second, turn each reminder into one notification and one email
to its owner."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PG_SERVER_URL
from tests.events.test_processes import output, spawn
from tests.factories import make_user
from tests.notifications.conftest import SENDER, WAIT
from tests.test_cli import free_port

PROCESSES = 3
USERS = 6
REMINDERS_PER_USER = 5


async def start(tmp_path: Path, database_url: str, env: dict[str, str]):
    port = free_port()
    proc = spawn(tmp_path, port, database_url, env)
    client = httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=WAIT)
    async with asyncio.timeout(60):
        while True:
            assert proc.poll() is None, output(tmp_path)
            try:
                if (await client.get("/health")).status_code == 200:
                    return proc, client
            except httpx2.TransportError:
                pass
            await asyncio.sleep(0.1)


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_three_processes_send_each_reminder_exactly_once(database_url, smtp_server, tmp_path):
    env = {"REMINDER_POLL_SECONDS": "1", "SMTP_URL": smtp_server.url, "SMTP_FROM": SENDER}
    started = await asyncio.gather(*(start(tmp_path, database_url, env) for _ in range(PROCESSES)))
    clients = [client for _, client in started]
    try:
        serving = itertools.cycle(clients)
        users = [await make_user(next(serving)) for _ in range(USERS)]
        when = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
        owner_of: dict[str, str] = {}
        spread = itertools.count()  # (over three seconds: the processes' turns take turns)
        for user in users:
            for i in range(REMINDERS_PER_USER):
                title = f"{user['email']} #{i}"
                at = when + timedelta(milliseconds=100 * next(spread))
                body = {"title": title, "reminders": [{"at": at.isoformat()}]}
                r = await next(serving).post("/tasks", json=body, headers=user["headers"])
                assert r.status_code == 201, r.text
                owner_of[title] = user["email"]
        assert datetime.now(UTC) < when  # (all armed before any fell due)
        total = USERS * REMINDERS_PER_USER

        async def shown() -> list[tuple[str, str]]:
            """(owner, title) of every notification, each user asking a process of their own."""
            out = []
            for user, client in zip(users, serving, strict=False):
                r = await client.get("/notifications", params={"limit": 200}, headers=user["headers"])
                out += [(user["email"], n["title"]) for n in r.json()]
            return out

        async with asyncio.timeout(WAIT):
            while len(await shown()) < total or len(smtp_server.received()) < total:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # three more turns of every process: nothing more comes
        notified = await shown()
        assert sorted(notified) == sorted((owner, title) for title, owner in owner_of.items())
        emails = sorted((to, mail["Subject"]) for to, mail in smtp_server.received())
        assert emails == sorted((owner, f"Reminder: {title}") for title, owner in owner_of.items())
        assert "Traceback" not in output(tmp_path)
    finally:
        for proc, client in started:
            await client.aclose()
            proc.kill()
            await asyncio.to_thread(proc.wait, 10)
