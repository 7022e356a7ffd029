"""POST /events/ticket: a single-use, 60-second credential for `GET /events?ticket=`, the one place a
credential is taken from a query string. Bearer tokens never are."""

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.events.conftest import open_stream
from tests.factories import make_task, make_user
from todo_app.events import service
from todo_app.events.models import EventTicket
from todo_app.events.service import StreamAuth


async def ticket_for(client, user) -> str:
    r = await client.post("/events/ticket", headers=user["headers"])
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert set(r.json()) == {"ticket"}
    return r.json()["ticket"]


async def test_a_ticket_opens_one_stream_once(live):
    c, ann = live.client, await make_user(live.client)
    ticket = await ticket_for(c, ann)
    async with open_stream(c, ticket=ticket) as stream:
        task = await make_task(c, ann)
        event = await stream.event()
        assert (event.event, json.loads(event.data)["id"]) == ("task.created", task["id"])
        r = await c.get("/events", params={"ticket": ticket})
        assert r.status_code == 401
        assert "ticket" in r.json()["detail"]


async def test_of_requests_racing_with_one_ticket_exactly_one_wins(live):
    c, ann = live.client, await make_user(live.client)
    ticket = await ticket_for(c, ann)

    async def attempt() -> int:
        async with c.stream("GET", "/events", params={"ticket": ticket}) as r:
            return r.status_code  # (leaving closes a stream that opened)

    assert sorted(await asyncio.gather(*(attempt() for _ in range(6)))) == [200, 401, 401, 401, 401, 401]


async def test_only_a_hash_is_stored(live):
    c, ann = live.client, await make_user(live.client)
    ticket = await ticket_for(c, ann)
    async with live.app.state.db.connection() as db:
        rows = await db.all(select(EventTicket.ticket_hash, EventTicket.user_id))
    assert rows == [(hashlib.sha256(ticket.encode()).hexdigest(), ann["id"])]


async def test_an_expired_ticket_is_refused(live):
    c, ann = live.client, await make_user(live.client)
    claims = live.app.state.tokens.verify(ann["token"])
    auth = StreamAuth(ann["id"], claims.jti, claims.version, claims.exp)
    now = datetime.now(UTC)
    async with live.app.state.db.connection() as db:
        stale, leftover = [
            await service.issue_ticket(db, auth=auth, now=now - timedelta(seconds=61)) for _ in "ab"
        ]
        fresh = await service.issue_ticket(db, auth=auth, now=now - timedelta(seconds=30))
        # The boundary, on the service's clock: good through 59.9 s, gone at 60 s.
        edge = [await service.issue_ticket(db, auth=auth, now=now) for _ in range(2)]
        assert await service.redeem_ticket(db, ticket=edge[0], now=now + timedelta(seconds=59.9)) == auth
        assert await service.redeem_ticket(db, ticket=edge[1], now=now + timedelta(seconds=60)) is None
    assert (await c.get("/events", params={"ticket": stale})).status_code == 401
    async with open_stream(c, ticket=fresh):
        pass
    # Issuing a ticket drops the expired ones (`leftover`, never presented).
    new = await ticket_for(c, ann)
    async with live.app.state.db.connection() as db:
        hashes = await db.all(select(EventTicket.ticket_hash))
    assert hashes == [(hashlib.sha256(new.encode()).hexdigest(),)]
    assert leftover != new


async def test_a_ticket_of_a_signed_out_token_is_refused_and_its_stream_ends_at_sign_out(live):
    c, ann = live.client, await make_user(live.client)
    unused, used = await ticket_for(c, ann), await ticket_for(c, ann)
    async with open_stream(c, ticket=used) as stream:
        assert (await c.post("/auth/logout", headers=ann["headers"])).status_code == 204
        await stream.end()
    assert (await c.get("/events", params={"ticket": unused})).status_code == 401


async def test_a_ticket_is_no_credential_anywhere_else(live):
    c, ann = live.client, await make_user(live.client)
    ticket = await ticket_for(c, ann)
    for path in ("/tasks", "/auth/me", "/sync", "/tags"):
        r = await c.get(path, params={"ticket": ticket})
        assert r.status_code == 401, path
    assert (await c.post("/events/ticket", params={"ticket": ticket})).status_code == 401
    async with open_stream(c, ticket=ticket):  # and it was not spent by those
        pass


async def test_tokens_in_the_query_string_are_refused(live):
    c, ann = live.client, await make_user(live.client)
    for name in ("access_token", "token", "authorization", "bearer", "ticket"):
        r = await c.get("/events", params={name: ann["token"]})
        assert r.status_code == 401, name
        assert r.headers["www-authenticate"] == "Bearer"
    assert (await c.get("/tasks", params={"access_token": ann["token"]})).status_code == 401
    assert (await c.post("/events/ticket")).status_code == 401
