"""DATABASE_URL parsing: Neon URLs exactly as handed out, plain postgres://, SQLite files."""

import pytest
from sqlalchemy import text

from tests.conftest import PG_SERVER_URL
from todo_app.config import ConfigError
from todo_app.db import create_engine_for, parse_database_url

NEON_POOLED = (
    "postgresql://neondb_owner:npg_AbC123xyz@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech"
    "/neondb?sslmode=require&channel_binding=require"
)
NEON_DIRECT = NEON_POOLED.replace("-pooler", "")


def connect_kwargs(url: str) -> dict:
    target = parse_database_url(url)
    engine = create_engine_for(target)
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    return {**kwargs, **target.connect_args}


def test_neon_pooled_url_keeps_ssl_parameters_and_disables_prepared_statements():
    target = parse_database_url(NEON_POOLED)
    assert target.backend == "postgresql"
    assert target.async_url.drivername == "postgresql+psycopg"
    kwargs = connect_kwargs(NEON_POOLED)
    assert kwargs["sslmode"] == "require"
    assert kwargs["channel_binding"] == "require"
    assert kwargs["dbname"] == "neondb"
    assert kwargs["host"] == "ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech"
    assert target.connect_args == {"prepare_threshold": None}


def test_neon_direct_url_keeps_prepared_statements():
    assert parse_database_url(NEON_DIRECT).connect_args == {}
    assert connect_kwargs(NEON_DIRECT)["sslmode"] == "require"


def test_postgres_scheme_is_accepted():
    assert parse_database_url("postgres://u:p@localhost/db").async_url.drivername == "postgresql+psycopg"


def test_engine_pool_settings_suit_neon():
    engine = create_engine_for(parse_database_url(NEON_POOLED), pool_size=7)
    assert engine.pool._pre_ping is True
    assert engine.pool._recycle < 300  # before Neon's 5-minute idle suspend
    assert engine.pool.size() == 7


def test_sqlite_urls():
    target = parse_database_url("sqlite:///data/todo.db")
    assert target.async_url.drivername == "sqlite+aiosqlite"
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
    engine = create_engine_for(parse_database_url(url))
    try:
        async with engine.connect() as conn:
            name = (await conn.execute(text("SELECT current_setting('application_name')"))).scalar_one()
    finally:
        await engine.dispose()
    assert name == "todo-test"


async def test_sqlite_enforces_foreign_keys(app):
    async with app.state.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
