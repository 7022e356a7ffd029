"""Quick add: the server reads the text while it is typed, the tokens it found show as chips, and
the task it makes carries them; a token it refuses is explained right at the field."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import api_as, days, signed_up, signed_up_at_midday


def test_chips_while_typing_and_the_task_they_make(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    parses = []
    page.on("request", lambda r: parses.append(r.url) if r.url.endswith("/tasks/parse") else None)
    text = "Buy milk #shop #Errands !high ^tomorrow@09:30"
    tasks.new_task.press_sequentially(text)
    expect(tasks.chips).to_have_count(4)
    for chip in ("#shop", "#Errands", "High priority", "Due tomorrow at 09:30"):
        expect(tasks.chips.filter(has_text=re.compile(f"^{re.escape(chip)}$"))).to_have_count(1)
    assert 1 <= len(parses) < len(text) / 2, parses  # read after a pause, not on every key

    tasks.new_task.press("Enter")
    expect(tasks.toggle_box("Buy milk")).to_be_enabled()
    expect(tasks.new_task).to_have_value("")
    expect(tasks.chips).to_have_count(0)
    item = tasks.item("Buy milk")
    expect(item).to_contain_text("Due tomorrow at 09:30")
    expect(item).to_contain_text("High priority")
    expect(tasks.tag_on("Buy milk", "shop")).to_be_visible()
    expect(tasks.tag_on("Buy milk", "Errands")).to_be_visible()

    with api_as(page, live_server) as api:
        (task,) = api.get("/tasks").json()
    assert task["title"] == "Buy milk"
    assert task["due_date"] == days(1, zone)  # tomorrow where the person is
    assert task["due_time"] == "09:30"
    assert task["priority"] == "high"
    assert sorted(task["tags"], key=str.lower) == ["Errands", "shop"]


def test_text_without_tokens_stays_as_typed(page):
    tasks, _ = signed_up(page)
    tasks.new_task.fill("Read C# basics!")
    expect(tasks.chips).to_have_count(0)
    tasks.new_task.press("Enter")
    expect(tasks.toggle_box("Read C# basics!")).to_be_enabled()
    expect(tasks.item("Read C# basics!").get_by_role("button", name=re.compile("^#"))).to_have_count(0)


def test_a_refused_token_is_explained_and_nothing_is_added(page):
    tasks, _ = signed_up(page)
    tasks.new_task.press_sequentially("Plan the trip ^2026-02-30")
    expect(tasks.new_task).to_have_accessible_description(re.compile(r"2026-02-30"))
    expect(tasks.new_task).to_have_attribute("aria-invalid", "true")
    tasks.new_task.press("Enter")  # sent anyway: refused by the server, the text comes back
    expect(tasks.new_task).to_have_value("Plan the trip ^2026-02-30")
    expect(tasks.new_task).to_have_accessible_description(re.compile(r"2026-02-30"))
    expect(tasks.list.get_by_role("listitem")).to_have_count(0)
    expect(tasks.alert).to_be_hidden()  # said at the field, not as a page error

    tasks.new_task.fill("Plan the trip !extreme")
    expect(tasks.new_task).to_have_accessible_description(re.compile(r"!extreme"))
    tasks.new_task.fill("Plan the trip !urgent")  # fixed: the message goes, a chip comes
    expect(tasks.chips).to_have_text(["Urgent priority"])
    expect(tasks.new_task).not_to_have_attribute("aria-invalid", "true")
    tasks.new_task.press("Enter")
    expect(tasks.toggle_box("Plan the trip")).to_be_enabled()
    tasks.expect_counter("1 item left")
