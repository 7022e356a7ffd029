"""Due date and time, priority, tags and completed_at on POST, PUT and PATCH of one task."""

from datetime import datetime, timedelta

import pytest

from tests.factories import make_task, make_user
from tests.tasks.test_routes import TASK_KEYS

TWENTY = [f"tag{i:02}" for i in range(20)]


async def get(client, user, task):
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    assert r.status_code == 200
    return r.json()


async def patch(client, user, task, body):
    return await client.patch(f"/tasks/{task['id']}", json=body, headers=user["headers"])


def utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0)
    return moment


async def test_new_fields_default_on_create(client):
    user = await make_user(client)
    task = await make_task(client, user, title="plain")
    assert set(task) == TASK_KEYS
    assert task["due_date"] is None
    assert task["due_time"] is None
    assert task["priority"] == "none"
    assert task["tags"] == []
    assert task["completed_at"] is None


async def test_create_with_every_field(client):
    user = await make_user(client)
    body = {"due_date": "2026-03-01", "due_time": "09:30", "priority": "high", "tags": [" Work ", "home"]}
    task = await make_task(client, user, **body)
    assert (task["due_date"], task["due_time"], task["priority"]) == ("2026-03-01", "09:30", "high")
    assert task["tags"] == ["home", "Work"]
    assert await get(client, user, task) == task


@pytest.mark.parametrize("priority", ["none", "low", "medium", "high", "urgent"])
async def test_every_priority_is_accepted(client, priority):
    user = await make_user(client)
    assert (await make_task(client, user, priority=priority))["priority"] == priority


async def test_limits_are_inclusive(client):
    user = await make_user(client)
    task = await make_task(client, user, tags=TWENTY, due_date="2028-02-29", due_time="23:59")
    assert task["tags"] == TWENTY
    assert (task["due_date"], task["due_time"]) == ("2028-02-29", "23:59")
    task = await make_task(
        client, user, tags=["  " + "x" * 40 + "  "], due_date="2026-01-01", due_time="00:00"
    )
    assert task["tags"] == ["x" * 40]
    assert task["due_time"] == "00:00"


@pytest.mark.parametrize(
    "fields",
    [
        {"due_time": "09:30"},
        {"due_date": None, "due_time": "09:30"},
        {"due_date": "2026-02-30"},
        {"due_date": "2026-13-01"},
        {"due_date": "tomorrow"},
        {"due_date": "2026-03-01", "due_time": "25:00"},
        {"due_date": "2026-03-01", "due_time": "9:30"},
        {"due_date": "2026-03-01", "due_time": "12:60"},
        {"due_date": "2026-03-01", "due_time": "noon"},
        {"priority": "extreme"},
        {"priority": 3},
        {"priority": None},
        {"tags": None},
        {"tags": "work"},
        {"tags": [*TWENTY, "one more"]},
        {"tags": ["x" * 41]},
        {"tags": [""]},
        {"tags": ["   "]},
        {"tags": ["a,b"]},
        {"tags": ["bell\x07"]},
        {"tags": ["two\nlines"]},
        {"tags": ["nul\x00"]},
        {"tags": [5]},
    ],
)
async def test_create_rejects_bad_fields(client, fields):
    user = await make_user(client)
    r = await client.post("/tasks", json={"title": "t", **fields}, headers=user["headers"])
    assert r.status_code == 422, fields
    assert (await client.get("/tasks", headers=user["headers"])).json() == []


async def test_tags_are_deduplicated_case_insensitively_first_spelling_kept(client):
    user = await make_user(client)
    task = await make_task(client, user, tags=["beta", "Alpha", "ALPHA", "gamma", "alpha", "Beta"])
    assert task["tags"] == ["Alpha", "beta", "gamma"]


async def test_tags_use_the_spelling_the_owner_used_first(client):
    user = await make_user(client)
    await make_task(client, user, tags=["Work"])
    second = await make_task(client, user, tags=["WORK", "work", "Home"])
    assert second["tags"] == ["Home", "Work"]
    third = await make_task(client, user)
    r = await patch(client, user, third, {"tags": ["wORK", "HOME"]})
    assert r.json()["tags"] == ["Home", "Work"]


async def test_another_users_spelling_does_not_count(client):
    ann, bob = await make_user(client), await make_user(client)
    await make_task(client, bob, tags=["WORK"])
    assert (await make_task(client, ann, tags=["work"]))["tags"] == ["work"]


async def test_a_tag_no_task_uses_any_more_can_be_spelled_anew(client):
    user = await make_user(client)
    task = await make_task(client, user, tags=["Work"])
    await client.delete(f"/tasks/{task['id']}", headers=user["headers"])
    assert (await make_task(client, user, tags=["work"]))["tags"] == ["work"]


async def test_patch_sets_and_clears_due_date_and_time(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await patch(client, user, task, {"due_date": "2026-06-01", "due_time": "08:15"})
    assert r.status_code == 200
    assert (r.json()["due_date"], r.json()["due_time"]) == ("2026-06-01", "08:15")
    r = await patch(client, user, task, {"due_time": None})
    assert (r.json()["due_date"], r.json()["due_time"]) == ("2026-06-01", None)
    r = await patch(client, user, task, {"due_time": "18:00"})
    assert (r.json()["due_date"], r.json()["due_time"]) == ("2026-06-01", "18:00")
    r = await patch(client, user, task, {"due_date": "2026-06-02"})
    assert (r.json()["due_date"], r.json()["due_time"]) == ("2026-06-02", "18:00")
    r = await patch(client, user, task, {"due_date": None})
    assert r.status_code == 200
    assert (r.json()["due_date"], r.json()["due_time"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"due_time": "10:00"},
        {"due_date": None, "due_time": "10:00"},
        {"due_date": "2026-02-30"},
        {"due_date": "2026-06-01", "due_time": "24:00"},
        {"priority": None},
        {"priority": "Highest"},
        {"tags": None},
        {"tags": ["ok", "not,ok"]},
        {"tags": ["tab\tinside"]},
        {"tags": [*TWENTY, "x"]},
    ],
)
async def test_patch_rejects_bad_fields_and_changes_nothing(client, body):
    user = await make_user(client)
    task = await make_task(client, user, priority="low", tags=["keep"])
    r = await patch(client, user, task, body)
    assert r.status_code == 422, body
    assert await get(client, user, task) == task


