"""Signing out, signing out everywhere, changing the password, deleting the account."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.factories import PASSWORD, auth, make_task, make_user
from todo_app.tasks.models import Task
from todo_app.users import service as users
from todo_app.users.models import RevokedToken

NEW_PASSWORD = "another fine passphrase"


async def login(client, email: str, password: str):
    return await client.post("/auth/login", json={"email": email, "password": password})


async def second_token(client, user: dict) -> dict:
    r = await login(client, user["email"], PASSWORD)
    assert r.status_code == 200
    return auth(r.json()["access_token"])


async def test_logout_refuses_that_token_only(client):
    user = await make_user(client)
    other = await second_token(client, user)
    r = await client.post("/auth/logout", headers=user["headers"])
    assert r.status_code == 204
    assert r.content == b""
    assert (await client.get("/auth/me", headers=user["headers"])).status_code == 401
    assert (await client.get("/tasks", headers=user["headers"])).status_code == 401
    assert (await client.post("/auth/logout", headers=user["headers"])).status_code == 401
    assert (await client.get("/auth/me", headers=other)).status_code == 200


async def test_logout_needs_a_valid_token(client):
    assert (await client.post("/auth/logout")).status_code == 401
    assert (await client.post("/auth/logout-all")).status_code == 401


async def test_logout_all_refuses_every_earlier_token(client):
    user = await make_user(client)
    other = await second_token(client, user)
    bystander = await make_user(client)
    assert (await client.post("/auth/logout-all", headers=user["headers"])).status_code == 204
    for headers in (user["headers"], other):
        assert (await client.get("/auth/me", headers=headers)).status_code == 401
    fresh = await second_token(client, user)  # signing in again works at once
    assert (await client.get("/auth/me", headers=fresh)).status_code == 200
    assert (await client.get("/auth/me", headers=bystander["headers"])).status_code == 200


async def test_password_change(client):
    user = await make_user(client)
    other = await second_token(client, user)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    r = await client.post("/auth/password", json=body, headers=user["headers"])
    assert r.status_code == 204
    for headers in (user["headers"], other):
        assert (await client.get("/auth/me", headers=headers)).status_code == 401
    assert (await login(client, user["email"], PASSWORD)).status_code == 401
    r = await login(client, user["email"], NEW_PASSWORD)
    assert r.status_code == 200
    assert (await client.get("/auth/me", headers=auth(r.json()["access_token"]))).status_code == 200


async def test_password_change_with_wrong_current_password_is_400_and_changes_nothing(client):
    user = await make_user(client)
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    r = await client.post("/auth/password", json=body, headers=user["headers"])
    assert r.status_code == 400
    assert r.json() == {"detail": "The password is incorrect"}
    assert (await client.get("/auth/me", headers=user["headers"])).status_code == 200
    assert (await login(client, user["email"], PASSWORD)).status_code == 200


async def test_new_password_follows_the_signup_rules(client):
    user = await make_user(client)
    for new, fragment in (("short", "at least 8"), ("é" * 37, "72 bytes"), ("Baseball", "most common")):
        body = {"current_password": PASSWORD, "new_password": new}
        r = await client.post("/auth/password", json=body, headers=user["headers"])
        assert r.status_code == 422
        assert fragment in r.json()["detail"][0]["msg"]
    assert (await client.get("/auth/me", headers=user["headers"])).status_code == 200


async def test_signup_refuses_the_most_common_passwords(client):
    for common in ("password1", "iloveyou", "QWERTYUIOP", "trustno1"):
        r = await client.post("/auth/signup", json={"email": "ann@example.com", "password": common})
        assert r.status_code == 422
        assert r.json()["detail"][0]["msg"] == "This password is one of the most common ones; choose another"


async def test_delete_account(client, app):
    user = await make_user(client)
    other = await second_token(client, user)
    bystander = await make_user(client)
    for _ in range(3):
        await make_task(client, user)
    await make_task(client, bystander)
    r = await client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=user["headers"])
    assert r.status_code == 204
    for headers in (user["headers"], other):
        assert (await client.get("/auth/me", headers=headers)).status_code == 401
    async with app.state.db.connection() as conn:
        assert await conn.scalar(select(func.count()).select_from(Task)) == 1
    assert (await login(client, user["email"], PASSWORD)).status_code == 401
    again = await client.post("/auth/signup", json={"email": user["email"], "password": PASSWORD})
    assert again.status_code == 201


async def test_delete_account_with_wrong_password_deletes_nothing(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await client.request(
        "DELETE", "/auth/me", json={"password": "wrong password"}, headers=user["headers"]
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "The password is incorrect"}
    assert (await client.get(f"/tasks/{task['id']}", headers=user["headers"])).status_code == 200
    r = await client.request("DELETE", "/auth/me", json={}, headers=user["headers"])
    assert r.status_code == 422


async def test_revocations_are_kept_only_until_the_token_would_have_expired(client, app):
    from datetime import UTC, datetime, timedelta

    from todo_app.users import service
    from todo_app.users.models import RevokedToken

    async with app.state.db.connection() as conn:
        await service.revoke_token(
            conn, user_id=0, jti="old", expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        await service.revoke_token(
            conn, user_id=0, jti="live", expires_at=datetime.now(UTC) + timedelta(days=1)
        )
        await service.revoke_token(
            conn, user_id=0, jti="live", expires_at=datetime.now(UTC) + timedelta(days=1)
        )
        left = await conn.all(select(RevokedToken.jti))
    assert left == [("live",)]


async def test_a_revocation_outlives_the_last_second_its_token_is_accepted(app):
    """A token whose exp is T is accepted until T+1 (exp is whole seconds, valid while exp >= now):
    its revocation must not be purged before then."""
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    async with app.state.db.connection() as db:

        async def still_revoked() -> bool:
            return await db.scalar(select(RevokedToken.jti).where(RevokedToken.jti == "a" * 22)) is not None

        await users.revoke_token(
            db, user_id=0, jti="a" * 22, expires_at=expires, now=expires - timedelta(hours=1)
        )
        for later in (timedelta(0), timedelta(milliseconds=500), timedelta(milliseconds=999)):
            await users.revoke_token(
                db, user_id=0, jti=f"b{later.microseconds:021d}", expires_at=expires, now=expires + later
            )
            assert await still_revoked(), later
        await users.revoke_token(
            db, user_id=0, jti="c" * 22, expires_at=expires, now=expires + timedelta(seconds=1.001)
        )
        assert not await still_revoked()
