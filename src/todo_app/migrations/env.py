"""Alembic environment: runs online against the URL `todo_app.migrate` passes in."""

from alembic import context
from sqlalchemy import create_engine, pool, text

from todo_app.calendar_feed.models import CalendarFeed  # noqa: F401  (registers the table)
from todo_app.events.models import EventTicket  # noqa: F401  (registers the table)
from todo_app.idempotency.models import IdempotencyKey  # noqa: F401  (registers the table)
from todo_app.models import metadata
from todo_app.notifications.models import Notification  # noqa: F401  (registers the table)
from todo_app.tasks.models import Task  # noqa: F401  (registers the table)
from todo_app.users.models import User  # noqa: F401  (registers the table)

# Any constant shared by every process of this service; pg_advisory_xact_lock takes a bigint.
MIGRATION_LOCK_KEY = 0x70D0_A990

config = context.config
url = config.attributes["sync_url"]
backend = config.attributes["backend"]

engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=backend == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if backend == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()
engine.dispose()
