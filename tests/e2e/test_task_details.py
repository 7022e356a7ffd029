"""Each task's details (description, due date and time, priority, tags) are edited inline, in one
labelled form, and shown on the task."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import api_as, days, signed_up, signed_up_at_midday


def test_editing_due_date_time_priority_and_tags(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    tasks.add("Pay rent")
    details = tasks.open_details("Pay rent")
    expect(tasks.details_button("Pay rent")).to_have_attribute("aria-expanded", "true")
    expect(details.description).to_be_focused()
    details.due_date.fill(days(1, zone))
    details.due_time.fill("18:00")
    details.priority.select_option(label="Urgent")
    details.tags.fill("home, Money ,home")
    details.save()

    item = tasks.item("Pay rent")
    expect(item).to_contain_text("Due tomorrow at 18:00")
    expect(item).to_contain_text("Urgent priority")
    expect(tasks.tag_on("Pay rent", "home")).to_be_visible()
    expect(tasks.tag_on("Pay rent", "Money")).to_be_visible()
    expect(tasks.details_button("Pay rent")).to_be_focused()  # back where the person started
    tasks.expect_saved()
    with api_as(page, live_server) as api:
        (task,) = api.get("/tasks").json()
    assert (task["due_date"], task["due_time"], task["priority"]) == (days(1, zone), "18:00", "urgent")
    assert sorted(task["tags"], key=str.lower) == ["home", "Money"]

    tasks = tasks.reload()
    expect(tasks.item("Pay rent")).to_contain_text("Due tomorrow at 18:00")
    details = tasks.open_details("Pay rent")  # the form starts from what the task has
    expect(details.due_date).to_have_value(days(1, zone))
    expect(details.due_time).to_have_value("18:00")
    expect(details.priority).to_have_value("urgent")
    expect(details.tags).to_have_value(re.compile(r"^(home, Money|Money, home)$"))
    details.due_date.fill("")  # no date: no time either
    details.due_time.fill("")
    details.priority.select_option(label="None")
    details.tags.fill("")
    details.save()
    expect(tasks.item("Pay rent")).not_to_contain_text("Due")
    expect(tasks.item("Pay rent")).not_to_contain_text("priority")
    expect(tasks.item("Pay rent").get_by_role("button", name=re.compile("^#"))).to_have_count(0)


def test_escape_and_cancel_leave_the_task_as_it_was(page):
    tasks, _ = signed_up(page)
    tasks.add("Water plants")
    changes = []
    page.on("request", lambda r: changes.append(r.url) if r.method == "PATCH" else None)

    details = tasks.open_details("Water plants")
    details.priority.select_option(label="High")
    details.tags.fill("garden")
    details.tags.press("Escape")
    expect(details.form).to_be_hidden()
    expect(tasks.details_button("Water plants")).to_be_focused()

    details = tasks.open_details("Water plants")
    expect(details.priority).to_have_value("none")  # the draft went with Escape
    details.description.fill("Twice a week")
    details.cancel()
    expect(tasks.item("Water plants")).not_to_contain_text("Twice a week")
    expect(tasks.item("Water plants")).not_to_contain_text("priority")

    details = tasks.open_details("Water plants")
    details.save()  # nothing changed: nothing sent
    tasks.expect_saved()
    assert changes == []


def test_a_time_needs_a_date(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    tasks.add("Call the bank")
    details = tasks.open_details("Call the bank")
    details.due_time.fill("09:00")
    details.form.get_by_role("button", name="Save").click()
    expect(details.form).to_be_visible()
    expect(details.due_date).to_be_focused()
    expect(details.due_date).to_have_attribute("aria-invalid", "true")
    expect(details.form).to_contain_text("A time needs a due date")
    details.due_date.fill(days(0, zone))
    details.save()
    expect(tasks.item("Call the bank")).to_contain_text("Due today at 09:00")
    expect(tasks.item("Call the bank")).to_contain_text("Overdue")  # it is past noon there
