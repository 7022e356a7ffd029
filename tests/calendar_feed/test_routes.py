"""/calendar: issuing, replacing and revoking the secret URL; the URL is the only credential, and every
wrong one gets the same 404; one user's feed never shows another's tasks."""

import hashlib
import re
import secrets

from sqlalchemy import select

from tests.calendar_feed.helpers import feed_url, fetch, task_id
from tests.factories import PASSWORD, make_task, make_user
from todo_app.calendar_feed.models import CalendarFeed

NOT_FOUND = {"detail": "Not found"}
URL = re.compile(r"/calendar/([A-Za-z0-9_-]{43})\.ics")


async def test_post_gives_a_secret_url_that_opens_the_feed_without_a_token(client):
    user = await make_user(client)
    await make_task(client, user, due_date="2027-01-05")
    r = await client.post("/calendar/feed", headers=user["headers"])
    assert r.status_code == 201
    assert set(r.json()) == {"url"}
    assert r.headers["cache-control"] == "no-store"
    assert URL.fullmatch(r.json()["url"])
    r = await client.get(r.json()["url"])  # no Authorization header
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["cache-control"] == "private, max-age=300"
    assert r.content.startswith(b"BEGIN:VCALENDAR\r\n")


async def test_post_again_replaces_the_secret_and_delete_turns_the_feed_off(client):
    user = await make_user(client)
    first = await feed_url(client, user)
    second = await feed_url(client, user)
    assert first != second
    r = await client.get(first)
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert (await client.get(second)).status_code == 200
    r = await client.delete("/calendar/feed", headers=user["headers"])
    assert r.status_code == 204
    r = await client.get(second)
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    # Deleting when there is no feed is no error; a new POST works again.
    assert (await client.delete("/calendar/feed", headers=user["headers"])).status_code == 204
    assert (await client.get(await feed_url(client, user))).status_code == 200


async def test_only_the_hash_of_the_secret_is_stored(client, app):
    user = await make_user(client)
    secret = URL.fullmatch(await feed_url(client, user))[1]
    async with app.state.db.connection() as conn:
        rows = await conn.all(select(CalendarFeed.user_id, CalendarFeed.secret_hash, CalendarFeed.created_at))
    assert [(user_id, digest) for user_id, digest, _ in rows] == [
        (user["id"], hashlib.sha256(secret.encode()).hexdigest())
    ]
    assert secret not in repr(rows)


async def test_post_and_delete_need_a_token(client):
    for method in ("POST", "DELETE"):
        r = await client.request(method, "/calendar/feed")
        assert r.status_code == 401
        r = await client.request(method, "/calendar/feed", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 401


async def test_every_wrong_secret_gets_the_same_404(client):
    user = await make_user(client)
    good = URL.fullmatch(await feed_url(client, user))[1]
    wrong = [
        secrets.token_urlsafe(32),  # well formed, unknown
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # one character off
        good[:-1],  # too short
        good + "A",  # too long
        good[:-1] + "!",
        good.lower() if good.lower() != good else good.upper(),
        "feed",
        "a" * 2000,
        "%C3%A9" * 20,
        good + ".ics",
    ]
    answers = [await client.get(f"/calendar/{secret}.ics") for secret in wrong]
    assert {(r.status_code, r.content, r.headers["content-type"]) for r in answers} == {
        (404, b'{"detail":"Not found"}', "application/json")
    }
    # A token of the owner's does not open a wrong URL either.
    r = await client.get(f"/calendar/{wrong[0]}.ics", headers=user["headers"])
    assert (r.status_code, r.json()) == (404, NOT_FOUND)


async def test_a_feed_shows_its_owners_tasks_only(client):
    alice, bob = await make_user(client), await make_user(client)
    alices = {(await make_task(client, alice, due_date="2027-01-05"))["id"] for _ in range(3)}
    bobs = {(await make_task(client, bob, due_date="2027-01-05"))["id"] for _ in range(2)}
    alice_url, bob_url = await feed_url(client, alice), await feed_url(client, bob)
    assert alice_url != bob_url
    assert {task_id(t) for t in (await fetch(client, alice_url)).walk("VTODO")} == alices
    assert {task_id(t) for t in (await fetch(client, bob_url)).walk("VTODO")} == bobs
    # Bob replacing or revoking his URL leaves Alice's alone.
    await client.delete("/calendar/feed", headers=bob["headers"])
    assert (await client.get(alice_url)).status_code == 200


async def test_deleting_the_account_deletes_the_feed(client, app):
    user = await make_user(client)
    url = await feed_url(client, user)
    r = await client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=user["headers"])
    assert r.status_code == 204
    r = await client.get(url)
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    async with app.state.db.connection() as conn:
        assert await conn.all(select(CalendarFeed.user_id)) == []


async def test_if_none_match_answers_304_until_a_task_changes(client):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2027-01-05")
    url = await feed_url(client, user)
    first = await client.get(url)
    etag = first.headers["etag"]
    assert (await client.get(url)).content == first.content  # nothing depends on the hour it is served
    r = await client.get(url, headers={"If-None-Match": etag})
    assert (r.status_code, r.content, r.headers["etag"]) == (304, b"", etag)
    assert (await client.get(url, headers={"If-None-Match": f"W/{etag}"})).status_code == 304
    r = await client.patch(f"/tasks/{task['id']}", json={"title": "renamed"}, headers=user["headers"])
    assert r.status_code == 200
    r = await client.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 200
    assert r.headers["etag"] != etag
    assert b"SUMMARY:renamed" in r.content
