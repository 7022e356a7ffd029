"""One access line per request: method, route template (never the raw path), status, duration,
the user when authenticated, the client address as the rate limits see it; LOG_ACCESS=false
switches it off."""

from tests.conftest import client_for
from tests.factories import make_task, make_user
from tests.observability.conftest import access_lines


async def test_an_authenticated_request_names_its_route_template_and_user(client, logged):
    user = await make_user(client)
    task = await make_task(client, user)
    logged()
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    [line] = access_lines(logged())
    assert line["message"].startswith("GET /tasks/{task_id} 200 ")
    assert {k: line[k] for k in ("method", "route", "status", "user_id", "client")} == {
        "method": "GET",
        "route": "/tasks/{task_id}",
        "status": 200,
        "user_id": user["id"],
        "client": "127.0.0.1",
    }
    assert line["request_id"] == r.headers["x-request-id"]
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert str(task["id"]) not in line["route"]


async def test_an_unauthenticated_request_has_no_user(client, logged):
    await client.get("/tasks/12345")
    [line] = access_lines(logged())
    assert (line["route"], line["status"]) == ("/tasks/{task_id}", 401)
    assert "user_id" not in line


async def test_the_user_is_known_on_every_way_in(client, logged):
    """A dependency (get_current_user) and the idempotency middleware, each without another query."""
    user = await make_user(client)
    logged()
    await client.post("/tasks", json={"title": "a"}, headers={**user["headers"], "Idempotency-Key": "k1"})
    await client.post("/tasks", json={"title": "a"}, headers={**user["headers"], "Idempotency-Key": "k1"})
    first, replay = access_lines(logged())
    assert (first["route"], first["status"], first["user_id"]) == ("/tasks", 201, user["id"])
    # The stored answer is sent before routing, so no route is named; the user still is.
    assert (replay["route"], replay["status"], replay["user_id"]) == ("<unmatched>", 201, user["id"])


async def test_unmatched_paths_and_mounts_have_fixed_labels(client, logged):
    await client.get("/no/such/path/4242")
    await client.post("/tasks", content=b"x" * (1024 * 1024 + 1))
    await client.get("/static/app.js")
    unknown, too_large, static = access_lines(logged())
    assert (unknown["route"], unknown["status"]) == ("<unmatched>", 404)
    assert "4242" not in str(unknown)
    assert (too_large["route"], too_large["status"]) == ("<unmatched>", 413)
    assert (static["route"], static["status"]) == ("/static/{path}", 200)


async def test_the_client_is_the_address_the_limits_count(settings, logged):
    forwarded = {"X-Forwarded-For": "198.51.100.4, 203.0.113.7"}
    async with client_for(settings, peer="10.1.2.3", trusted_proxies=["10.0.0.0/8"]) as client:
        await client.get("/health", headers=forwarded)
    async with client_for(settings, peer="10.1.2.3") as client:
        await client.get("/health", headers=forwarded)
    behind_proxy, direct = access_lines(logged())
    assert behind_proxy["client"] == "203.0.113.7"
    assert direct["client"] == "10.1.2.3"


async def test_log_access_false_writes_no_line_but_keeps_the_id(settings, logged):
    async with client_for(settings, log_access=False) as client:
        r = await client.get("/health")
    assert r.headers["x-request-id"]
    assert access_lines(logged()) == []
