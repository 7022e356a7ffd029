"""Quick add: POST /tasks with {"text"} and POST /tasks/parse, judged in the owner's time zone."""

import pytest

from tests.clock import WEEKDAYS, iso, make_noon_user, make_user_in, today, zones_on_different_days
from tests.factories import make_task, make_user

PARSED_KEYS = {"title", "tags", "priority", "due_date", "due_time", "recurrence"}


async def add(client, user, text, **fields):
    return await client.post("/tasks", json={"text": text, **fields}, headers=user["headers"])


async def parse(client, user, text):
    r = await client.post("/tasks/parse", json={"text": text}, headers=user["headers"])
    assert r.status_code == 200, r.text
    assert set(r.json()) == PARSED_KEYS
    return r.json()


async def test_text_tokens_become_fields(client):
    user = await make_noon_user(client)
    r = await add(client, user, "Buy milk #shop !high ^today")
    assert r.status_code == 201
    task = r.json()
    assert task["title"] == "Buy milk"
    assert task["tags"] == ["shop"]
    assert task["priority"] == "high"
    assert (task["due_date"], task["due_time"]) == (iso(user["today"]), None)
    assert (task["description"], task["completed"]) == (None, False)
    assert (await client.get(f"/tasks/{task['id']}", headers=user["headers"])).json() == task


async def test_tokens_anywhere_are_removed_from_the_title(client):
    user = await make_noon_user(client)
    task = (await add(client, user, "#home Call !low mom ^tomorrow@09:30")).json()
    assert task["title"] == "Call mom"
    assert (task["tags"], task["priority"]) == (["home"], "low")
    assert (task["due_date"], task["due_time"]) == (iso(user["today"], 1), "09:30")


async def test_text_without_tokens_is_the_title(client):
    user = await make_user(client)
    r = await add(client, user, "  Just a task  ")
    assert r.status_code == 201
    task = r.json()
    assert task["title"] == "Just a task"
    assert (task["tags"], task["priority"], task["due_date"], task["due_time"]) == ([], "none", None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C# basics", {"title": "C# basics"}),
        ("solve x^2 today!", {"title": "solve x^2 today!"}),
        ("email ann#1 about it", {"title": "email ann#1 about it"}),
        ("Read #books #Fun", {"title": "Read", "tags": ["books", "Fun"]}),
        ("Sort #b #A #a #B", {"title": "Sort", "tags": ["A", "b"]}),
        ("Pay rent !urgent", {"title": "Pay rent", "priority": "urgent"}),
        ("Fix !medium it", {"title": "Fix it", "priority": "medium"}),
        ("Party ^2026-12-25", {"title": "Party", "due_date": "2026-12-25"}),
        (
            "Party ^2026-12-25@18:00 now",
            {"title": "Party now", "due_date": "2026-12-25", "due_time": "18:00"},
        ),
        ("Leap ^2028-02-29@00:00", {"title": "Leap", "due_date": "2028-02-29", "due_time": "00:00"}),
    ],
)
async def test_parse(client, text, expected):
    user = await make_user(client)
    defaults = {"tags": [], "priority": None, "due_date": None, "due_time": None, "recurrence": None}
    assert await parse(client, user, text) == {**defaults, **expected}


async def test_parse_relative_days_in_the_owners_zone(client):
    user = await make_noon_user(client)
    day = user["today"]
    assert (await parse(client, user, "a ^today"))["due_date"] == iso(day)
    assert (await parse(client, user, "a ^tomorrow"))["due_date"] == iso(day, 1)
    got = await parse(client, user, "a ^today@23:59")
    assert (got["due_date"], got["due_time"]) == (iso(day), "23:59")


@pytest.mark.parametrize("ahead", range(1, 8))
async def test_weekday_is_the_next_such_day_after_today(client, ahead):
    user = await make_noon_user(client)
    name = WEEKDAYS[(user["today"].weekday() + ahead) % 7]
    got = await parse(client, user, f"Gym ^{name}@07:05")
    assert got["title"] == "Gym"
    assert (got["due_date"], got["due_time"]) == (iso(user["today"], ahead), "07:05")


async def test_today_is_the_owners_today(client):
    west_zone, east_zone = zones_on_different_days()
    west, east = await make_user_in(client, west_zone), await make_user_in(client, east_zone)
    west_day = (await add(client, west, "w ^today")).json()["due_date"]
    east_day = (await add(client, east, "e ^today")).json()["due_date"]
    assert west_day == iso(today(west_zone))
    assert east_day == iso(today(east_zone))
    assert east_day > west_day


async def test_parsed_tags_use_the_owners_existing_spelling(client):
    user = await make_user(client)
    await make_task(client, user, tags=["Work"])
    assert (await add(client, user, "Report #work #WORK")).json()["tags"] == ["Work"]


async def test_fields_beside_text_apply_and_win(client):
    user = await make_noon_user(client)
    body = {"description": "details", "completed": True, "priority": "low", "due_date": "2030-01-02"}
    r = await add(client, user, "Plan #a !high ^today", tags=["b", "A"], **body)
    assert r.status_code == 201
    task = r.json()
    assert task["title"] == "Plan"
    assert (task["description"], task["completed"]) == ("details", True)
    assert task["completed_at"] is not None
    assert (task["priority"], task["due_date"]) == ("low", "2030-01-02")
    assert task["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "a", "title": "b"},
        {"text": None},
        {"text": ""},
        {"text": "   "},
        {"text": 5},
        {"text": "a\x00b"},
    ],
)
async def test_text_and_title_together_or_neither_is_422(client, body):
    user = await make_user(client)
    r = await client.post("/tasks", json=body, headers=user["headers"])
    assert r.status_code == 422, body
    assert (await client.get("/tasks", headers=user["headers"])).json() == []


@pytest.mark.parametrize(
    "token",
    [
        "^2026-02-30",
        "^2026-13-01@10:00",
        "!extreme",
        "!none",
        "^someday",
        "^today@25:00",
        "^tomorrow@9:30",
        "^fri@",
        "#" + "x" * 41,
    ],
)
async def test_bad_token_is_422_naming_it(client, token):
    user = await make_noon_user(client)
    for path in ("/tasks", "/tasks/parse"):
        r = await client.post(path, json={"text": f"Do it {token} #ok"}, headers=user["headers"])
        assert r.status_code == 422, (path, token)
        detail = r.json()["detail"]
        assert isinstance(detail, str)
        assert token.lstrip("#") in detail
    assert (await client.get("/tasks", headers=user["headers"])).json() == []


async def test_parse_stores_nothing(client):
    user = await make_noon_user(client)
    got = await parse(client, user, "Pay rent !urgent #Home ^tomorrow@08:00")
    assert got == {
        "title": "Pay rent",
        "tags": ["Home"],
        "priority": "urgent",
        "due_date": iso(user["today"], 1),
        "due_time": "08:00",
        "recurrence": None,
    }
    r = await client.get("/tasks", headers=user["headers"])
    assert (r.json(), r.headers["x-total-count"]) == ([], "0")
    assert (await client.get("/tags", headers=user["headers"])).json() == []


async def test_parse_needs_a_token(client):
    r = await client.post("/tasks/parse", json={"text": "x"})
    assert r.status_code == 401
