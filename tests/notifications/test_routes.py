"""GET /notifications, POST /notifications/{id}/read and /notifications/read-all: each user sees and
marks only their own; another user's notification is a 404 like a missing one; bad input is a 422."""

from datetime import timedelta

import pytest

from tests.factories import make_user
from tests.notifications.conftest import claim, remind, tomorrow
from todo_app.db.types import MAX_ID

KEYS = {"id", "task_id", "title", "remind_at", "sent_at", "late", "read"}
NOT_FOUND = {"detail": "Notification not found"}


async def notified(client, app, user, *titles: str) -> list[dict]:
    """One notification per title for `user`, in that order (oldest first)."""
    when = tomorrow()
    for i, title in enumerate(titles):
        await remind(client, user, when + timedelta(seconds=i), title=title)
        await claim(app, when + timedelta(seconds=i))
    r = await client.get("/notifications", params={"limit": 200}, headers=user["headers"])
    return [n for n in reversed(r.json()) if n["title"] in titles]


async def listing(client, user, **params) -> tuple[list[str], int]:
    r = await client.get("/notifications", params=params, headers=user["headers"])
    assert r.status_code == 200, r.text
    return [n["title"] for n in r.json()], int(r.headers["x-unread-count"])


async def test_each_user_sees_only_their_own_newest_first(client, app):
    ann, bob = await make_user(client), await make_user(client)
    await notified(client, app, ann, "a1", "a2")
    [b1] = await notified(client, app, bob, "b1")
    r = await client.get("/notifications", headers=ann["headers"])
    assert r.status_code == 200
    items = r.json()
    assert [n["title"] for n in items] == ["a2", "a1"]
    assert all(set(n) == KEYS for n in items)
    first = items[1]
    assert first["read"] is False
    assert first["late"] is False
    assert first["sent_at"] is not None
    assert first["remind_at"].endswith("Z")
    assert r.headers["x-unread-count"] == "2"
    assert await listing(client, bob) == (["b1"], 1)
    # Bob cannot read Ann's, and it looks exactly like a missing one.
    r = await client.post(f"/notifications/{first['id']}/read", headers=bob["headers"])
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    for missing in (b1["id"] + 1000, 0, -1, MAX_ID, MAX_ID + 1, 10**30):
        r = await client.post(f"/notifications/{missing}/read", headers=ann["headers"])
        assert (r.status_code, r.json()) == (404, NOT_FOUND), missing
    assert await listing(client, ann, unread="true") == (["a2", "a1"], 2)


async def test_read_one_read_all_and_the_unread_filter(client, app):
    ann, bob = await make_user(client), await make_user(client)
    a1, _, _ = await notified(client, app, ann, "a1", "a2", "a3")
    await notified(client, app, bob, "b1")
    for _ in range(2):  # (twice: the same answer)
        r = await client.post(f"/notifications/{a1['id']}/read", headers=ann["headers"])
        assert (r.status_code, r.content) == (204, b"")
    assert await listing(client, ann) == (["a3", "a2", "a1"], 2)
    assert await listing(client, ann, unread="true") == (["a3", "a2"], 2)
    assert await listing(client, ann, unread="false") == (["a1"], 2)
    r = await client.get("/notifications", headers=ann["headers"])
    assert [n["read"] for n in r.json()] == [False, False, True]
    r = await client.post("/notifications/read-all", headers=ann["headers"])
    assert (r.status_code, r.content) == (204, b"")
    assert await listing(client, ann, unread="true") == ([], 0)
    assert await listing(client, bob, unread="true") == (["b1"], 1)  # (only the caller's)


async def test_pages_follow_the_link_header(client, app):
    user = await make_user(client)
    await notified(client, app, user, "n1", "n2", "n3", "n4", "n5")
    r = await client.get("/notifications", params={"limit": 2, "unread": "true"}, headers=user["headers"])
    seen = [n["title"] for n in r.json()]
    while "link" in r.headers:
        url = r.headers["link"].removeprefix("<").split(">;")[0]
        assert 'rel="next"' in r.headers["link"]
        assert "unread=true" in url
        r = await client.get(url, headers=user["headers"])
        assert r.status_code == 200
        seen += [n["title"] for n in r.json()]
    assert seen == ["n5", "n4", "n3", "n2", "n1"]
    last = r.json()[-1]["id"] if r.json() else None
    assert last is not None
    assert await listing(client, user, before_id=last) == ([], 5)


async def test_a_task_deleted_for_good_leaves_its_notification(client, app):
    user = await make_user(client)
    [n] = await notified(client, app, user, "gone")
    assert (await client.delete(f"/tasks/{n['task_id']}", headers=user["headers"])).status_code == 204
    assert (await client.delete(f"/trash/{n['task_id']}", headers=user["headers"])).status_code == 204
    r = await client.get("/notifications", headers=user["headers"])
    assert [(x["title"], x["task_id"]) for x in r.json()] == [("gone", None)]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"unread": "maybe"},
        {"before_id": 0},
        {"before_id": "x"},
        {"before_id": str(MAX_ID + 1)},
    ],
)
async def test_bad_parameters_are_422(client, params):
    user = await make_user(client)
    r = await client.get("/notifications", params=params, headers=user["headers"])
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], list)


async def test_bad_ids_and_no_token(client):
    user = await make_user(client)
    r = await client.post("/notifications/abc/read", headers=user["headers"])
    assert r.status_code == 422
    for method, url in (
        ("GET", "/notifications"),
        ("POST", "/notifications/1/read"),
        ("POST", "/notifications/read-all"),
    ):
        assert (await client.request(method, url)).status_code == 401
