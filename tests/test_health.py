"""/health answers 200 when the database does and 503 (JSON) when it does not; outages are 503, not 500."""

import socket

from tests.conftest import make_settings
from tests.factories import make_user
from todo_app.main import create_app


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
