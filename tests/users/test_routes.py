"""The /auth contract: signup, login (JSON and OAuth2 form), /auth/me."""

import asyncio
from datetime import datetime

from jose import jwt

from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, auth, make_user


async def signup(client, email="ann@example.com", password=PASSWORD):
    return await client.post("/auth/signup", json={"email": email, "password": password})


async def test_signup_returns_public_user_without_hash(client):
    r = await signup(client)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "email", "created_at", "timezone"}
    assert body["timezone"] == "UTC"
    assert body["email"] == "ann@example.com"
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert "hash" not in r.text
    assert "$2b$" not in r.text


async def test_signup_trims_and_lowercases_email(client):
    r = await signup(client, email="  Ann.Smith@Example.COM ")
    assert r.status_code == 201
    assert r.json()["email"] == "ann.smith@example.com"


async def test_signup_rejects_invalid_email(client):
    for bad in ["not-an-email", "a@", "@example.com", "", "ann@@example.com", "ann\x00@example.com"]:
        r = await signup(client, email=bad)
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["body", "email"]


async def test_password_must_have_eight_characters(client):
    r = await signup(client, password="1234567")
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "Password must be at least 8 characters"
    assert (await signup(client, password="k7#Vq2!m")).status_code == 201


async def test_password_is_limited_to_72_utf8_bytes(client):
    r = await signup(client, password="é" * 37)  # 37 characters, 74 bytes
    assert r.status_code == 422
    assert "72 bytes" in r.json()["detail"][0]["msg"]
    r = await signup(client, password="x" * 73)
    assert r.status_code == 422
    assert (await signup(client, password="é" * 36)).status_code == 201  # exactly 72 bytes


async def test_validation_errors_do_not_echo_the_password(client):
    r = await signup(client, password="secret1")
    assert r.status_code == 422
    assert "secret1" not in r.text


async def test_password_with_nul_or_lone_surrogate_is_422(client):
    assert (await signup(client, password="abcd\x00efgh")).status_code == 422
    raw = b'{"email": "ann@example.com", "password": "abcdefgh\\ud800"}'
    r = await client.post("/auth/signup", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422


async def test_duplicate_email_is_409_case_insensitively(client):
    assert (await signup(client, email="ann@example.com")).status_code == 201
    r = await signup(client, email="ANN@example.com")
    assert r.status_code == 409
    assert r.json() == {"detail": "An account with this email already exists"}


async def test_concurrent_duplicate_signups_exactly_one_wins(client):
    results = await asyncio.gather(*(signup(client, email="race@example.com") for _ in range(8)))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 7


async def test_signup_missing_fields_and_bad_json_are_422(client):
    assert (await client.post("/auth/signup", json={})).status_code == 422
    r = await client.post("/auth/signup", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "detail" in r.json()


async def test_login_with_json_returns_bearer_token(client):
    user = await make_user(client, email="ann@example.com")
    r = await client.post("/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7 * 24 * 3600
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user["id"])
    assert claims["email"] == "ann@example.com"
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"


async def test_login_with_oauth2_form(client):
    await make_user(client, email="ann@example.com")
    r = await client.post("/auth/login", data={"username": "ann@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"


async def test_login_email_is_case_and_space_insensitive(client):
    await make_user(client, email="ann@example.com")
    r = await client.post("/auth/login", json={"email": " ANN@Example.com ", "password": PASSWORD})
    assert r.status_code == 200


async def test_wrong_password_and_unknown_email_get_identical_401(client):
    await make_user(client, email="ann@example.com")
    wrong = await client.post("/auth/login", json={"email": "ann@example.com", "password": "wrong password"})
    unknown = await client.post("/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
    assert wrong.content == unknown.content == b'{"detail":"Incorrect email or password"}'


async def test_over_long_nul_or_odd_login_input_is_401_not_500(client):
    await make_user(client, email="ann@example.com")
    for email, password in [
        ("ann@example.com", "x" * 73),
        ("ann@example.com", "é" * 100),
        ("ann@example.com", PASSWORD + "\x00"),
        ("ann\x00@example.com", PASSWORD),
        ("x" * 5000, PASSWORD),
        ("", ""),
    ]:
        r = await client.post("/auth/login", json={"email": email, "password": password})
        assert r.status_code == 401, (email[:20], password[:20])


async def test_login_shape_errors_are_422(client):
    for body in [{}, {"email": "a@example.com"}, {"email": 1, "password": []}, [], "text"]:
        r = await client.post("/auth/login", json=body)
        assert r.status_code == 422, body
        assert isinstance(r.json()["detail"], list)
    r = await client.post("/auth/login", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = await client.post("/auth/login", data={"username": "ann@example.com"})
    assert r.status_code == 422


async def test_me_returns_the_token_owner(client):
    user = await make_user(client, email="ann@example.com")
    r = await client.get("/auth/me", headers=user["headers"])
    assert r.status_code == 200
    assert r.json() == {
        "id": user["id"],
        "email": "ann@example.com",
        "created_at": user["created_at"],
        "timezone": "UTC",
    }


async def test_me_requires_a_token(client):
    r = await client.get("/auth/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "Not authenticated"}


async def test_auth_routes_reject_wrong_methods(client):
    assert (await client.get("/auth/login")).status_code == 405
    assert (await client.delete("/auth/signup")).status_code == 405


async def test_openapi_has_working_authorize_button(client):
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    flow = next(iter(schemes.values()))["flows"]["password"]
    assert flow["tokenUrl"] == "/auth/login"
    assert (
        "application/x-www-form-urlencoded" in spec["paths"]["/auth/login"]["post"]["requestBody"]["content"]
    )
    assert (await client.get("/docs")).status_code == 200
    token = (await make_user(client))["token"]
    assert (await client.get("/auth/me", headers=auth(token))).status_code == 200
