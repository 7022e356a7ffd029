"""Recurring tasks through the API: every way of completing one moves it to its next occurrence and
records the completion; skip; the history; the rules a recurrence must obey (422/409/412).

"Today" is the owner's: each test's user lives in a zone where it is around noon now (tests/clock.py)."""

from datetime import date, timedelta

import pytest

from tests.clock import iso, make_noon_user
from tests.factories import make_task, make_user


def recurring(rule: str, from_: str = "due") -> dict:
    return {"rule": rule, "from": from_}


async def complete(client, user, task) -> dict:
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=user["headers"])
    assert r.status_code == 200, r.text
    return r.json()


async def completions(client, user, task) -> list[dict]:
    r = await client.get(f"/tasks/{task['id']}/completions", headers=user["headers"])
    assert r.status_code == 200, r.text
    return r.json()


def next_weekday(after: date, weekday: int) -> date:
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


async def test_a_rule_is_stored_in_canonical_form(client):
    user = await make_noon_user(client)
    rule = recurring(" rrule:interval=2;freq=weekly;byday=tu ")
    task = await make_task(client, user, due_date=iso(user["today"], 1), recurrence=rule)
    assert task["recurrence"] == {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "from": "due"}
    assert task["completed"] is False
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    assert r.json()["recurrence"] == task["recurrence"]


async def test_from_defaults_to_due(client):
    user = await make_noon_user(client)
    task = await make_task(client, user, due_date=iso(user["today"]), recurrence={"rule": "FREQ=DAILY"})
    assert task["recurrence"]["from"] == "due"


