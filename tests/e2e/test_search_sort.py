"""Finding tasks: a search box ("/" goes there) and every order the API can sort by, all kept in the
URL so a reload shows the same list."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, api_as, days, make_tasks, signed_up, signed_up_at_midday


def test_search_words_in_titles_and_descriptions(page, live_server):
    tasks, _ = signed_up(page)
    make_tasks(
        page,
        live_server,
        {"title": "Buy oat milk"},
        {"title": "Call mum", "description": "About the MILK delivery"},
        {"title": "Walk the dog"},
    )
    tasks = TasksPage(page).expect_loaded()
    tasks.expect_titles("Walk the dog", "Call mum", "Buy oat milk")

    tasks.new_task.press("/")  # typing in a field: a slash is a slash
    expect(tasks.new_task).to_have_value("/")
    expect(tasks.search).not_to_be_focused()
    tasks.new_task.fill("")
    tasks.toggle_box("Walk the dog").focus()
    page.keyboard.press("/")  # anywhere else: the search box
    expect(tasks.search).to_be_focused()
    expect(tasks.search).to_have_value("")

    page.keyboard.type("milk")  # searched after a pause, no Enter needed
    tasks.expect_titles("Call mum", "Buy oat milk")
    expect(page).to_have_url(re.compile(r"#/\?q=milk$"))
    page.keyboard.type(" oat")
    expect(page).to_have_url(re.compile(r"#/\?q=milk\+oat$"))
    tasks.expect_titles("Buy oat milk")  # every word must occur

    tasks = tasks.reload()
    expect(tasks.search).to_have_value("milk oat")
    tasks.expect_titles("Buy oat milk")

    tasks.search.fill("nothing like this")
    tasks.search.press("Enter")
    tasks.expect_titles()
    expect(tasks.empty).to_have_text("No tasks match.")
    tasks.search.fill("")
    tasks.search.press("Enter")
    tasks.expect_titles("Walk the dog", "Call mum", "Buy oat milk")
    expect(page).to_have_url(re.compile(r"#/$"))


SORTS = {
    "Newest first": ("date", "cherry", "Apple", "banana"),
    "Oldest first": ("banana", "Apple", "cherry", "date"),
    "Due date, soonest first": ("cherry", "date", "banana", "Apple"),
    "Due date, latest first": ("banana", "date", "cherry", "Apple"),
    "Priority, most urgent first": ("Apple", "date", "banana", "cherry"),
    "Priority, least urgent first": ("cherry", "banana", "date", "Apple"),
    "Title, A to Z": ("Apple", "banana", "cherry", "date"),
    "Title, Z to A": ("date", "cherry", "banana", "Apple"),
    "Recently updated first": ("banana", "date", "cherry", "Apple"),
    "Least recently updated first": ("Apple", "cherry", "date", "banana"),
}


def test_every_sort_by_name_and_across_reload(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(
        page,
        live_server,
        {"title": "banana", "due_date": days(2, zone), "priority": "low"},
        {"title": "Apple", "priority": "urgent"},
        {"title": "cherry", "due_date": days(1, zone), "due_time": "09:00"},
        {"title": "date", "due_date": days(1, zone), "priority": "high"},  # no time: the end of that day
    )
    with api_as(page, live_server) as api:
        banana = next(t for t in api.get("/tasks").json() if t["title"] == "banana")
        assert api.patch(f"/tasks/{banana['id']}", json={"description": "ripe"}).status_code == 200
    page.reload()
    tasks = TasksPage(page).expect_loaded()
    expect(tasks.sort).to_have_value("-created")
    tasks.expect_order(*SORTS["Newest first"])

    for label, order in SORTS.items():
        tasks.sort_by(label)
        tasks.expect_order(*order)

    tasks.sort_by("Title, Z to A")
    expect(page).to_have_url(re.compile(r"#/\?sort=-title$"))
    tasks = tasks.reload()
    expect(tasks.sort).to_have_value("-title")
    tasks.expect_order(*SORTS["Title, Z to A"])
    page.go_back()  # one step back: the sort chosen before
    expect(tasks.sort).to_have_value("updated")
    tasks.expect_order(*SORTS["Least recently updated first"])