async def test_patch_due_time_on_a_task_with_a_date_but_null_in_body_is_422(client):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2026-06-01", due_time="07:00")
    r = await patch(client, user, task, {"due_date": None, "due_time": "07:00"})
    assert r.status_code == 422
    assert await get(client, user, task) == task


async def test_patch_changes_only_what_is_sent(client):
    user = await make_user(client)
    fields = {"due_date": "2026-06-01", "due_time": "07:00", "priority": "urgent", "tags": ["a", "B"]}
    task = await make_task(client, user, **fields)
    r = await patch(client, user, task, {"title": "renamed"})
    assert {k: r.json()[k] for k in fields} == fields
    r = await patch(client, user, task, {"priority": "none", "tags": []})
    assert (r.json()["priority"], r.json()["tags"], r.json()["due_date"]) == ("none", [], "2026-06-01")


async def test_put_replaces_the_new_fields_with_defaults(client):
    user = await make_user(client)
    task = await make_task(client, user, due_date="2026-06-01", due_time="07:00", priority="high", tags=["x"])
    body = {"title": "t", "description": None, "completed": False}
    r = await client.put(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    assert r.status_code == 200
    new = r.json()
    assert (new["due_date"], new["due_time"], new["priority"], new["tags"]) == (None, None, "none", [])


async def test_put_sets_the_new_fields(client):
    user = await make_user(client)
    task = await make_task(client, user)
    body = {"title": "t", "description": None, "completed": False, "due_date": "2026-07-04"}
    body |= {"due_time": "21:00", "priority": "medium", "tags": ["Z", "y"]}
    r = await client.put(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    assert r.status_code == 200
    new = r.json()
    assert (new["due_date"], new["due_time"], new["priority"], new["tags"]) == (
        "2026-07-04",
        "21:00",
        "medium",
        ["y", "Z"],
    )


@pytest.mark.parametrize(
    "extra", [{"due_time": "21:00"}, {"tags": ["a,b"]}, {"priority": "big"}, {"due_date": "2026-02-29"}]
)
async def test_put_validates_the_new_fields(client, extra):
    user = await make_user(client)
    task = await make_task(client, user)
    body = {"title": "t", "description": None, "completed": False, **extra}
    r = await client.put(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    assert r.status_code == 422
    assert await get(client, user, task) == task


async def test_completed_at_on_create(client):
    user = await make_user(client)
    task = await make_task(client, user, completed=True)
    done = utc(task["completed_at"])
    assert abs(done - utc(task["created_at"])) < timedelta(seconds=5)


async def test_completed_at_set_kept_and_cleared_by_patch(client):
    user = await make_user(client)
    task = await make_task(client, user)
    r = await patch(client, user, task, {"completed": True})
    stamp = r.json()["completed_at"]
    assert utc(stamp) >= utc(task["created_at"])
    assert abs(utc(stamp) - utc(r.json()["updated_at"])) < timedelta(seconds=5)
    r = await patch(client, user, task, {"completed": True})
    assert r.json()["completed_at"] == stamp
    r = await patch(client, user, task, {"title": "still done"})
    assert r.json()["completed_at"] == stamp
    r = await patch(client, user, task, {"completed": False})
    assert r.json()["completed_at"] is None
    r = await patch(client, user, task, {"completed": True})
    assert utc(r.json()["completed_at"]) > utc(stamp)


async def test_completed_at_set_kept_and_cleared_by_put(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url, h = f"/tasks/{task['id']}", user["headers"]
    body = {"title": "t", "description": None, "completed": True}
    stamp = (await client.put(url, json=body, headers=h)).json()["completed_at"]
    assert utc(stamp) >= utc(task["created_at"])
    assert (await client.put(url, json={**body, "title": "u"}, headers=h)).json()["completed_at"] == stamp
    r = await client.put(url, json={**body, "completed": False}, headers=h)
    assert r.json()["completed_at"] is None


async def test_completed_at_follows_the_toggle(client):
    user = await make_user(client)
    task = await make_task(client, user)
    url = f"/tasks/{task['id']}/complete"
    r = await client.patch(url, headers=user["headers"])
    assert r.json()["completed"] is True
    assert utc(r.json()["completed_at"]) >= utc(task["created_at"])
    r = await client.patch(url, headers=user["headers"])
    assert (r.json()["completed"], r.json()["completed_at"]) == (False, None)


async def test_completed_at_cannot_be_written(client):
    user = await make_user(client)
    task = await make_task(client, user, completed_at="2020-01-01T00:00:00Z")
    assert task["completed_at"] is None
    await patch(client, user, task, {"completed_at": "2020-01-01T00:00:00Z"})
    assert (await get(client, user, task))["completed_at"] is None
    await patch(client, user, task, {"completed": True})
    await patch(client, user, task, {"completed_at": None})
    assert (await get(client, user, task))["completed_at"] is not None
