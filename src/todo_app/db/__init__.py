"""Everything that knows which database is underneath: URLs, connections, column types.

Statements are written once with SQLAlchemy Core against the SQLModel tables; `Database` runs them
on a pooled psycopg 3 (PostgreSQL) or aiosqlite (SQLite) connection.
"""

from todo_app.db.connection import (
    Connection,
    DatabaseUnavailable,
    ForeignKeyViolation,
    UniqueViolation,
)
from todo_app.db.database import Database
from todo_app.db.types import UTCDateTime
from todo_app.db.url import DatabaseTarget, parse_database_url

__all__ = [
    "Connection",
    "Database",
    "DatabaseTarget",
    "DatabaseUnavailable",
    "ForeignKeyViolation",
    "UTCDateTime",
    "UniqueViolation",
    "parse_database_url",
]
