"""The secret in a feed URL is a credential: no log line or trace carries it; they name the route
template instead."""

from pathlib import Path

import httpx2
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.calendar_feed.helpers import feed_url
from tests.conftest import make_settings
from tests.factories import make_task, make_user
from tests.observability.conftest import access_lines, parse_lines
from todo_app.config import Settings
from todo_app.main import create_app


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, log_format="json", log_level="debug")


async def test_no_log_line_carries_the_secret(client, capsys):
    user = await make_user(client)
    await make_task(client, user, due_date="2027-01-05")
    capsys.readouterr()
    url = await feed_url(client, user)
    secret = url.removeprefix("/calendar/").removesuffix(".ics")
    assert (await client.get(url)).status_code == 200
    assert (await client.get(url, headers={"If-None-Match": '"x"'})).status_code == 200
    await feed_url(client, user)  # replaces it: the old URL now answers 404
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/calendar/{secret}x.ics")).status_code == 404
    text = capsys.readouterr().err
    assert secret not in text
    lines = access_lines(parse_lines(text))
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "/calendar/feed", 201),
        ("GET", "/calendar/{secret}.ics", 200),
        ("GET", "/calendar/{secret}.ics", 200),
        ("POST", "/calendar/feed", 201),
        ("GET", "/calendar/{secret}.ics", 404),
        ("GET", "/calendar/{secret}.ics", 404),
    ]


async def test_no_span_carries_the_secret(settings):
    spans = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(spans))
    application = create_app(settings, tracer_provider=provider)
    async with application.router.lifespan_context(application):
        transport = httpx2.ASGITransport(app=application)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            user = await make_user(client)
            await make_task(client, user, due_date="2027-01-05")
            url = await feed_url(client, user)
            assert (await client.get(url)).status_code == 200
    secret = url.removeprefix("/calendar/").removesuffix(".ics")
    [served] = [
        span
        for span in spans.get_finished_spans()
        if span.attributes.get("http.route") == "/calendar/{secret}.ics"
    ]
    assert served.name == "GET /calendar/{secret}.ics"
    assert served.attributes["url.path"] == "/calendar/REDACTED.ics"
    assert all(
        secret not in repr((span.name, dict(span.attributes or {}))) for span in spans.get_finished_spans()
    )
