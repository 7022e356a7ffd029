"""get_current_user: every way a bearer token can be wrong is a 401 with WWW-Authenticate, never 5xx."""

import base64
import json
import secrets
import time

import pytest
from jose import jwt

from tests.conftest import TEST_SECRET
from tests.factories import make_user


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forge(claims: dict, secret: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def claims_for(user: dict, **changes) -> dict:
    now = int(time.time())
    claims = {
        "sub": str(user["id"]),
        "email": user["email"],
        "iat": now,
        "exp": now + 3600,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


async def assert_401(client, headers: dict, **kw) -> None:
    r = await client.get("/auth/me", headers=headers, **kw)
    assert r.status_code == 401, (headers, r.text)
    assert r.headers["www-authenticate"] == "Bearer"
    assert isinstance(r.json()["detail"], str)


async def test_scheme_is_case_insensitive(client):
    user = await make_user(client)
    for scheme in ("Bearer", "bearer", "BEARER"):
        r = await client.get("/auth/me", headers={"Authorization": f"{scheme} {user['token']}"})
        assert r.status_code == 200, scheme


async def test_hand_forged_valid_token_is_accepted(client):
    # Guards the negative tests below: the forging helper itself makes acceptable tokens.
    user = await make_user(client)
    r = await client.get("/auth/me", headers={"Authorization": f"Bearer {forge(claims_for(user))}"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer " + "A" * 6000,
        "Bearer eyJhbGciOiJIUzI1NiJ9.%%%%.sig",
    ],
)
async def test_missing_or_malformed_header(client, header):
    await assert_401(client, {"Authorization": header} if header else {})


async def test_non_ascii_header_bytes(client):
    await assert_401(client, {"Authorization": b"Bearer \xff\xfe\x80"})


async def test_alg_none_is_refused(client):
    user = await make_user(client)
    for alg in ("none", "None", "NONE"):
        token = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(claims_for(user))}."
        await assert_401(client, {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_other_algorithms_are_refused(client, algorithm):
    user = await make_user(client)
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user), algorithm=algorithm)}"})


async def test_wrong_secret_and_tampered_payload_are_refused(client):
    user = await make_user(client)
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user), secret='x' * 40)}"})
    header, _, signature = user["token"].split(".")
    other = b64(claims_for(user, sub=str(user["id"] + 1)))
    await assert_401(client, {"Authorization": f"Bearer {header}.{other}.{signature}"})


async def test_expired_and_not_yet_valid_tokens_are_refused(client):
    user = await make_user(client)
    now = int(time.time())
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user, exp=now - 1))}"})
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user, nbf=now + 600))}"})


async def test_exp_and_sub_are_required(client):
    user = await make_user(client)
    no_exp = claims_for(user, exp=None)
    await assert_401(client, {"Authorization": f"Bearer {forge(no_exp)}"})
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user, sub=None))}"})


@pytest.mark.parametrize(
    "sub", ["abc", "0", "-1", "1.0", " 1", "", "99999999999999999999", str(2**63), 1, None]
)
async def test_bad_subjects_are_refused(client, sub):
    user = await make_user(client)
    claims = claims_for(user)
    claims["sub"] = sub
    await assert_401(client, {"Authorization": f"Bearer {forge(claims)}"})


async def test_unknown_user_is_refused(client):
    user = await make_user(client)
    await assert_401(
        client, {"Authorization": f"Bearer {forge(claims_for(user, sub=str(user['id'] + 1000)))}"}
    )


async def test_token_outside_the_header_is_ignored(client):
    user = await make_user(client)
    await assert_401(client, {}, params={"access_token": user["token"], "token": user["token"]})
    client.cookies.set("access_token", user["token"])
    client.cookies.set("Authorization", f"Bearer {user['token']}")
    await assert_401(client, {})


async def test_a_valid_token_padded_with_junk_is_refused_and_not_remembered(client, app):
    user = await make_user(client)
    head, body, signature = user["token"].split(".")
    padded = f"{head}.{body}.{signature[:5]}{'!' * 4_000_000}{signature[5:]}"
    await assert_401(client, {"Authorization": f"Bearer {padded}"})
    assert all(len(key) < 100 for key in app.state.tokens._known)


async def test_tokens_without_jti_are_refused(client):
    user = await make_user(client)
    await assert_401(client, {"Authorization": f"Bearer {forge(claims_for(user, jti=None))}"})


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
async def test_absurd_time_claims_are_401_not_500(client, claim):
    user = await make_user(client)
    for value in (1e400, 10**30):
        token = forge(claims_for(user, **{claim: value}))
        await assert_401(client, {"Authorization": f"Bearer {token}"})
        r = await client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, r.text
