"""An unexpected failure is a JSON 500 that says nothing about the internals."""

import httpx2

from tests.factories import make_user

JSON = {"content-type": "application/json"}


async def test_unhandled_exception_is_a_bare_json_500(app):
    async def boom() -> None:
        raise RuntimeError("secret internals: postgresql://user:pw@host/db")

    app.add_api_route("/boom", boom)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "Internal server error", "request_id": r.headers["x-request-id"]}
    assert "secret" not in r.text


async def test_validation_errors_are_json_without_echoed_input(client):
    r = await client.post("/auth/signup", json={"email": "not an email", "password": "hunter2"})
    assert r.status_code == 422
    for error in r.json()["detail"]:
        assert set(error) <= {"type", "loc", "msg", "ctx"}
    assert "hunter2" not in r.text


def deeply_nested(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


async def test_deeply_nested_json_is_a_client_error_everywhere(client, caplog):
    user = await make_user(client)
    for path, headers in (("/auth/login", {}), ("/auth/signup", {}), ("/tasks", user["headers"])):
        r = await client.post(path, content=deeply_nested(), headers={**headers, **JSON})
        assert r.status_code in (400, 422), (path, r.status_code, r.text)
        assert isinstance(r.json()["detail"], str | list)
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]


async def test_a_500_carries_the_security_headers_and_is_logged_once(app, caplog):
    async def boom() -> None:
        raise RuntimeError("kaboom")

    app.add_api_route("/auth/boom", boom)
    app.add_api_route("/boom", boom)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        for path in ("/auth/boom", "/boom"):
            caplog.clear()
            r = await client.get(path)
            assert r.status_code == 500
            assert r.json() == {"detail": "Internal server error", "request_id": r.headers["x-request-id"]}
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["cache-control"] == "no-store"
            logged = [rec for rec in caplog.records if "kaboom" in str(rec.exc_info) + rec.getMessage()]
            assert len(logged) == 1, [rec.getMessage() for rec in caplog.records]


async def test_no_redirect_reflects_the_host_header(client):
    for method, path in (("GET", "/static"), ("POST", "/auth/login/"), ("GET", "/tasks/"), ("GET", "/docs/")):
        r = await client.request(method, path, headers={"host": "evil.example"})
        assert r.status_code not in (301, 302, 307, 308), (path, r.headers.get("location"))
        assert "evil.example" not in r.headers.get("location", "")


async def test_a_failure_logs_the_route_template_not_a_secret_in_the_path(app, caplog):
    from todo_app.db import DatabaseUnavailable

    async def boom(secret: str) -> None:
        raise RuntimeError("kaboom")

    async def away(secret: str) -> None:
        raise DatabaseUnavailable("connection refused")

    app.add_api_route("/boom/{secret}", boom)
    app.add_api_route("/away/{secret}", away)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/boom/s3cr3t-one")).status_code == 500
        assert (await client.get("/away/s3cr3t-two")).status_code == 503
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "GET /boom/{secret}" in logged
    assert "GET /away/{secret}" in logged
    assert "s3cr3t" not in logged
