# ruff: noqa: RUF001 (full-width letters are the point of these cases)
"""One email normalisation, applied identically at sign-up and sign-in."""

import pytest

from tests.factories import PASSWORD
from todo_app.users.emails import InvalidEmail, normalize_email

# (as typed at sign-up, as typed at sign-in): each pair is one account.
SAME_ACCOUNT = [
    ("ann@xn--exmple-cua.com", "ann@xn--exmple-cua.com"),
    ("ann@xn--exmple-cua.com", "ann@exämple.com"),
    ("cafe\u0301@example.com", "cafe\u0301@example.com"),  # decomposed é
    ("cafe\u0301@example.com", "caf\u00e9@example.com"),  # composed é
    ("ａｎｎ@example.com", "ａｎｎ@example.com"),  # full-width letters
    ("bob@ＥＸＡＭＰＬＥ.com", "bob@example.com"),  # full-width domain: IDNA maps it
    ("  Ann.Smith@Example.COM ", "ann.smith@example.com"),
]


@pytest.mark.parametrize(("signup", "login"), SAME_ACCOUNT)
async def test_the_text_signed_up_with_signs_in(client, signup, login):
    r = await client.post("/auth/signup", json={"email": signup, "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == normalize_email(signup)
    r = await client.post("/auth/login", json={"email": login, "password": PASSWORD})
    assert r.status_code == 200, r.text
    r = await client.post("/auth/signup", json={"email": login, "password": PASSWORD})
    assert r.status_code == 409


@pytest.mark.parametrize(
    "text", ["Ann <ann@example.com>", "ann@exa mple.com", "not-an-email", "ann@", "a" * 300 + "@example.com"]
)
async def test_what_cannot_sign_up_cannot_sign_in(client, text):
    r = await client.post("/auth/signup", json={"email": text, "password": PASSWORD})
    assert r.status_code == 422, r.text
    r = await client.post("/auth/login", json={"email": text, "password": PASSWORD})
    assert r.status_code == 401


def test_normalize_email():
    assert normalize_email(" Ann@Example.COM ") == "ann@example.com"
    assert normalize_email("ann@xn--exmple-cua.com") == "ann@exämple.com"
    assert normalize_email("cafe\u0301@example.com") == "caf\u00e9@example.com"
    for bad in ("", "Ann <ann@example.com>", "ann@example.com\x00", "\ud800@example.com", 5):
        with pytest.raises(InvalidEmail):
            normalize_email(bad)
