"""GET /metrics: hidden without METRICS_TOKEN, guarded by it, and what it counts: requests by route
template, rate-limit refusals, the pool, the hash queue and open event streams; across the worker
processes of `todo-app serve --workers 2` too."""

import asyncio
from pathlib import Path

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_SECRET, client_for
from tests.events.conftest import live_server, open_stream, with_settings
from tests.factories import PASSWORD, make_task, make_user
from tests.observability.test_serve_logs import serve  # noqa: F401 (the fixture)

TOKEN = "metrics-token-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
FAMILIES = {
    "todo_http_requests",
    "todo_http_request_duration_seconds",
    "todo_rate_limit_refusals",
    "todo_db_pool_connections",
    "todo_db_pool_in_use",
    "todo_db_pool_waiting",
    "todo_db_pool_max_connections",
    "todo_password_hash_queue",
    "todo_event_streams_open",
}


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample as (name, labels) -> value."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def total(text: str, name: str, **labels: str) -> float:
    """The sum over every sample of `name` carrying `labels` (whatever its other labels)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples(text).items() if n == name and wanted <= ls)


async def scrape(client: httpx2.AsyncClient) -> str:
    r = await client.get("/metrics", headers=SCRAPE)
    assert r.status_code == 200, r.text
    return r.text


async def test_without_a_token_metrics_is_an_unknown_path(client):
    unknown = await client.get("/no-such-path")
    r = await client.get("/metrics", headers=SCRAPE)
    assert (
        (r.status_code, r.json()) == (unknown.status_code, unknown.json()) == (404, {"detail": "Not Found"})
    )
    assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
async def test_a_missing_or_wrong_token_is_401(settings, header):
    async with client_for(settings, metrics_token=TOKEN) as client:
        r = await client.get("/metrics", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "Not authenticated"}


async def test_the_exposition_has_every_family_and_stays_out_of_the_schema(settings):
    async with client_for(settings, metrics_token=TOKEN) as client:
        await client.get("/health/live")
        r = await client.get("/metrics", headers=SCRAPE)
        schema = (await client.get("/openapi.json")).json()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    assert set(families) >= FAMILIES
    assert all(families[name].documentation for name in FAMILIES)
    assert "/metrics" not in schema["paths"]


async def test_requests_count_by_route_template_not_by_path(settings):
    async with client_for(settings, metrics_token=TOKEN) as client:
        user = await make_user(client)
        tasks = [await make_task(client, user) for _ in range(3)]
        for task in tasks:
            assert (await client.get(f"/tasks/{task['id']}", headers=user["headers"])).status_code == 200
        assert (await client.get("/tasks/999999", headers=user["headers"])).status_code == 404
        await client.get("/no-such-path")
        for _ in range(2):
            text = await scrape(client)  # scrapes count themselves nowhere
    route = {"method": "GET", "route": "/tasks/{task_id}"}
    assert value(text, "todo_http_requests_total", **route, status="200") == 3
    assert value(text, "todo_http_requests_total", **route, status="404") == 1
    assert value(text, "todo_http_requests_total", method="POST", route="/tasks", status="201") == 3
    assert value(text, "todo_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert value(text, "todo_http_request_duration_seconds_count", **route) == 4
    assert value(text, "todo_http_request_duration_seconds_bucket", **route, le="+Inf") == 4
    assert value(text, "todo_http_request_duration_seconds_sum", **route) > 0
    routes = {dict(ls).get("route") for (n, ls) in samples(text) if n == "todo_http_requests_total"}
    assert "/metrics" not in routes
    assert not any(str(task["id"]) in str(r) for task in tasks for r in routes)


async def test_pool_gauges_describe_the_pool(settings):
    async with client_for(settings, metrics_token=TOKEN, db_pool_size=7) as client:
        await make_user(client)
        text = await scrape(client)  # (takes no connection itself)
    assert value(text, "todo_db_pool_max_connections") == 7
    assert 1 <= value(text, "todo_db_pool_connections") <= 7
    assert value(text, "todo_db_pool_in_use") == 0
    assert value(text, "todo_db_pool_waiting") == 0


async def test_pool_in_use_counts_a_connection_lent_out(settings):
    async with client_for(settings, metrics_token=TOKEN) as client:
        async with client.app.state.db.connection():
            held = await scrape(client)
        free = await scrape(client)
    assert value(held, "todo_db_pool_in_use") == 1
    assert value(free, "todo_db_pool_in_use") == 0
    assert value(held, "todo_db_pool_connections") >= 1


async def test_rate_limit_refusals_are_counted_by_limit(settings):
    limits = {"rate_limit_auth_per_minute": 3, "rate_limit_login_failures": 1}
    async with client_for(settings, metrics_token=TOKEN, **limits) as client:
        user = await make_user(client)  # two requests
        wrong = {"email": user["email"], "password": "wrong password"}
        assert (await client.post("/auth/login", json=wrong)).status_code == 401
        right = {"email": user["email"], "password": PASSWORD}
        text = await scrape(client)
        assert value(text, "todo_rate_limit_refusals_total", limit="auth_per_minute") == 0
        assert (await client.post("/auth/login", json=right)).status_code == 429  # the 4th request
        text = await scrape(client)
    assert value(text, "todo_rate_limit_refusals_total", limit="auth_per_minute") == 1
    assert value(text, "todo_http_requests_total", method="POST", route="<unmatched>", status="429") == 1


async def test_failed_login_refusals_are_counted(settings):
    async with client_for(settings, metrics_token=TOKEN, rate_limit_login_failures=1) as client:
        user = await make_user(client)
        wrong = {"email": user["email"], "password": "wrong password"}
        assert (await client.post("/auth/login", json=wrong)).status_code == 401
        assert (await client.post("/auth/login", json=wrong)).status_code == 429
        text = await scrape(client)
    assert value(text, "todo_rate_limit_refusals_total", limit="login_failures") == 1
    assert value(text, "todo_http_requests_total", method="POST", route="/auth/login", status="429") == 1


async def test_hash_queue_counts_hashes_holding_or_awaiting_a_thread(settings):
    async with client_for(settings, metrics_token=TOKEN) as client:
        assert value(await scrape(client), "todo_password_hash_queue") == 0
        async with client.app.state.hasher.limiter:  # as a hash running in its thread would
            held = await scrape(client)
        assert value(await scrape(client), "todo_password_hash_queue") == 0
    assert value(held, "todo_password_hash_queue") == 1


async def test_the_stream_gauge_follows_streams_open_and_closed(settings):
    async with live_server(with_settings(settings, metrics_token=TOKEN)) as live:
        user = await make_user(live.client)
        assert value(await scrape(live.client), "todo_event_streams_open") == 0
        async with open_stream(live.client, user["headers"]):
            assert value(await scrape(live.client), "todo_event_streams_open") == 1
        hub = live.app.state.hub
        for _ in range(200):  # the server notices the client left a moment later
            if hub.open_streams == 0:
                break
            await asyncio.sleep(0.01)
        assert value(await scrape(live.client), "todo_event_streams_open") == 0


def test_serve_with_workers_sums_requests_over_every_worker(serve, database_url, tmp_path):  # noqa: F811
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "LOG_FORMAT": "json",
        "LOG_ACCESS": "false",
        "METRICS_TOKEN": TOKEN,
        "TMPDIR": str(tmp_path),  # where the CLI makes its PROMETHEUS_MULTIPROC_DIR
    }
    server = serve("--workers", "2", **env)
    server.wait_for_workers(2)
    requests = 40
    for _ in range(requests):
        with httpx2.Client(base_url=server.base, timeout=30) as c:  # a new connection each time
            assert c.get("/health/live").status_code == 200
    for _ in range(6):
        with httpx2.Client(base_url=server.base, timeout=30) as c:
            r = c.get("/metrics", headers=SCRAPE)
        assert r.status_code == 200, r.text
        route = {"method": "GET", "route": "/health/live"}
        assert total(r.text, "todo_http_requests_total", **route) == requests
        assert value(r.text, "todo_http_request_duration_seconds_count", **route) == requests
        assert total(r.text, "todo_http_requests_total", route="/metrics") == 0
    [metrics_dir] = [p for p in Path(tmp_path).iterdir() if p.name.startswith("todo-app-metrics-")]
    assert list(metrics_dir.glob("counter_*.db"))
    server.stop()
    assert not metrics_dir.exists()
