"""The profile: GET /auth/me carries the time zone (default UTC); PATCH /auth/me changes it."""

from datetime import datetime

import pytest

from tests.factories import make_user

PROFILE_KEYS = {"id", "email", "created_at", "timezone"}


async def test_me_has_the_profile_shape_and_utc_by_default(client):
    user = await make_user(client, email="zoe@example.com")
    r = await client.get("/auth/me", headers=user["headers"])
    assert r.status_code == 200
    body = r.json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] == user["id"]
    assert body["email"] == "zoe@example.com"
    assert body["created_at"] == user["created_at"]
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert body["timezone"] == "UTC"


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+6", "UTC"])
async def test_patch_me_sets_the_zone_and_returns_the_profile(client, zone):
    user = await make_user(client)
    before = (await client.get("/auth/me", headers=user["headers"])).json()
    r = await client.patch("/auth/me", json={"timezone": zone}, headers=user["headers"])
    assert r.status_code == 200
    assert r.json() == {**before, "timezone": zone}
    assert (await client.get("/auth/me", headers=user["headers"])).json() == r.json()


async def test_zone_can_be_changed_again(client):
    user = await make_user(client)
    for zone in ("Asia/Tokyo", "America/New_York"):
        r = await client.patch("/auth/me", json={"timezone": zone}, headers=user["headers"])
        assert r.status_code == 200
    assert (await client.get("/auth/me", headers=user["headers"])).json()["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "Europe/Berlinn"},
        {"timezone": ""},
        {"timezone": "../../etc/passwd"},
        {"timezone": "/usr/share/zoneinfo/UTC"},
        {"timezone": "UTC\x00"},
        {"timezone": None},
        {"timezone": 5},
        {},
    ],
)
async def test_unknown_or_missing_zone_is_422_and_changes_nothing(client, body):
    user = await make_user(client)
    await client.patch("/auth/me", json={"timezone": "Asia/Tokyo"}, headers=user["headers"])
    r = await client.patch("/auth/me", json=body, headers=user["headers"])
    assert r.status_code == 422, body
    assert (await client.get("/auth/me", headers=user["headers"])).json()["timezone"] == "Asia/Tokyo"


async def test_zone_is_per_user(client):
    ann, bob = await make_user(client), await make_user(client)
    await client.patch("/auth/me", json={"timezone": "Europe/Paris"}, headers=ann["headers"])
    assert (await client.get("/auth/me", headers=bob["headers"])).json()["timezone"] == "UTC"


async def test_patch_me_cannot_change_email_or_id(client):
    user = await make_user(client, email="keep@example.com")
    body = {"timezone": "Europe/Rome", "email": "other@example.com", "id": 999}
    r = await client.patch("/auth/me", json=body, headers=user["headers"])
    assert r.status_code in (200, 422)
    me = (await client.get("/auth/me", headers=user["headers"])).json()
    assert (me["id"], me["email"]) == (user["id"], "keep@example.com")


async def test_patch_me_needs_a_token(client):
    r = await client.patch("/auth/me", json={"timezone": "Europe/Berlin"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
