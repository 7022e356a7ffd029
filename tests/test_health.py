"""/health answers 200 when the database does and 503 (JSON) when it does not; outages are 503, not 500.
/health/live answers whatever the database does; /health/ready wants it reachable and migrated."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tests.conftest import make_settings
from tests.factories import make_user
from todo_app.db import parse_database_url
from todo_app.main import create_app
from todo_app.migrate import MIGRATIONS, shipped_schema


async def test_health_ok(client):
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_health_and_routes_are_503_when_the_database_is_down(client, tmp_path):
    import httpx2

    user = await make_user(client)  # a real token, signed with the shared test secret
    down = create_app(
        make_settings(f"postgresql://postgres@127.0.0.1:{closed_port()}/none", tmp_path, db_pool_timeout=1)
    )
    async with down.router.lifespan_context(down):
        transport = httpx2.ASGITransport(app=down)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get("/health")
            assert r.status_code == 503
            assert r.json()["status"] == "unavailable"
            assert r.json()["detail"]
            r = await c.get("/tasks", headers=user["headers"])
            assert r.status_code == 503
            assert r.json() == {"detail": "Database unavailable, try again shortly"}
            assert "psycopg" not in r.text
            assert "127.0.0.1" not in r.text


# /health/live and /health/ready


@contextmanager
def schema_revisions(database_url: str, *revisions: str) -> Iterator[None]:
    """alembic_version says `revisions` (none: the table is empty) until the block ends; restored
    afterwards, as the PostgreSQL database is this run's, shared by the tests one after another."""
    engine = create_engine(parse_database_url(database_url).sync_url)
    try:
        with engine.begin() as conn:
            before = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
            conn.execute(text("DELETE FROM alembic_version"))
            for revision in revisions:
                conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
            for revision in before:
                conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
        engine.dispose()


def previous_revision() -> str:
    head = shipped_schema().head
    return ScriptDirectory(str(MIGRATIONS)).get_revision(head).down_revision


async def test_live_and_ready_answer_ok(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    r = await client.get("/health/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_ready_is_503_while_the_schema_is_behind(client, database_url):
    head, previous = shipped_schema().head, previous_revision()
    with schema_revisions(database_url, previous):
        r = await client.get("/health/ready")
        assert r.status_code == 503
        assert r.json() == {
            "status": "unavailable",
            "detail": f"Schema behind: the database is at revision {previous}, this release expects {head}",
        }
        assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200


async def test_ready_is_503_for_a_database_never_migrated(client, database_url):
    with schema_revisions(database_url):
        r = await client.get("/health/ready")
    assert r.status_code == 503
    assert "none (never migrated)" in r.json()["detail"]


async def test_a_schema_newer_than_this_release_keeps_it_ready(client, database_url):
    """During a rolling upgrade `todo-app migrate` has run before the old processes are replaced:
    they must stay in the load balancer's rotation, or the upgrade would be an outage."""
    with schema_revisions(database_url, "9999_from_a_newer_release"):
        assert (await client.get("/health/ready")).status_code == 200


async def test_the_shipped_head_is_read_once_at_start_up(client, monkeypatch):
    def reads_scripts() -> None:
        raise AssertionError("migration scripts read during a request")

    monkeypatch.setattr("todo_app.migrate.shipped_schema", reads_scripts)
    assert (await client.get("/health/ready")).status_code == 200
    assert client._transport.app.state.shipped_schema.head == shipped_schema().head


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
async def test_live_answers_while_the_database_is_unreachable(tmp_path, where):
    blocker = tmp_path / "a-file"  # a directory can never be made under a file, even as root
    blocker.write_text("")
    url = (
        f"postgresql://postgres@127.0.0.1:{closed_port()}/none"
        if where == "postgresql"
        else f"sqlite:///{blocker}/todo.db"
    )
    down = create_app(make_settings(url, tmp_path, db_pool_timeout=1))
    async with down.router.lifespan_context(down):
        transport = httpx2.ASGITransport(app=down)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get("/health/live")
            assert r.status_code == 200
            assert r.json() == {"status": "ok"}
            r = await c.get("/health/ready")
            assert r.status_code == 503
            assert r.json() == {"status": "unavailable", "detail": "Database unreachable"}
            assert (await c.get("/health")).status_code == 503


async def test_openapi_documents_the_health_routes(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/health", "/health/live", "/health/ready"):
        assert paths[path]["get"]["tags"] == ["health"]
    ready = paths["/health/ready"]["get"]["responses"]
    assert set(ready) == {"200", "503"}
    assert ready["503"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Unhealthy"}
    assert "503" not in paths["/health/live"]["get"]["responses"]