@pytest.mark.parametrize(
    ("recurrence", "says"),
    [
        ({"rule": "FREQ=HOURLY"}, "HOURLY"),
        ({"rule": "FREQ=DAILY;BYHOUR=9"}, "BYHOUR"),
        ({"rule": "FREQ=DAILY;INTERVAL=0"}, "INTERVAL"),
        ({"rule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "BYMONTHDAY"),
        ({"rule": "BYDAY=MO"}, "FREQ"),
        ({"rule": "FREQ=DAILY;UNTIL=20000101"}, "UNTIL"),
        ({"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "never"),
        ({"rule": ""}, "recurrence"),
        ({"rule": "FREQ=DAILY", "from": "start"}, "recurrence"),
        ({"rule": "FREQ=DAILY", "every": 2}, "recurrence"),
        ({"rule": "FREQ=DAILY\x00"}, "recurrence"),
    ],
)
async def test_a_bad_rule_is_a_422_saying_what_is_wrong(client, recurrence, says):
    user = await make_noon_user(client)
    body = {"title": "t", "due_date": iso(user["today"]), "recurrence": recurrence}
    r = await client.post("/tasks", json=body, headers=user["headers"])
    assert r.status_code == 422, r.text
    assert says in str(r.json()["detail"])


async def test_a_rule_needs_a_due_date(client):
    user = await make_noon_user(client)
    r = await client.post(
        "/tasks", json={"title": "t", "recurrence": recurring("FREQ=DAILY")}, headers=user["headers"]
    )
    assert r.status_code == 422
    assert "due_date" in r.json()["detail"]
    task = await make_task(client, user)
    r = await client.patch(
        f"/tasks/{task['id']}", json={"recurrence": recurring("FREQ=DAILY")}, headers=user["headers"]
    )
    assert r.status_code == 422
    assert "due_date" in r.json()["detail"]


async def test_a_series_starts_in_1900_or_later(client):
    user = await make_noon_user(client)
    body = {"title": "t", "due_date": "1899-12-31", "recurrence": recurring("FREQ=DAILY;COUNT=5")}
    r = await client.post("/tasks", json=body, headers=user["headers"])
    assert r.status_code == 422
    assert "1900" in r.json()["detail"]


async def test_completing_moves_to_the_next_occurrence_and_records_it(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(
        client, user, due_date=iso(today, 1), due_time="07:30", recurrence=recurring("FREQ=WEEKLY")
    )
    done = await complete(client, user, task)
    assert done["completed"] is False
    assert done["completed_at"] is None
    assert (done["due_date"], done["due_time"]) == (iso(today, 8), "07:30")
    assert done["version"] > task["version"]
    history = await completions(client, user, task)
    assert [(c["due_date"], c["due_time"]) for c in history] == [(iso(today, 1), "07:30")]
    assert history[0]["completed_at"].endswith("Z") or history[0]["completed_at"].endswith("+00:00")


async def test_missed_occurrences_are_skipped_not_piled_up(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today, -10), recurrence=recurring("FREQ=DAILY"))
    assert (await complete(client, user, task))["due_date"] == iso(today, 1)
    weekly = await make_task(client, user, due_date=iso(today, -21), recurrence=recurring("FREQ=WEEKLY"))
    assert (await complete(client, user, weekly))["due_date"] == iso(today, 7)


async def test_from_completion_restarts_the_rule_on_the_completion_day(client):
    user = await make_noon_user(client)
    today = user["today"]
    every_third = recurring("FREQ=DAILY;INTERVAL=3", "completion")
    task = await make_task(client, user, due_date=iso(today, -5), recurrence=every_third)
    assert (await complete(client, user, task))["due_date"] == iso(today, 3)
    monday = recurring("FREQ=WEEKLY;BYDAY=MO", "completion")
    task = await make_task(client, user, due_date=iso(today, 20), recurrence=monday)
    assert (await complete(client, user, task))["due_date"] == next_weekday(today, 0).isoformat()


async def test_month_ends_and_nth_weekdays(client):
    user = await make_noon_user(client)
    last_day = await make_task(
        client, user, due_date="2031-01-31", recurrence=recurring("FREQ=MONTHLY;BYMONTHDAY=-1")
    )
    dates = [(await complete(client, user, last_day))["due_date"] for _ in range(3)]
    assert dates == ["2031-02-28", "2031-03-31", "2031-04-30"]
    second_tuesday = await make_task(
        client, user, due_date="2031-01-14", recurrence=recurring("FREQ=MONTHLY;BYDAY=+2TU")
    )
    dates = [(await complete(client, user, second_tuesday))["due_date"] for _ in range(2)]
    assert dates == ["2031-02-11", "2031-03-11"]


async def test_the_end_of_a_series_completes_the_task_for_good(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today, 1), recurrence=recurring("FREQ=DAILY;COUNT=2"))
    assert (await complete(client, user, task))["due_date"] == iso(today, 2)
    last = await complete(client, user, task)
    assert last["completed"] is True
    assert last["completed_at"] is not None
    assert last["due_date"] == iso(today, 2)
    assert [c["due_date"] for c in await completions(client, user, task)] == [iso(today, 2), iso(today, 1)]
    until = recurring(f"FREQ=WEEKLY;UNTIL={(today + timedelta(days=3)).strftime('%Y%m%d')}")
    task = await make_task(client, user, due_date=iso(today, 1), recurrence=until)
    assert (await complete(client, user, task))["completed"] is True


async def test_reopening_a_finished_series_keeps_its_history(client):
    user = await make_noon_user(client)
    task = await make_task(
        client, user, due_date=iso(user["today"], 1), recurrence=recurring("FREQ=DAILY;COUNT=1")
    )
    assert (await complete(client, user, task))["completed"] is True
    reopened = await complete(client, user, task)
    assert reopened["completed"] is False
    assert len(await completions(client, user, task)) == 1


@pytest.mark.parametrize("how", ["patch", "put", "toggle", "bulk"])
async def test_every_way_of_completing_moves_the_task(client, how):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(
        client, user, title="water plants", due_date=iso(today), recurrence=recurring("FREQ=DAILY")
    )
    url, h = f"/tasks/{task['id']}", user["headers"]
    if how == "patch":
        r = await client.patch(url, json={"completed": True}, headers=h)
    elif how == "put":
        body = {"title": "water plants", "description": None, "completed": True, "due_date": iso(today)}
        r = await client.put(url, json={**body, "recurrence": task["recurrence"]}, headers=h)
    elif how == "toggle":
        r = await client.patch(f"{url}/complete", headers=h)
    else:
        r = await client.patch("/tasks", params={"q": "water"}, json={"completed": True}, headers=h)
        assert r.json() == {"updated": 1}
    assert r.status_code == 200, r.text
    moved = (await client.get(url, headers=h)).json()
    assert (moved["completed"], moved["due_date"]) == (False, iso(today, 1))
    assert [c["due_date"] for c in await completions(client, user, task)] == [iso(today)]


async def test_bulk_completion_completes_plain_tasks_and_moves_recurring_ones(client):
    user = await make_noon_user(client)
    today = user["today"]
    plain = await make_task(client, user, title="plain")
    series = await make_task(client, user, due_date=iso(today), recurrence=recurring("FREQ=WEEKLY"))
    finished = await make_task(
        client, user, due_date=iso(today, 1), recurrence=recurring("FREQ=DAILY;COUNT=1")
    )
    r = await client.patch("/tasks", json={"completed": True}, headers=user["headers"])
    assert r.json() == {"updated": 3}
    tasks = {t["id"]: t for t in (await client.get("/tasks", headers=user["headers"])).json()}
    assert tasks[plain["id"]]["completed"] is True
    assert (tasks[series["id"]]["completed"], tasks[series["id"]]["due_date"]) == (False, iso(today, 7))
    assert tasks[finished["id"]]["completed"] is True
    assert tasks[finished["id"]]["completed_at"] is not None


async def test_other_changes_apply_before_the_completion(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today), recurrence=recurring("FREQ=DAILY"))
    body = {"completed": True, "title": "renamed", "recurrence": recurring("FREQ=WEEKLY")}
    r = await client.patch(f"/tasks/{task['id']}", json=body, headers=user["headers"])
    moved = r.json()
    assert (moved["title"], moved["due_date"], moved["recurrence"]["rule"]) == (
        "renamed",
        iso(today, 7),
        "FREQ=WEEKLY",
    )


async def test_skip_moves_on_without_a_completion(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today, 1), recurrence=recurring("FREQ=DAILY"))
    r = await client.post(f"/tasks/{task['id']}/skip", headers=user["headers"])
    assert r.status_code == 200, r.text
    assert (r.json()["due_date"], r.json()["completed"]) == (iso(today, 2), False)
    assert r.headers["ETag"] == f'"{r.json()["version"]}"'
    assert await completions(client, user, task) == []


async def test_skip_is_a_409_without_a_next_occurrence(client):
    user = await make_noon_user(client)
    h = user["headers"]
    plain = await make_task(client, user, due_date=iso(user["today"]))
    r = await client.post(f"/tasks/{plain['id']}/skip", headers=h)
    assert (r.status_code, r.json()) == (409, {"detail": "This task does not repeat"})
    last = await make_task(
        client, user, due_date=iso(user["today"], 1), recurrence=recurring("FREQ=DAILY;COUNT=1")
    )
    r = await client.post(f"/tasks/{last['id']}/skip", headers=h)
    assert (r.status_code, r.json()) == (409, {"detail": "This series has no further occurrence"})
    assert (await client.get(f"/tasks/{last['id']}", headers=h)).json()["version"] == last["version"]
    done = await complete(client, user, last)
    r = await client.post(f"/tasks/{done['id']}/skip", headers=h)
    assert r.status_code == 409


async def test_skip_and_complete_honour_if_match(client):
    user = await make_noon_user(client)
    task = await make_task(client, user, due_date=iso(user["today"]), recurrence=recurring("FREQ=DAILY"))
    stale = {**user["headers"], "If-Match": f'"{task["version"] - 1}"'}
    r = await client.post(f"/tasks/{task['id']}/skip", headers=stale)
    assert r.status_code == 412
    assert r.json()["due_date"] == task["due_date"]
    fresh = {**user["headers"], "If-Match": f'"{task["version"]}"'}
    r = await client.post(f"/tasks/{task['id']}/skip", headers=fresh)
    assert r.status_code == 200
    r = await client.patch(f"/tasks/{task['id']}/complete", headers=fresh)
    assert r.status_code == 412


async def test_moving_the_due_date_starts_the_series_again(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today, 1), recurrence=recurring("FREQ=DAILY;COUNT=2"))
    await complete(client, user, task)  # one of two done
    r = await client.patch(f"/tasks/{task['id']}", json={"due_date": iso(today, 5)}, headers=user["headers"])
    assert r.status_code == 200
    assert (await complete(client, user, task))["due_date"] == iso(today, 6)  # two again from the new start
    assert (await complete(client, user, task))["completed"] is True


