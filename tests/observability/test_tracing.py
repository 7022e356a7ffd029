"""Traces: a server span per request named by its route template and carrying its request id, a
child span per database statement with its SQL but never a bound value, the caller's `traceparent`
honoured; nothing at all without OTEL_EXPORTER_OTLP_ENDPOINT, and with it spans posted over OTLP/HTTP,
a collector that is away costing the requests nothing."""

import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.conftest import TEST_SECRET, client_for, make_settings
from tests.factories import PASSWORD, make_task, make_user
from todo_app.config import ConfigError, Settings, load_settings
from todo_app.main import create_app
from todo_app.observability import tracing

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_SAMPLER",
)


@pytest.fixture(autouse=True)
def no_otel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says which OTEL_* variables it has; the machine's own do not leak in."""
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def app(settings: Settings, spans: InMemorySpanExporter) -> AsyncIterator:
    """The app of the `client` fixture, with its spans kept in memory."""
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(spans))
    application = create_app(settings, tracer_provider=provider)
    async with application.router.lifespan_context(application):
        yield application


def request_span(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER and s.name == name]
    return span


def children(spans: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    return [
        s
        for s in spans.get_finished_spans()
        if s.parent is not None and s.parent.span_id == parent.context.span_id
    ]


def everything_recorded(spans: InMemorySpanExporter) -> str:
    """Every name, attribute, event and status description of every span, as one text."""
    parts = []
    for span in spans.get_finished_spans():
        parts += [span.name, str(span.status.description), *map(str, span.attributes.values())]
        for event in span.events:
            parts += [event.name, *map(str, event.attributes.values())]
    return "\n".join(parts)


async def test_a_request_span_names_the_route_template_status_and_request_id(client, spans):
    user = await make_user(client)
    task = await make_task(client, user)
    spans.clear()
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    span = request_span(spans, "GET /tasks/{task_id}")
    assert dict(span.attributes) == {
        "http.request.method": "GET",
        "http.route": "/tasks/{task_id}",
        "http.response.status_code": 200,
        "url.path": f"/tasks/{task['id']}",
        "request_id": r.headers["x-request-id"],
    }
    assert span.status.status_code is StatusCode.UNSET
    assert span.parent is None

    await client.get("/health/live", headers={"X-Request-ID": "probe-7"})
    assert request_span(spans, "GET /health/live").attributes["request_id"] == "probe-7"


async def test_statement_spans_are_children_of_the_request_span_without_values(client, spans, app):
    user = await make_user(client)
    title = "needle-7c1e9f-title"
    r = await client.post("/tasks", json={"title": title}, headers=user["headers"])
    assert r.status_code == 201
    span = request_span(spans, "POST /tasks")
    statements = children(spans, span)
    assert statements
    for statement in statements:
        assert statement.kind is SpanKind.CLIENT
        assert statement.context.trace_id == span.context.trace_id
        assert statement.name == statement.attributes["db.operation.name"]
        assert statement.attributes["db.system.name"] == app.state.db.backend
        assert statement.name in statement.attributes["db.query.text"].upper()
    # The SQL as compiled: placeholders where the values go (on PostgreSQL one statement, a CTE).
    [insert] = [s for s in statements if "INSERT INTO task (" in s.attributes["db.query.text"]]
    assert insert.name == ("WITH" if app.state.db.backend == "postgresql" else "INSERT")
    text = insert.attributes["db.query.text"]
    assert ":new_title" in text or "%(new_title)s" in text
    # The whole session, sign-up and login included, left no value behind.
    recorded = everything_recorded(spans)
    for secret in (title, user["email"], PASSWORD, user["token"]):
        assert secret not in recorded


async def test_a_callers_traceparent_is_honoured(client, spans):
    r = await client.get("/health/ready", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    assert r.status_code == 200
    span = request_span(spans, "GET /health/ready")
    assert f"{span.context.trace_id:032x}" == TRACE_ID
    assert span.parent is not None
    assert span.parent.is_remote
    assert f"{span.parent.span_id:016x}" == PARENT_ID
    assert children(spans, span)  # the schema check's statements, in the caller's trace too
    assert {f"{s.context.trace_id:032x}" for s in children(spans, span)} == {TRACE_ID}


async def test_a_500_marks_the_span_as_an_error_without_its_message(app, spans):
    async def boom() -> None:
        raise RuntimeError("kaboom: internal detail")

    async def feed(token: str) -> dict:
        return {}

    app.add_api_route("/test/boom", boom)
    app.add_api_route("/test/feeds/{token}", feed)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/test/boom")).status_code == 500
        assert (await client.get("/test/feeds/feed-secret-1234")).status_code == 200
        assert (await client.get("/no/such/path")).status_code == 404
    boom_span = request_span(spans, "GET /test/boom")
    assert boom_span.status.status_code is StatusCode.ERROR
    assert boom_span.attributes["http.response.status_code"] == 500
    # A path parameter named like a credential never reaches the span.
    assert request_span(spans, "GET /test/feeds/{token}").attributes["url.path"] == "/test/feeds/REDACTED"
    # No route took it: the method alone names it, and a 404 is no error of the server's.
    unmatched = request_span(spans, "GET")
    assert "http.route" not in unmatched.attributes
    assert unmatched.status.status_code is StatusCode.UNSET
    recorded = everything_recorded(spans)
    assert "kaboom" not in recorded
    assert "feed-secret-1234" not in recorded


async def test_without_the_endpoint_there_is_no_provider_and_no_span(database_url: str, tmp_path: Path):
    settings = make_settings(database_url, tmp_path)
    assert settings.otel_exporter_otlp_endpoint is None
    async with client_for(settings) as client:
        app = client.app  # type: ignore[attr-defined]
        assert app.state.tracer_provider is None
        assert app.state.db.tracer is None
        assert tracing.RequestTracing not in [m.cls for m in app.user_middleware]
        assert (await client.get("/health/ready")).status_code == 200


async def test_the_endpoint_turns_on_otlp_and_an_absent_collector_costs_requests_nothing(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9/")  # nothing listens there
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    settings = make_settings(database_url, tmp_path)
    assert settings.otel_exporter_otlp_endpoint == "http://127.0.0.1:9/"
    app = create_app(settings)
    assert isinstance(app.state.tracer_provider, TracerProvider)
    async with app.router.lifespan_context(app):
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://t") as client:
            started = time.perf_counter()
            for _ in range(3):
                assert (await client.get("/health/ready")).status_code == 200
            assert time.perf_counter() - started < 1
        stopping = time.perf_counter()
    assert time.perf_counter() - stopping < tracing.FLUSH_SECONDS + 1
    failures = [r for r in caplog.records if r.name.startswith("opentelemetry.exporter")]
    assert failures, "the failed export was not logged"
    assert all(r.levelno >= logging.WARNING for r in failures)


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def collector() -> Iterator[tuple[str, list]]:
    """A stand-in OTLP/HTTP collector: its base URL and the requests it received."""
    received: list[tuple[str, dict[str, str], bytes]] = []
    handler = type("Handler", (Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_spans_reach_the_collector_with_the_standard_variables(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector: tuple[str, list]
):
    url, received = collector
    monkeypatch.setenv("OTEL_SERVICE_NAME", "todo-test")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-collector-key=abc123")
    app = create_app(make_settings(database_url, tmp_path, otel_exporter_otlp_endpoint=url))
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        await c.get("/health/ready")
    # Shutting down flushed the batch.
    assert received
    path, headers, _ = received[0]
    assert path == "/v1/traces"
    assert headers["x-collector-key"] == "abc123"
    names, services = set(), set()
    for _, _, body in received:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            services.add(attributes["service.name"])
            names |= {span.name for scope in resource_spans.scope_spans for span in scope.spans}
    assert services == {"todo-test"}
    assert "GET /health/ready" in names
    assert "SELECT" in names


def test_the_service_name_defaults_to_todo_app_and_a_traces_endpoint_wins(monkeypatch: pytest.MonkeyPatch):
    provider = tracing.make_provider("http://collector:4318/")
    assert provider.resource.attributes["service.name"] == "todo-app"
    assert tracing.traces_endpoint("http://collector:4318/") == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:4318/custom")
    assert tracing.traces_endpoint("http://collector:4318") is None  # the exporter reads it itself
    provider.shutdown()


def test_an_endpoint_that_is_not_a_url_is_refused(tmp_path: Path):
    base = {"_env_file": None, "database_url": f"sqlite:///{tmp_path}/t.db", "jwt_secret": TEST_SECRET}
    with pytest.raises(ConfigError, match="OTEL_EXPORTER_OTLP_ENDPOINT: not a URL"):
        load_settings(**base, otel_exporter_otlp_endpoint="collector:4318")
    assert load_settings(**base, otel_exporter_otlp_endpoint=" ").otel_exporter_otlp_endpoint is None


class StuckProcessor(SpanProcessor):
    def shutdown(self) -> None:
        time.sleep(2)


async def test_shutdown_waits_for_the_last_spans_only_so_long(caplog: pytest.LogCaptureFixture):
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(StuckProcessor())
    started = time.perf_counter()
    await tracing.shut_down(provider, seconds=0.2)
    assert time.perf_counter() - started < 1
    assert "not exported within" in caplog.text
