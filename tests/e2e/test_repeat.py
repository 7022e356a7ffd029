"""A task repeats by a rule chosen in its details (presets that follow the due date, or a custom RRULE
the server checks). Completing it moves it on to its next date, still open; it can skip an occurrence,
and its details list each time it was done."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, api_as, day_text, days, make_tasks, on_server, signed_up_at_midday


def weekday(day: str) -> str:
    return f"{date.fromisoformat(day):%A}"


def test_a_weekly_task_moves_on_a_week_when_completed(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    tasks.add("Water plants")
    details = tasks.open_details("Water plants")
    expect(details.repeat).to_be_disabled()  # no due date yet
    expect(details.form).to_contain_text("Choose a due date to make this task repeat.")
    details.due_date.fill(days(0, zone))
    details.due_time.fill("18:00")
    details.repeat.select_option(label=f"Weekly on {weekday(days(0, zone))}")
    expect(details.repeat_from).to_have_value("due")
    details.save()

    item = tasks.item("Water plants")
    repeat = item.get_by_role("img", name=f"Repeats weekly on {weekday(days(0, zone))}")
    expect(repeat).to_be_visible()
    expect(repeat).to_have_text("↻ Weekly")
    tasks.toggle("Water plants")
    expect(tasks.toast).to_contain_text(
        f"“Water plants” done. Next: {day_text(days(7, zone), zone)} at 18:00"
    )
    expect(item).to_contain_text(f"Due {day_text(days(7, zone), zone)} at 18:00")
    expect(tasks.toggle_box("Water plants")).not_to_be_checked()  # still open: it is the next one
    expect(tasks.toggle_box("Water plants")).to_be_focused()
    tasks.expect_counter("1 item left")
    tasks.expect_saved()
    (task,) = on_server(page, live_server)
    assert (task["due_date"], task["completed"]) == (days(7, zone), False)
    assert task["recurrence"] == {
        "rule": f"FREQ=WEEKLY;BYDAY={weekday(days(0, zone))[:2].upper()}",
        "from": "due",
    }

    tasks = tasks.reload()
    details = tasks.open_details("Water plants")
    expect(details.repeat).to_have_value("weekly")  # the rule shows as the choice it is
    expect(details.history.get_by_role("listitem")).to_have_text(
        [re.compile(r"^Done just now — was due today at 18:00$")]
    )


def test_the_choices_follow_the_due_date(page, live_server):
    tasks, _ = signed_up_at_midday(page, live_server)
    tasks.add("Pay rent")
    details = tasks.open_details("Pay rent")
    details.due_date.fill("2027-02-28")  # a Sunday, and the last day of its month
    for label in ("Weekly on Sunday", "Monthly on day 28", "Monthly on the last day", "Yearly on Feb 28"):
        expect(details.repeat.get_by_role("option", name=label)).to_be_attached()
    details.repeat.select_option(label="Monthly on the last day")
    details.due_date.fill("2027-03-15")
    for label in ("Weekly on Monday", "Monthly on day 15", "Monthly on the last day", "Yearly on Mar 15"):
        expect(details.repeat.get_by_role("option", name=label)).to_be_attached()
    expect(details.repeat).to_have_value("monthly-last")  # still what the person chose
    details.save()
    expect(tasks.item("Pay rent").get_by_role("img", name="Repeats monthly on the last day")).to_be_visible()
    tasks.expect_saved()
    (task,) = on_server(page, live_server)
    assert task["recurrence"] == {"rule": "FREQ=MONTHLY;BYMONTHDAY=-1", "from": "due"}

    details = tasks.open_details("Pay rent")
    expect(details.repeat).to_have_value("monthly-last")
    details.due_date.fill("")  # no due date: it cannot repeat
    expect(details.repeat).to_be_disabled()
    expect(details.repeat).to_have_value("never")
    expect(details.form).to_contain_text("Without a due date, this task will stop repeating.")
    details.save()
    expect(tasks.item("Pay rent").get_by_role("img")).to_have_count(0)
    tasks.expect_saved()
    (task,) = on_server(page, live_server)
    assert (task["due_date"], task["recurrence"]) == (None, None)


def test_a_custom_rule_the_server_refuses_is_explained_at_the_field(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(page, live_server, {"title": "Team lunch", "due_date": days(3, zone)})
    tasks = TasksPage(page).expect_loaded()
    details = tasks.open_details("Team lunch")
    details.repeat.select_option(label="Custom…")
    expect(details.rule).to_be_visible()
    details.form.get_by_role("button", name="Save").click()
    expect(details.form).to_contain_text("Write a rule, e.g. FREQ=WEEKLY;BYDAY=MO")
    expect(details.rule).to_be_focused()

    details.rule.fill("FREQ=HOURLY")
    details.form.get_by_role("button", name="Save").click()
    expect(details.form).to_contain_text("FREQ=HOURLY is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY")
    expect(details.rule).to_have_attribute("aria-invalid", "true")
    expect(details.rule).to_be_focused()
    expect(details.rule).to_have_value("FREQ=HOURLY")  # the draft stays, to be put right
    expect(tasks.item("Team lunch").get_by_role("img")).to_have_count(0)  # nothing was saved
    assert on_server(page, live_server)[0]["recurrence"] is None

    details.rule.fill("freq=monthly;byday=1mo")
    details.save()
    expect(tasks.item("Team lunch").get_by_role("img", name="Repeats monthly")).to_be_visible()
    tasks.expect_saved()
    assert on_server(page, live_server)[0]["recurrence"] == {"rule": "FREQ=MONTHLY;BYDAY=1MO", "from": "due"}
    tasks = tasks.reload()
    details = tasks.open_details("Team lunch")
    expect(details.repeat).to_have_value("custom")
    expect(details.rule).to_have_value("FREQ=MONTHLY;BYDAY=1MO")


def test_repeating_from_completion_counts_from_the_day_it_is_done(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(
        page,
        live_server,
        {"title": "From due", "due_date": days(3, zone), "recurrence": {"rule": "FREQ=DAILY"}},
        {"title": "From completion", "due_date": days(3, zone)},
    )
    tasks = TasksPage(page).expect_loaded()
    details = tasks.open_details("From completion")
    details.repeat.select_option(label="Daily")
    details.repeat_from.select_option(label="Completion date")
    details.save()
    label = "Repeats daily, counted from completion"
    expect(tasks.item("From completion").get_by_role("img", name=label)).to_be_visible()

    tasks.toggle("From due")  # done early: the next one after its due date
    expect(tasks.item("From due")).to_contain_text(f"Due {day_text(days(4, zone), zone)}")
    tasks.toggle("From completion")  # done early: the day after today
    expect(tasks.item("From completion")).to_contain_text("Due tomorrow")
    expect(tasks.toast).to_contain_text("“From completion” done. Next: tomorrow")
    tasks.expect_saved()
    by_title = {t["title"]: t for t in on_server(page, live_server)}
    assert by_title["From completion"]["recurrence"] == {"rule": "FREQ=DAILY", "from": "completion"}
    assert by_title["From completion"]["due_date"] == days(1, zone)
    assert by_title["From due"]["due_date"] == days(4, zone)


def test_history_and_skipping_an_occurrence(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    daily = {"rule": "FREQ=DAILY", "from": "due"}
    make_tasks(
        page,
        live_server,
        {"title": "Stretch", "due_date": days(0, zone), "due_time": "08:00", "recurrence": daily},
        {"title": "Once more", "due_date": days(0, zone), "recurrence": {"rule": "FREQ=DAILY;COUNT=1"}},
    )
    tasks = TasksPage(page).expect_loaded()
    details = tasks.open_details("Stretch")
    expect(details.repeat).to_have_value("daily")
    expect(details.history).to_contain_text("Not done yet")

    tasks.toggle("Stretch")  # done while its details are open: they follow
    expect(details.due_date).to_have_value(days(1, zone))
    expect(details.history.get_by_role("listitem")).to_have_text(["Done just now — was due today at 08:00"])
    details.skip.click()
    expect(tasks.toast).to_contain_text(f"Skipped. Next: {day_text(days(2, zone), zone)} at 08:00")
    expect(details.due_date).to_have_value(days(2, zone))
    expect(details.skip).to_be_focused()
    expect(details.history.get_by_role("listitem")).to_have_count(1)  # a skip is not a completion
    details.description.fill("Ten minutes")
    details.save()  # on the task as it is now: nothing taken for a change made elsewhere
    item = tasks.item("Stretch")
    expect(item).to_contain_text(f"Due {day_text(days(2, zone), zone)} at 08:00")
    expect(item).to_contain_text("Ten minutes")
    expect(tasks.note_on("Stretch")).to_have_count(0)
    tasks.expect_saved()
    (stretch,) = [t for t in on_server(page, live_server) if t["title"] == "Stretch"]
    assert (stretch["due_date"], stretch["description"]) == (days(2, zone), "Ten minutes")
    with api_as(page, live_server) as api:
        completions = api.get(f"/tasks/{stretch['id']}/completions").json()
    assert [c["due_date"] for c in completions] == [days(0, zone)]

    details = tasks.open_details("Once more")  # a series with no further date
    details.skip.click()
    expect(details.history).to_contain_text("This series has no further occurrence")
    details.cancel()
    tasks.toggle("Once more")
    expect(tasks.toggle_box("Once more")).to_be_checked()  # the last one: done for good
    expect(tasks.toast).to_contain_text("“Once more” done. That was the last one")
    tasks.expect_counter("1 item left")


def test_repeat_by_keyboard_alone(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(page, live_server, {"title": "Read", "due_date": days(1, zone)})
    tasks = TasksPage(page).expect_loaded()
    tasks.details_button("Read").focus()
    page.keyboard.press("Enter")
    details = tasks.open_details_form("Read")
    details.tags.focus()
    page.keyboard.press("Tab")
    expect(details.repeat).to_be_focused()
    page.keyboard.type("d")  # the first choice starting with D: Daily
    expect(details.repeat).to_have_value("daily")
    page.keyboard.press("Tab")
    expect(details.repeat_from).to_be_focused()
    page.keyboard.type("c")
    expect(details.repeat_from).to_have_value("completion")
    save = details.form.get_by_role("button", name="Save")
    for _ in range(16):  # past the reminder picker (a date and time field takes a Tab per part)
        page.keyboard.press("Tab")
        if save.evaluate("el => el === document.activeElement"):
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")
    expect(details.form).to_be_hidden()
    expect(tasks.details_button("Read")).to_be_focused()
    expect(
        tasks.item("Read").get_by_role("img", name="Repeats daily, counted from completion")
    ).to_be_visible()
