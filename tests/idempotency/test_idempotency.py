"""Idempotency-Key on the /tasks writes: a retried request gets its first answer again and changes
nothing; a key is the caller's own, and belongs to one request."""

import asyncio

import pytest

from tests.factories import make_task, make_user
from tests.idempotency.rows import stored, total, with_key


async def test_a_retried_create_gets_the_first_answer_and_makes_nothing(app, client):
    ann = await make_user(client)
    first = await client.post("/tasks", json={"title": "Buy milk"}, headers=with_key(ann, "create-1"))
    again = await client.post("/tasks", json={"title": "Buy milk"}, headers=with_key(ann, "create-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers.get("etag") == first.headers.get("etag")
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-content-type-options"] == "nosniff"  # outer layers still apply
    assert await total(client, ann) == 1
    assert [(row[1], row[2]) for row in await stored(app)] == [("create-1", 201)]


async def test_quick_add_parse_is_replayed(client):
    ann = await make_user(client)
    body = {"text": "Call the bank !high #errands"}
    first = await client.post("/tasks/parse", json=body, headers=with_key(ann, "parse"))
    again = await client.post("/tasks/parse", json=body, headers=with_key(ann, "parse"))
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["priority"] == "high"
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_retried_bulk_change_changes_nothing_new(client):
    ann = await make_user(client)
    await make_task(client, ann)
    await make_task(client, ann)
    first = await client.patch(
        "/tasks", params={"completed": "false"}, json={"completed": True}, headers=with_key(ann, "bulk")
    )
    assert first.json() == {"updated": 2}
    await make_task(client, ann)  # matches the filter now, but was not there the first time
    again = await client.patch(
        "/tasks", params={"completed": "false"}, json={"completed": True}, headers=with_key(ann, "bulk")
    )
    assert again.status_code == 200
    assert again.json() == {"updated": 2}
    assert again.headers["idempotent-replayed"] == "true"
    assert await total(client, ann, completed="false") == 1


async def test_a_retried_bulk_delete_deletes_nothing_new(client):
    ann = await make_user(client)
    await make_task(client, ann)
    first = await client.delete("/tasks", params={"all": "true"}, headers=with_key(ann, "wipe"))
    assert first.json() == {"deleted": 1}
    await make_task(client, ann)
    again = await client.delete("/tasks", params={"all": "true"}, headers=with_key(ann, "wipe"))
    assert again.json() == {"deleted": 1}
    assert again.headers["idempotent-replayed"] == "true"
    assert await total(client, ann) == 1


# The first request of each pair is sent with the key; the second reuses it for something else.
DIFFERENT_REQUESTS = {
    "body": (("POST", "/tasks", {}, {"title": "a"}), ("POST", "/tasks", {}, {"title": "b"})),
    "query": (
        ("PATCH", "/tasks", {"completed": "false"}, {"priority": "high"}),
        ("PATCH", "/tasks", {"completed": "true"}, {"priority": "high"}),
    ),
    "path": (("POST", "/tasks/parse", {}, {"text": "a"}), ("POST", "/tasks", {}, {"text": "a"})),
    "method": (("DELETE", "/tasks", {"all": "true"}, None), ("PATCH", "/tasks", {"all": "true"}, {})),
}


@pytest.mark.parametrize("difference", DIFFERENT_REQUESTS)
async def test_a_key_reused_for_a_different_request_is_422(client, difference):
    ann = await make_user(client)
    await make_task(client, ann, title="kept")
    first, second = DIFFERENT_REQUESTS[difference]
    r = await client.request(
        first[0], first[1], params=first[2], json=first[3], headers=with_key(ann, "one-request")
    )
    assert r.status_code < 300, r.text
    before = (await client.get("/tasks", headers=ann["headers"])).json()
    r = await client.request(
        second[0], second[1], params=second[2], json=second[3], headers=with_key(ann, "one-request")
    )
    assert r.status_code == 422
    assert "different request" in r.json()["detail"]
    assert "idempotent-replayed" not in r.headers
    assert (await client.get("/tasks", headers=ann["headers"])).json() == before


async def test_keys_are_the_callers_own(app, client):
    ann, bob = await make_user(client), await make_user(client)
    a = await client.post("/tasks", json={"title": "Ann's"}, headers=with_key(ann, "k"))
    b = await client.post("/tasks", json={"title": "Bob's"}, headers=with_key(bob, "k"))
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert b.json()["title"] == "Bob's"
    again = await client.post("/tasks", json={"title": "Bob's"}, headers=with_key(bob, "k"))
    assert again.json() == b.json()
    assert await total(client, ann) == await total(client, bob) == 1
    assert sorted(row[0] for row in await stored(app)) == sorted([ann["id"], bob["id"]])


async def test_simultaneous_requests_with_one_key_have_one_effect(client):
    ann = await make_user(client)
    requests = [
        client.post("/tasks", json={"title": "once"}, headers=with_key(ann, "at-once")) for _ in range(8)
    ]
    answers = await asyncio.gather(*requests)
    assert {r.status_code for r in answers} <= {201, 409}, [r.text for r in answers]
    served = [r for r in answers if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(served) == 1
    for r in answers:
        if r.status_code == 201:
            assert r.json() == served[0].json()
        else:
            assert "still being processed" in r.json()["detail"]
            assert r.headers["retry-after"] == "1"
    assert await total(client, ann) == 1
    later = await client.post("/tasks", json={"title": "once"}, headers=with_key(ann, "at-once"))
    assert later.json() == served[0].json()
    assert later.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "key",
    [b"", b"k" * 256, b"with space", "caf\u00e9".encode(), b"tab\there", b"del\x7f"],
    ids=["empty", "256 chars", "space", "non-ascii", "tab", "DEL"],
)
async def test_a_malformed_key_is_422_and_runs_nothing(app, client, key):
    ann = await make_user(client)
    headers = [(b"authorization", f"Bearer {ann['token']}".encode()), (b"idempotency-key", key)]
    r = await client.post("/tasks", json={"title": "no"}, headers=headers)
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json()["detail"]
    assert await total(client, ann) == 0
    assert await stored(app) == []


async def test_a_key_sent_twice_is_422(client):
    ann = await make_user(client)
    headers = [
        (b"authorization", f"Bearer {ann['token']}".encode()),
        (b"idempotency-key", b"one"),
        (b"idempotency-key", b"two"),
    ]
    r = await client.post("/tasks", json={"title": "no"}, headers=headers)
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json()["detail"]


async def test_the_longest_and_oddest_keys_are_accepted(app, client):
    ann = await make_user(client)
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    for key in ("k" * 255, printable, "!"):
        r = await client.post("/tasks", json={"title": "ok"}, headers=with_key(ann, key))
        assert r.status_code == 201, (key, r.text)
    assert len(await stored(app)) == 3


async def test_without_the_header_nothing_changes(app, client):
    ann = await make_user(client)
    for _ in range(2):
        r = await client.post("/tasks", json={"title": "twice"}, headers=ann["headers"])
        assert r.status_code == 201
        assert "idempotent-replayed" not in r.headers
    assert await total(client, ann) == 2
    assert await stored(app) == []


async def test_other_routes_ignore_the_header(app, client):
    ann = await make_user(client)
    task = await make_task(client, ann)
    url = f"/tasks/{task['id']}"
    for _ in range(2):
        r = await client.patch(f"{url}/complete", headers=with_key(ann, "toggle"))
        assert "idempotent-replayed" not in r.headers
    assert r.json()["completed"] is False  # toggled twice
    r = await client.get("/tasks", headers=with_key(ann, "list"))
    assert r.status_code == 200
    assert await stored(app) == []


async def test_a_refused_body_is_stored_and_replayed(app, client):
    # A 422 is the answer to this request whenever it is sent: replaying it is the same answer,
    # and keeps a key's meaning fixed (a corrected request needs a new key).
    ann = await make_user(client)
    first = await client.post("/tasks", json={"title": ""}, headers=with_key(ann, "bad"))
    again = await client.post("/tasks", json={"title": ""}, headers=with_key(ann, "bad"))
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    fixed = await client.post("/tasks", json={"title": "fixed"}, headers=with_key(ann, "bad"))
    assert fixed.status_code == 422
    assert "different request" in fixed.json()["detail"]
    assert [row[2] for row in await stored(app)] == [422]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz"],
    ids=["no token", "bad token", "other scheme"],
)
async def test_no_valid_token_is_401_and_stores_nothing(app, client, authorization):
    headers = {"Idempotency-Key": "k"}
    if authorization:
        headers["Authorization"] = authorization
    for _ in range(2):
        r = await client.post("/tasks", json={"title": "x"}, headers=headers)
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert "idempotent-replayed" not in r.headers
    assert await stored(app) == []


async def test_a_signed_out_token_is_401_even_with_a_stored_key(app, client):
    ann = await make_user(client)
    r = await client.post("/tasks", json={"title": "x"}, headers=with_key(ann, "k"))
    assert r.status_code == 201
    assert (await client.post("/auth/logout", headers=ann["headers"])).status_code == 204
    r = await client.post("/tasks", json={"title": "x"}, headers=with_key(ann, "k"))
    assert r.status_code == 401
    assert "idempotent-replayed" not in r.headers
    assert len(await stored(app)) == 1


async def test_a_malformed_key_without_a_token_is_401(client):
    r = await client.post("/tasks", json={"title": "x"}, headers={"Idempotency-Key": "k" * 300})
    assert r.status_code == 401
