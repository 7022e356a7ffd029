"""Reminders are chosen in a task's details: up to five, some time before its due date and time, or at
a date and time of the person's zone. Those before the due time need one. The list shows a bell."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import TasksPage, days, make_tasks, on_server, signed_up_at_midday

PHONE = {"width": 375, "height": 740}


def instant(day: str, time: str, zone: str) -> str:
    """A wall-clock time in `zone`, as the API writes the instant."""
    local = datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_adding_and_removing_reminders(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(page, live_server, {"title": "Dentist", "due_date": days(1, zone), "due_time": "18:00"})
    tasks = TasksPage(page).expect_loaded()
    details = tasks.open_details("Dentist")
    expect(details.form).to_contain_text("No reminders.")
    details.add_reminder("1 hour before")
    details.add_reminder("1 day before")
    details.add_reminder("Minutes before…", minutes=90)
    details.add_reminder("At a date & time…", at=f"{days(1, zone)}T07:30")
    details.expect_reminders("1 hour before", "1 day before", "90 minutes before", "Tomorrow at 07:30")
    details.add_reminder("1 hour before")
    expect(details.form).to_contain_text("That reminder is already set.")
    details.save()

    bell = tasks.item("Dentist").get_by_role("img", name=re.compile(r"^\d+ reminders:"))
    expect(bell).to_have_accessible_name(
        "4 reminders: 1 hour before; 1 day before; 90 minutes before; Tomorrow at 07:30"
    )
    tasks.expect_saved()
    at = {"at": instant(days(1, zone), "07:30", zone)}  # the person's wall clock, sent as an instant
    (task,) = on_server(page, live_server)
    assert task["reminders"] == [{"before_minutes": 60}, {"before_minutes": 1440}, {"before_minutes": 90}, at]

    tasks = tasks.reload()
    details = tasks.open_details("Dentist")
    details.expect_reminders("1 hour before", "1 day before", "90 minutes before", "Tomorrow at 07:30")
    details.remove_reminder("1 day before")
    expect(details.form.get_by_role("button", name="Remove the reminder “90 minutes before”")).to_be_focused()
    details.add_reminder("At due time")
    details.add_reminder("5 minutes before")  # five: the most a task can have
    expect(details.form).to_contain_text("A task can have at most 5 reminders")
    expect(details.reminder_kind).to_be_disabled()
    add = details.form.get_by_role("button", name="Add reminder")
    expect(add).to_be_disabled()
    expect(add).to_be_focused()  # (still where the person is)
    details.save()
    tasks.expect_saved()
    tasks = tasks.reload()
    expect(tasks.item("Dentist").get_by_role("img", name=re.compile(r"^5 reminders:"))).to_be_visible()
    minutes = [r.get("before_minutes") for r in on_server(page, live_server)[0]["reminders"]]
    assert minutes == [60, 90, None, 0, 5]


def test_reminders_before_the_due_time_need_one(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(page, live_server, {"title": "Gym", "due_date": days(2, zone)})
    tasks = TasksPage(page).expect_loaded()
    details = tasks.open_details("Gym")
    for choice in ("At due time", "15 minutes before", "1 day before", "Minutes before…"):
        expect(details.reminder_kind.get_by_role("option", name=choice)).to_be_disabled()
    expect(details.reminder_kind).to_have_value("at")
    expect(details.form).to_contain_text("Reminders before the due time need a due time.")
    expect(details.remind_at).to_have_value(f"{days(2, zone)}T09:00")
    details.add_reminder("At a date & time…", at=f"{days(-1, zone)}T09:00")
    expect(details.form).to_contain_text("That time has already passed")
    expect(details.remind_at).to_be_focused()

    details.due_time.fill("07:00")
    expect(details.reminder_kind.get_by_role("option", name="15 minutes before")).to_be_enabled()
    details.add_reminder("15 minutes before")
    details.due_time.fill("")
    details.expect_reminders("15 minutes before (needs a due time)")
    details.form.get_by_role("button", name="Save").click()
    expect(details.form).to_contain_text("Reminders before the due time need a due time: set one")
    expect(details.due_time).to_be_focused()
    expect(details.due_time).to_have_attribute("aria-invalid", "true")
    details.due_time.fill("07:30")
    details.expect_reminders("15 minutes before")
    details.save()
    expect(tasks.item("Gym").get_by_role("img", name="Reminder: 15 minutes before")).to_be_visible()
    tasks.expect_saved()
    (task,) = on_server(page, live_server)
    assert (task["due_time"], task["reminders"]) == ("07:30", [{"before_minutes": 15}])


def fits(page: Page, *controls: Locator) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    for control in controls:
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0, (control, box)
        assert box["x"] + box["width"] <= PHONE["width"], (control, box)


def test_the_pickers_fit_a_phone(new_context, live_server):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    tasks, zone = signed_up_at_midday(page, live_server)
    title = "Renew the passport before the summer holidays start, with photos"
    make_tasks(
        page,
        live_server,
        {
            "title": title,
            "due_date": days(0, zone),
            "due_time": "08:15",
            "recurrence": {"rule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;COUNT=10", "from": "completion"},
            "reminders": [{"before_minutes": 10080}, {"at": instant(days(1, zone), "23:45", zone)}],
        },
    )
    tasks = TasksPage(page).expect_loaded()
    item = tasks.item(title)
    fits(
        page,
        item.get_by_role("img", name=re.compile("^Repeats")),
        item.get_by_role("img", name=re.compile("reminders")),
    )

    details = tasks.open_details(title)
    expect(details.repeat).to_have_value("custom")
    details.reminder_kind.select_option(label="At a date & time…")
    fits(page, details.repeat, details.repeat_from, details.rule, details.reminder_kind, details.remind_at)
    fits(
        page,
        *(details.reminders.get_by_role("button").all()),
        details.form.get_by_role("button", name="Add reminder"),
    )
    details.reminder_kind.select_option(label="Minutes before…")
    fits(page, details.minutes_before, details.skip, details.history)
    details.rule.fill("FREQ=SECONDLY;INTERVAL=1;BYSETPOS=1;WKST=MO;UNTIL=20301231T235959Z")
    details.form.get_by_role("button", name="Save").click()
    expect(details.rule).to_have_attribute("aria-invalid", "true")
    fits(
        page,
        details.form.get_by_text(re.compile("SECONDLY")),
        details.form.get_by_role("button", name="Cancel"),
    )
