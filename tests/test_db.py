"""DATABASE_URL handling (Neon URLs exactly as handed out) and the connection pool."""

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from tests.conftest import PG_SERVER_URL
from todo_app.config import ConfigError
from todo_app.db import Database, DatabaseUnavailable, parse_database_url
from todo_app.db.database import MAX_CONNECTION_AGE_SECONDS
from todo_app.db.statements import StatementCache, StatementError
from todo_app.tasks.models import Task

NEON_POOLED = (
    "postgresql://neondb_owner:npg_AbC123xyz@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech"
    "/neondb?sslmode=require&channel_binding=require"
)
NEON_DIRECT = NEON_POOLED.replace("-pooler", "")


def test_neon_pooled_url_reaches_libpq_untouched_and_disables_prepared_statements():
    target = parse_database_url(NEON_POOLED)
    assert target.backend == "postgresql"
    assert target.raw == NEON_POOLED
    params = conninfo_to_dict(target.raw)
    assert params["sslmode"] == "require"
    assert params["channel_binding"] == "require"
    assert params["dbname"] == "neondb"
    assert params["host"] == "ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech"
    assert target.connect_args == {"prepare_threshold": None}
    assert target.sync_url.drivername == "postgresql+psycopg"
    assert target.sync_url.query == {"sslmode": "require", "channel_binding": "require"}


def test_neon_direct_url_keeps_prepared_statements():
    assert parse_database_url(NEON_DIRECT).connect_args == {}


def test_postgres_scheme_is_accepted():
    target = parse_database_url("postgres://u:p@localhost/db")
    assert target.backend == "postgresql"
    assert conninfo_to_dict(target.raw)["dbname"] == "db"


def test_connections_retire_before_neons_idle_suspend():
    assert MAX_CONNECTION_AGE_SECONDS < 300


def test_sqlite_urls():
    target = parse_database_url("sqlite:///data/todo.db")
    assert target.backend == "sqlite"
    assert target.sqlite_path == "data/todo.db"


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "not a url", "postgresql+asyncpg://u@h/db"]
)
def test_unsupported_urls_are_refused_with_a_clear_error(url):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        parse_database_url(url)


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_libpq_parameters_reach_a_real_server():
    sep = "&" if "?" in PG_SERVER_URL else "?"
    url = f"{PG_SERVER_URL}{sep}sslmode=prefer&channel_binding=prefer&application_name=todo-test"
    database = Database(parse_database_url(url), pool_size=2, pool_timeout=5)
    await database.open()
    try:
        async with database.connection() as conn:
            name = await conn.scalar(text("SELECT current_setting('application_name')"))
    finally:
        await database.close()
    assert name == "todo-test"


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_a_connection_killed_while_idle_is_replaced_not_handed_out():
    database = Database(parse_database_url(PG_SERVER_URL), pool_size=1, pool_timeout=5)
    await database.open()
    try:
        async with database.connection() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        with psycopg.connect(PG_SERVER_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        async with database.connection() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await database.close()


async def test_sqlite_enforces_foreign_keys(app):
    if app.state.db.backend != "sqlite":
        pytest.skip("SQLite only")
    async with app.state.db.connection() as conn:
        assert await conn.scalar(text("PRAGMA foreign_keys")) == 1


async def test_unreachable_sqlite_file_is_unavailable_not_a_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    database = Database(parse_database_url(f"sqlite:///{blocker}/todo.db"), pool_size=1, pool_timeout=1)
    await database.open()
    with pytest.raises(DatabaseUnavailable):
        await database.ping()
    await database.close()


def test_a_missing_or_misspelt_bind_parameter_raises_instead_of_binding_null():
    cache = StatementCache(SQLiteDialect_pysqlite(paramstyle="named"))
    stmt = select(Task.id).where(Task.user_id == bindparam("owner"))
    compiled = cache.get(stmt)
    assert compiled.params({"owner": 7}) == {"owner": 7}
    assert compiled.params({"owner": None}) == {"owner": None}  # an explicit NULL is the caller's choice
    with pytest.raises(StatementError, match="'owner'"):
        compiled.params({})
    with pytest.raises(StatementError, match="'owner'"):
        compiled.params({"ownr": 7})


def test_values_given_in_the_statement_need_no_parameter():
    cache = StatementCache(PGDialect_psycopg())
    compiled = cache.get(select(Task.id).where(Task.title == "x", Task.completed.is_(False)))
    assert list(compiled.params({}).values()) == ["x"]


@pytest.mark.parametrize(
    "stmt",
    [
        select(Task.id).where(Task.id.in_(bindparam("ids", expanding=True))),
        select(Task.id).where(Task.id.in_([1, 2, 3])),
        select(Task.id).where(Task.id == bindparam("id", literal_execute=True)),
    ],
    ids=["expanding", "in-list", "literal-execute"],
)
def test_parameters_rendered_at_execution_time_are_refused(stmt):
    for dialect in (PGDialect_psycopg(), SQLiteDialect_pysqlite(paramstyle="named")):
        with pytest.raises(StatementError, match="not supported"):
            StatementCache(dialect).get(stmt)