async def test_clearing_the_due_date_of_a_recurring_task(client):
    user = await make_noon_user(client)
    task = await make_task(client, user, due_date=iso(user["today"]), recurrence=recurring("FREQ=DAILY"))
    url, h = f"/tasks/{task['id']}", user["headers"]
    r = await client.patch(url, json={"due_date": None}, headers=h)
    assert r.status_code == 422
    assert "recurrence" in r.json()["detail"]
    r = await client.patch(url, json={"due_date": None, "recurrence": None}, headers=h)
    assert r.status_code == 200
    assert (r.json()["due_date"], r.json()["recurrence"]) == (None, None)


async def test_bulk_clearing_due_dates_ends_their_series(client):
    user = await make_noon_user(client)
    task = await make_task(client, user, due_date=iso(user["today"]), recurrence=recurring("FREQ=DAILY"))
    r = await client.patch("/tasks", json={"due_date": None}, headers=user["headers"])
    assert r.json() == {"updated": 1}
    r = await client.get(f"/tasks/{task['id']}", headers=user["headers"])
    assert (r.json()["due_date"], r.json()["recurrence"]) == (None, None)


async def test_bulk_moving_due_dates_starts_series_again(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(client, user, due_date=iso(today), recurrence=recurring("FREQ=DAILY;COUNT=2"))
    await complete(client, user, task)
    r = await client.patch("/tasks", json={"due_date": iso(today, 10)}, headers=user["headers"])
    assert r.json() == {"updated": 1}
    assert (await complete(client, user, task))["due_date"] == iso(today, 11)


async def test_put_with_the_same_rule_keeps_the_series(client):
    user = await make_noon_user(client)
    today = user["today"]
    task = await make_task(
        client, user, title="t", due_date=iso(today, 1), recurrence=recurring("FREQ=DAILY;COUNT=2")
    )
    task = await complete(client, user, task)
    body = {"title": "t2", "description": None, "completed": False, "due_date": task["due_date"]}
    r = await client.put(
        f"/tasks/{task['id']}", json={**body, "recurrence": task["recurrence"]}, headers=user["headers"]
    )
    assert r.status_code == 200
    assert (await complete(client, user, task))["completed"] is True  # still the second of two


async def test_recurrence_null_stops_it_repeating(client):
    user = await make_noon_user(client)
    task = await make_task(client, user, due_date=iso(user["today"]), recurrence=recurring("FREQ=DAILY"))
    r = await client.patch(f"/tasks/{task['id']}", json={"recurrence": None}, headers=user["headers"])
    assert r.json()["recurrence"] is None
    done = await complete(client, user, task)
    assert (done["completed"], done["due_date"]) == (True, iso(user["today"]))


async def test_history_is_the_owners_own_and_goes_with_the_task(client):
    alice, bob = await make_noon_user(client), await make_user(client)
    task = await make_task(client, alice, due_date=iso(alice["today"]), recurrence=recurring("FREQ=DAILY"))
    await complete(client, alice, task)
    r = await client.get(f"/tasks/{task['id']}/completions", headers=bob["headers"])
    assert (r.status_code, r.json()) == (404, {"detail": "Task not found"})
    r = await client.post(f"/tasks/{task['id']}/skip", headers=bob["headers"])
    assert r.status_code == 404
    await client.delete(f"/tasks/{task['id']}", headers=alice["headers"])
    r = await client.get(f"/tasks/{task['id']}/completions", headers=alice["headers"])
    assert r.status_code == 404
    await client.post(f"/trash/{task['id']}/restore", headers=alice["headers"])
    assert len(await completions(client, alice, task)) == 1


async def test_a_plain_task_has_no_history(client):
    user = await make_noon_user(client)
    task = await make_task(client, user)
    await complete(client, user, task)
    assert await completions(client, user, task) == []


async def test_quick_add_repeats(client):
    user = await make_noon_user(client)
    r = await client.post("/tasks/parse", json={"text": "Stretch *daily #health"}, headers=user["headers"])
    assert r.json()["recurrence"] == {"rule": "FREQ=DAILY", "from": "due"}
    assert r.json()["due_date"] == iso(user["today"])
    r = await client.post("/tasks", json={"text": "Stretch *daily ^tomorrow@07:00"}, headers=user["headers"])
    task = r.json()
    assert task["recurrence"] == {"rule": "FREQ=DAILY", "from": "due"}
    assert (task["title"], task["due_date"], task["due_time"]) == ("Stretch", iso(user["today"], 1), "07:00")
    sent = {"text": "Stretch *daily", "recurrence": {"rule": "FREQ=WEEKLY", "from": "completion"}}
    r = await client.post("/tasks", json=sent, headers=user["headers"])
    assert r.json()["recurrence"] == {"rule": "FREQ=WEEKLY", "from": "completion"}  # (sent fields win)


async def test_wall_clock_time_stays_across_daylight_saving(client):
    user = await make_user(client)
    await client.patch("/auth/me", json={"timezone": "Europe/Berlin"}, headers=user["headers"])
    task = await make_task(
        client, user, due_date="2031-03-29", due_time="09:00", recurrence=recurring("FREQ=DAILY")
    )  # Berlin moves its clocks forward on 2031-03-30
    moved = [await complete(client, user, task) for _ in range(2)]
    assert [(t["due_date"], t["due_time"]) for t in moved] == [
        ("2031-03-30", "09:00"),
        ("2031-03-31", "09:00"),
    ]
