"""create_app(settings) -> FastAPI. Nothing happens at import time."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from todo_app import health
from todo_app.calendar_feed.routes import router as calendar_router
from todo_app.config import Settings, load_settings
from todo_app.db import Database, parse_database_url
from todo_app.errors import install_error_handlers
from todo_app.events.hub import EventHub
from todo_app.events.routes import router as events_router
from todo_app.housekeeping import jobs_for
from todo_app.middleware import install_middleware
from todo_app.notifications.routes import router as notifications_router
from todo_app.observability import logs, tracing
from todo_app.observability.metrics import PATH as METRICS_PATH
from todo_app.observability.metrics import Metrics, RequestMetrics, endpoint
from todo_app.openapi import install_openapi, operation_id
from todo_app.ratelimit import AuthLimits, Counters
from todo_app.scheduler import Scheduler
from todo_app.security import PasswordHasher, is_common_password
from todo_app.sync.routes import router as sync_router
from todo_app.tags.routes import router as tags_router
from todo_app.tasks.routes import router as tasks_router
from todo_app.tokens import TokenVerifier
from todo_app.trash.routes import router as trash_router
from todo_app.users.routes import router as auth_router
from todo_app.web.docs import install_docs
from todo_app.web.routes import install_web_ui


def create_app(settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`tracer_provider`: where spans go (a test's in-memory exporter); by default one built from
    OTEL_EXPORTER_OTLP_ENDPOINT, or none, and then no spans. The app shuts it down when it stops."""
    settings = settings or load_settings()
    logs.configure(settings.log_format, settings.log_level)  # each worker process builds its app here
    target = parse_database_url(settings.effective_database_url)
    hasher = PasswordHasher(settings.bcrypt_rounds)
    if tracer_provider is None and settings.otel_exporter_otlp_endpoint is not None:
        tracer_provider = tracing.make_provider(settings.otel_exporter_otlp_endpoint)
    statement_tracer = (
        tracing.StatementTracer(tracer_provider, target.backend) if tracer_provider is not None else None
    )
    database = Database(
        target,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        tracer=statement_tracer,
    )
    counters = Counters(settings.redis_url)
    hub = EventHub(database, settings)
    metrics_token = settings.metrics_token
    metrics = Metrics(database=database, hasher=hasher, hub=hub) if metrics_token is not None else None
    scheduler = Scheduler(database, jobs_for(settings, database.backend, metrics))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The dummy hash makes unknown-email logins cost one bcrypt too; make it before traffic.
        await to_thread.run_sync(hasher.dummy_hash)
        await to_thread.run_sync(is_common_password, "")  # loads the list off the event loop
        await database.open()
        scheduler.start()
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await scheduler.stop()
            await database.close()
            await counters.close()
            if metrics is not None:
                metrics.process_stopped()
            if tracer_provider is not None:
                await tracing.shut_down(tracer_provider)

    app = FastAPI(
        title="Todo service",
        version="0.1.0",
        description="Per-user tasks behind JWT bearer authentication.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
        # A redirect to the slash-less path would be built from the request's Host header.
        redirect_slashes=False,
        generate_unique_id_function=operation_id,  # listTasks, createTask, ...
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.hasher = hasher
    app.state.tokens = TokenVerifier(settings.jwt_keys)
    app.state.db = database
    app.state.scheduler = scheduler
    app.state.hub = hub
    app.state.tracer_provider = tracer_provider
    app.state.limits = AuthLimits(
        counters,
        failures=settings.rate_limit_login_failures,
        window_minutes=settings.rate_limit_login_window_minutes,
        per_minute=settings.rate_limit_auth_per_minute,
    )
    install_middleware(app, settings=settings, limits=app.state.limits)
    if tracer_provider is not None:
        app.add_middleware(tracing.RequestTracing, tracer_provider=tracer_provider)  # outside the request id
    if metrics is not None:
        app.state.limits.on_refusal = metrics.refused
        app.add_middleware(RequestMetrics, metrics=metrics)  # the outermost
    install_error_handlers(app)
    app.include_router(auth_router)
    app.include_router(tasks_router)
    app.include_router(tags_router)
    app.include_router(trash_router)
    app.include_router(notifications_router)
    app.include_router(sync_router)
    app.include_router(events_router)
    app.include_router(calendar_router)
    app.include_router(health.router)
    if metrics is not None and metrics_token is not None:  # else /metrics is an unknown path
        scrape = endpoint(metrics, metrics_token.get_secret_value())
        app.add_api_route(METRICS_PATH, scrape, methods=["GET"], include_in_schema=False)
    install_web_ui(app)
    install_docs(app)
    return app
