"""OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: a server span per request
(RequestTracing) and, as its children, a client span per database statement (StatementTracer, which
db/connection.py runs each statement under). Spans go to the collector over OTLP/HTTP in batches,
from a thread of the SDK's; a collector that is away costs the requests nothing, its export
failures are logged.

The tracer provider belongs to the app (`create_app` builds it from the settings, or a test hands
it one): nothing here is global, so a process, or a test, can hold several apps. The standard
variables keep their meaning through the SDK: OTEL_SERVICE_NAME (default `todo-app`),
OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _TRACES_ENDPOINT,
OTEL_TRACES_SAMPLER. An incoming W3C `traceparent` makes the request span part of the caller's trace.

What a span carries is chosen, never copied wholesale: the method, the route template, the status,
the path (with a parameter named like a credential masked), the request id; for a statement its
SQL as compiled, with placeholders, never the values bound to them. No headers, bodies, emails or
tokens, and no exception messages (a driver's message can quote the row: `Key (email)=(...)`), only
the exception's class as `error.type`.
"""

import asyncio
import contextlib
import functools
import logging
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

from opentelemetry import context, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_app.observability import request_id
from todo_app.observability.metrics import METHODS
from todo_app.observability.templates import UNMATCHED, route_template

log = logging.getLogger(__name__)

SCOPE = "todo_app"  # the instrumentation scope every span is recorded under
DEFAULT_SERVICE_NAME = "todo-app"
TRACES_PATH = "v1/traces"  # what the OTLP/HTTP exporter appends to OTEL_EXPORTER_OTLP_ENDPOINT
TRACES_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
# At shutdown, how long the last spans may take to leave. The exporter alone would retry an absent
# collector for its whole timeout (OTEL_EXPORTER_OTLP_TIMEOUT, 10 s), holding up the exit.
FLUSH_SECONDS = 5.0
# A path parameter so named is masked in `url.path` (a feed or reset URL that is its own password).
CREDENTIAL_PARAM = re.compile("token|secret|key|password", re.IGNORECASE)
MASK = "REDACTED"


def make_provider(endpoint: str) -> TracerProvider:
    """A provider that batches spans to the OTLP/HTTP collector at `endpoint` (the base URL, as in
    OTEL_EXPORTER_OTLP_ENDPOINT; `/v1/traces` is added unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    names the full URL itself)."""
    # Imported here: it brings protobuf and requests, which a process without traces never needs.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    # The app shuts it down (lifespan); the SDK's exit hook would keep every app of a test run alive.
    provider = TracerProvider(resource=resource, shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_endpoint(endpoint))))
    return provider


def traces_endpoint(endpoint: str) -> str | None:
    """The URL spans are posted to; None leaves it to the exporter (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)."""
    if os.environ.get(TRACES_ENDPOINT_ENV):
        return None
    return f"{endpoint.removesuffix('/')}/{TRACES_PATH}"


async def shut_down(provider: TracerProvider, seconds: float = FLUSH_SECONDS) -> None:
    """Export the spans still queued and stop, waiting `seconds` at most. On a daemon thread of its
    own: one still trying to reach an absent collector then neither blocks the event loop nor keeps
    the process from exiting."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle() -> None:
        if not done.done():
            done.set_result(None)

    def run() -> None:
        try:
            provider.shutdown()
        finally:
            with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
                loop.call_soon_threadsafe(settle)

    threading.Thread(target=run, name="todo-app traces shutdown", daemon=True).start()
    try:
        await asyncio.wait_for(done, seconds)
    except TimeoutError:
        log.warning(
            "traces: the last spans were not exported within %s s (the collector is slow or away)", seconds
        )


class _Headers(Getter[list[tuple[bytes, bytes]]]):
    """Reads the propagation headers (`traceparent`, `tracestate`) from ASGI's raw header list."""

    def get(self, carrier: list[tuple[bytes, bytes]], key: str) -> list[str] | None:
        name = key.lower().encode("latin-1")
        values = [value.decode("latin-1") for header, value in carrier if header == name]
        return values or None

    def keys(self, carrier: list[tuple[bytes, bytes]]) -> list[str]:
        return [header.decode("latin-1") for header, _ in carrier]


_PROPAGATOR = TraceContextTextMapPropagator()  # stateless
_GETTER = _Headers()


class RequestTracing:
    """A server span around each HTTP request, named `GET /tasks/{task_id}` (method and route
    template; the method alone when no route took the request), current while the app serves the
    request so the statement spans become its children. Outside RequestLog (access.py), so it reads
    the request id from the `X-Request-ID` that middleware puts on every response. Added only when
    traces are on: otherwise nothing is built and nothing costs."""

    def __init__(self, app: ASGIApp, *, tracer_provider: trace.TracerProvider) -> None:
        self.app = app
        self.tracer = tracer_provider.get_tracer(SCOPE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else "_OTHER"
        root_path = scope.get("root_path", "")
        parent = _PROPAGATOR.extract(scope["headers"], getter=_GETTER)
        span = self.tracer.start_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            record_exception=False,
            set_status_on_exception=False,
        )
        token = context.attach(trace.set_span_in_context(span, parent))

        async def send_noting_response(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
                for name, value in message.get("headers", ()):
                    if name == request_id.HEADER:
                        span.set_attribute("request_id", value.decode("latin-1"))
            await send(message)

        try:
            await self.app(scope, receive, send_noting_response)
        except Exception as exc:
            span.set_attribute("error.type", type(exc).__qualname__)
            span.set_status(Status(StatusCode.ERROR))
            raise
        finally:
            context.detach(token)
            route = route_template(scope, root_path)
            if route != UNMATCHED:
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
            span.set_attribute("url.path", url_path(scope))
            span.end()


def url_path(scope: Scope) -> str:
    """The request's path, with the values of credential-like path parameters masked."""
    path: str = scope["path"]
    for name, value in scope.get("path_params", {}).items():
        text = str(value)
        if text and CREDENTIAL_PARAM.search(name):
            path = path.replace(text, MASK)
    return path


class StatementTracer:
    """Spans for the statements of one database (Connection._run). A statement outside any span
    (a scheduler job, start-up) is not traced: each would be a trace of its own."""

    def __init__(self, tracer_provider: trace.TracerProvider, backend: str) -> None:
        self.tracer = tracer_provider.get_tracer(SCOPE)
        self.system = backend  # "postgresql" or "sqlite", as OpenTelemetry names them

    @contextlib.contextmanager
    def statement(self, sql: str) -> Iterator[None]:
        if not trace.get_current_span().get_span_context().is_valid:
            yield
            return
        operation = operation_name(sql)
        attributes: dict[str, Any] = {
            "db.system.name": self.system,
            "db.operation.name": operation,
            "db.query.text": sql,
        }
        span = self.tracer.start_span(
            operation,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        )
        try:
            yield
        except Exception as exc:
            span.set_attribute("error.type", type(exc).__qualname__)
            span.set_status(Status(StatusCode.ERROR))
            raise
        finally:
            span.end()


@functools.lru_cache(maxsize=1024)
def operation_name(sql: str) -> str:
    """The statement's first keyword: SELECT, INSERT, UPDATE, DELETE, WITH ..."""
    words = sql.split(None, 1)
    return words[0].upper() if words else "SQL"
