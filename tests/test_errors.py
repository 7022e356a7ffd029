"""An unexpected failure is a JSON 500 that says nothing about the internals."""

import httpx2


async def test_unhandled_exception_is_a_bare_json_500(app):
    async def boom() -> None:
        raise RuntimeError("secret internals: postgresql://user:pw@host/db")

    app.add_api_route("/boom", boom)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "Internal server error"}
    assert "secret" not in r.text


async def test_validation_errors_are_json_without_echoed_input(client):
    r = await client.post("/auth/signup", json={"email": "not an email", "password": "hunter2"})
    assert r.status_code == 422
    for error in r.json()["detail"]:
        assert set(error) <= {"type", "loc", "msg", "ctx"}
    assert "hunter2" not in r.text
