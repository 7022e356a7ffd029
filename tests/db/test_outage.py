"""PostgreSQL restarting under a running `todo-app serve`: no acknowledged write is lost, every
answer while it is away is a JSON 503 with Retry-After (never a 500), and writes succeed again
within 2 s of its return, also when the pool held connections the restart killed.

Runs on the PostgreSQL leg only (TEST_DATABASE_URL), against a private server (tests/db/cluster.py)."""

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx2
import psycopg
import pytest

from tests.conftest import PG_SERVER_URL, TEST_SECRET, pg_conninfo
from tests.db.cluster import Cluster, server_bin
from tests.factories import make_task, make_user
from tests.test_cli import CLI, clean_env, free_port

pytestmark = [
    pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (the PostgreSQL leg)"),
    pytest.mark.timeout(300),
]

RECOVERY_BAR_SECONDS = 2.0  # a write succeeds within this long of PostgreSQL accepting again
OUTAGE_SECONDS = 2.0
WRITERS = 4
UNAVAILABLE = {"detail": "Database unavailable, try again shortly"}


@dataclass
class Service:
    cluster: Cluster
    base_url: str
    proc: subprocess.Popen
    log_path: str

    def log(self) -> str:
        with open(self.log_path) as f:
            return f.read()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A private PostgreSQL, migrated by `todo-app migrate`, and `todo-app serve` on it. Requests
    wait at most 1 s for a connection (DB_POOL_TIMEOUT), so an outage shows as 503s."""
    if server_bin() is None:
        pytest.skip("no PostgreSQL server binaries (initdb) here")
    tmp = tmp_path_factory.mktemp("outage")
    cluster = Cluster(free_port())
    proc = None
    try:
        cluster.init()
        cluster.start()
        env = clean_env(
            tmp,
            DATABASE_URL=cluster.url,
            JWT_SECRET=TEST_SECRET,
            DB_POOL_TIMEOUT="1",
            RATE_LIMIT_AUTH_PER_MINUTE="0",
            RATE_LIMIT_LOGIN_FAILURES="0",
        )
        done = subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        port = free_port()
        log_path = str(tmp / "serve.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [*CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        service = Service(cluster, f"http://127.0.0.1:{port}", proc, log_path)
        wait_ready(service)
        yield service
    finally:
        if proc is not None:
            proc.kill()
            proc.wait(30)
        cluster.destroy()


def wait_ready(service: Service, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert service.proc.poll() is None, service.log()
        try:
            if httpx2.get(f"{service.base_url}/health/ready", timeout=5).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("todo-app serve did not become ready\n" + service.log())


async def signed_in(client: httpx2.AsyncClient, name: str) -> dict[str, str]:
    body = {"email": f"{name}@example.com", "password": "correct horse battery"}
    r = await client.post("/auth/signup", json=body)
    assert r.status_code in (201, 409), r.text
    r = await client.post("/auth/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: no answer at all (the connection failed)
    task_id: int | None = None
    title: str = ""


@dataclass
class Load:
    """Writers creating tasks until told to stop; every answer recorded."""

    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def until(self, done: Callable[[], bool], seconds: float = 30) -> None:
        async with asyncio.timeout(seconds), self.answered:
            await self.answered.wait_for(done)

    async def record(self, outcome: Outcome) -> None:
        async with self.answered:
            self.outcomes.append(outcome)
            self.answered.notify_all()

    async def writer(self, client: httpx2.AsyncClient, headers: dict[str, str], name: str) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            title = f"{name} {n}"
            started = time.monotonic()
            try:
                r = await client.post("/tasks", json={"title": title}, headers=headers)
            except httpx2.TransportError:
                await self.record(Outcome(started, time.monotonic(), None))
                await asyncio.sleep(0.05)
                continue
            task_id = r.json()["id"] if r.status_code == 201 else None
            await self.record(Outcome(started, time.monotonic(), r.status_code, task_id, title))
            if r.status_code == 503:
                if r.json() != UNAVAILABLE or not r.headers.get("retry-after", "").isdigit():
                    self.problems.append(f"503 without its JSON detail and Retry-After: {r.text}")
                await asyncio.sleep(0.05)  # as a client honouring Retry-After would, only sooner
            elif r.status_code != 201:
                self.problems.append(f"{r.status_code}: {r.text}")

    def acknowledged(self) -> dict[int, str]:
        return {o.task_id: o.title for o in self.outcomes if o.task_id is not None}


def stored(cluster: Cluster, ids: list[int]) -> dict[int, str]:
    with psycopg.connect(cluster.url) as conn:
        rows = conn.execute("SELECT id, title FROM task WHERE id = ANY(%s)", (ids,)).fetchall()
    return dict(rows)


async def test_a_restart_under_write_load_loses_nothing_and_answers_503(service: Service):
    load = Load()
    async with httpx2.AsyncClient(base_url=service.base_url, timeout=15) as client:
        users = [await signed_in(client, f"writer{i}") for i in range(WRITERS)]
        writers = [
            asyncio.create_task(load.writer(client, headers, f"w{i}")) for i, headers in enumerate(users)
        ]
        try:
            await load.until(lambda: len(load.acknowledged()) >= 20)  # writes acknowledged before the outage
            await asyncio.to_thread(service.cluster.stop)
            stopped = time.monotonic()
            await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself: a fixed span, not a wait for anything
            back = await service.cluster.start_again()
            # Writes go on for a second after the first success.
            await load.until(lambda: any(o.status == 201 and o.ended > back + 1 for o in load.outcomes))
        finally:
            load.stop.set()
            await asyncio.gather(*writers)

    assert not load.problems, load.problems[:5]
    statuses = {o.status for o in load.outcomes}
    assert statuses <= {201, 503, None}, statuses
    during = [o for o in load.outcomes if stopped <= o.ended <= back]
    assert any(o.status == 503 for o in during), "no request was answered while PostgreSQL was away"
    first = min(o.ended for o in load.outcomes if o.status == 201 and o.ended > back)
    print(f"first acknowledged write {first - back:.2f} s after PostgreSQL accepted connections again")
    assert first - back < RECOVERY_BAR_SECONDS
    # Once writes succeed again, nothing fails: no stale pooled connection is handed out.
    later = [o for o in load.outcomes if o.started > first]
    assert later
    assert all(o.status == 201 for o in later), [o.status for o in later]
    acknowledged = load.acknowledged()
    assert stored(service.cluster, list(acknowledged)) == acknowledged
    assert "Traceback" not in service.log()


async def test_idle_pooled_connections_killed_by_a_restart_cost_no_failed_request(service: Service):
    """The pool holds several idle connections; PostgreSQL restarts while nobody asks anything.
    The first write afterwards succeeds at once: the first dead connection found replaces them all
    (a pool that checked them one by one would make the request wait 1 s, then 2 s, ...)."""
    async with httpx2.AsyncClient(base_url=service.base_url, timeout=15) as client:
        headers = await signed_in(client, "idle")
        # Eight writes at once: the pool opens connections for them and keeps them idle afterwards.
        answers = await asyncio.gather(
            *(client.post("/tasks", json={"title": f"warm {i}"}, headers=headers) for i in range(8))
        )
        assert [r.status_code for r in answers] == [201] * 8
        await asyncio.to_thread(service.cluster.stop)
        back = await service.cluster.start_again()
        r = await client.post("/tasks", json={"title": "after the restart"}, headers=headers)
        took = time.monotonic() - back
        assert r.status_code == 201, r.text
        print(f"first write after the restart answered {took:.2f} s after PostgreSQL accepted again")
        assert took < RECOVERY_BAR_SECONDS
        for i in range(5):
            r = await client.post("/tasks", json={"title": f"then {i}"}, headers=headers)
            assert r.status_code == 201, r.text


async def test_a_connection_ended_mid_query_is_a_503_and_the_next_request_is_served(client, database_url):
    """The shape a restart gives the requests it catches in flight (57P01, "terminating connection
    due to administrator command"), made by ending one session of the shared server: its request
    is answered 503, and the pool serves the next request on a good connection."""
    user = await make_user(client)
    admin = await psycopg.AsyncConnection.connect(pg_conninfo(database_url), autocommit=True)
    try:
        async with admin.transaction():  # hold the owner's row: the write below waits for it
            await admin.execute("SELECT 1 FROM app_user WHERE id = %s FOR UPDATE", (user["id"],))
            write = asyncio.create_task(client.post("/tasks", json={"title": "x"}, headers=user["headers"]))
            waiting = None
            async with asyncio.timeout(15):
                while waiting is None:
                    cursor = await admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                    waiting = await cursor.fetchone()
                    await asyncio.sleep(0.02)
            await admin.execute("SELECT pg_terminate_backend(%s)", waiting)
            r = await write
    finally:
        await admin.close()
    assert r.status_code == 503
    assert r.json() == UNAVAILABLE
    assert r.headers["retry-after"].isdigit()
    await make_task(client, user)
