"""X-Request-ID: the caller's when acceptable, a new one otherwise; on every response, whoever
answered it; in every log line written while serving the request, and in the body of a 500."""

import logging
import re

import httpx2
import pytest
from fastapi import FastAPI

from tests.conftest import client_for
from tests.events.conftest import live_server, open_stream
from tests.factories import make_user
from tests.observability.conftest import access_lines

GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_an_acceptable_incoming_id_is_kept_and_logged(client, logged):
    for sent in ("abc", "A-b_c.9", "x" * 128, "00f6e1c2-1b8a-4d3c-9e55-0123456789ab"):
        r = await client.get("/health", headers={"X-Request-ID": sent})
        assert r.headers["x-request-id"] == sent
        [line] = access_lines(logged())
        assert line["request_id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "x" * 129, "has space", "semi;colon", 'quote"d', "new%0Aline", "slash/ed", "tab\there"],
)
async def test_an_unacceptable_incoming_id_is_replaced(client, logged, sent):
    r = await client.get("/health", headers={"X-Request-ID": sent})
    assert GENERATED.fullmatch(r.headers["x-request-id"])
    [line] = access_lines(logged())
    assert line["request_id"] == r.headers["x-request-id"]
    assert sent not in str(line) or sent == ""


async def test_two_incoming_ids_are_replaced(client):
    r = await client.get("/health", headers=[("X-Request-ID", "one"), ("X-Request-ID", "two")])
    assert GENERATED.fullmatch(r.headers["x-request-id"])


async def test_without_an_incoming_id_each_request_gets_its_own(client):
    ids = {(await client.get("/health")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(GENERATED.fullmatch(i) for i in ids)


async def test_every_error_response_carries_the_id(client):
    user = await make_user(client)
    responses = {
        401: await client.get("/tasks"),
        404: await client.get("/tasks/999999", headers=user["headers"]),
        405: await client.put("/tasks", headers=user["headers"]),
        413: await client.post("/tasks", content=b"x" * (1024 * 1024 + 1), headers=user["headers"]),
        422: await client.post("/auth/signup", json={"email": "not an email", "password": "x"}),
    }
    for status, r in responses.items():
        assert r.status_code == status, r.text
        assert GENERATED.fullmatch(r.headers["x-request-id"]), status


async def test_answers_of_the_outer_middlewares_carry_the_id(settings):
    frontend = "http://localhost:3000"
    async with client_for(settings, rate_limit_auth_per_minute=1, cors_origins=[frontend]) as client:
        preflight = await client.options(
            "/tasks", headers={"Origin": frontend, "Access-Control-Request-Method": "GET"}
        )
        cross_site = await client.post("/auth/login", json={}, headers={"Origin": "https://evil.example"})
        await client.post("/auth/login", json={})
        limited = await client.post("/auth/login", json={})
        cors = await client.get("/health", headers={"Origin": frontend, "X-Request-ID": "from-the-ui"})
    assert (preflight.status_code, cross_site.status_code, limited.status_code) == (200, 403, 429)
    for r in (preflight, cross_site, limited):
        assert GENERATED.fullmatch(r.headers["x-request-id"])
    assert cors.headers["x-request-id"] == "from-the-ui"
    assert "x-request-id" in cors.headers["access-control-expose-headers"].lower()
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()


def add_failing_routes(app: FastAPI) -> None:
    """Test-only routes: one that logs from the event loop and from a worker thread, one that fails."""
    log = logging.getLogger("todo_app.test_route")

    async def chatty() -> dict:
        log.warning("from the event loop")
        return {}

    def chatty_in_a_thread() -> dict:
        log.warning("from a worker thread")
        return {}

    async def boom() -> None:
        log.warning("about to fail")
        raise RuntimeError("kaboom")

    app.add_api_route("/test/chatty", chatty)
    app.add_api_route("/test/chatty-thread", chatty_in_a_thread)
    app.add_api_route("/test/boom", boom)


async def test_every_line_logged_while_serving_carries_the_id(app, logged):
    add_failing_routes(app)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://t") as client:
        for path in ("/test/chatty", "/test/chatty-thread"):
            r = await client.get(path, headers={"X-Request-ID": f"req{path[-6:]}"})
            lines = logged()
            assert [line["logger"] for line in lines] == ["todo_app.test_route", "todo_app.access"]
            assert {line["request_id"] for line in lines} == {r.headers["x-request-id"]}
    logging.getLogger("todo_app.test_route").warning("outside any request")
    [outside] = logged()
    assert "request_id" not in outside


async def test_a_500_names_its_id_in_the_body_and_in_the_traceback_line(app, logged):
    add_failing_routes(app)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/test/boom", headers={"X-Request-ID": "boom-1"})
    assert r.status_code == 500
    assert r.headers["x-request-id"] == "boom-1"
    assert r.json() == {"detail": "Internal server error", "request_id": "boom-1"}
    lines = logged()
    [traceback] = [line for line in lines if "exception" in line]
    assert traceback["request_id"] == "boom-1"
    assert traceback["level"] == "ERROR"
    assert "RuntimeError: kaboom" in traceback["exception"]
    assert {line["request_id"] for line in lines} == {"boom-1"}
    assert access_lines(lines)[0]["status"] == 500


async def test_the_event_stream_carries_the_id(settings):
    async with live_server(settings) as live:
        user = await make_user(live.client)
        headers = {**user["headers"], "X-Request-ID": "stream-1"}
        async with open_stream(live.client, headers) as stream:
            assert stream.response.headers["x-request-id"] == "stream-1"
