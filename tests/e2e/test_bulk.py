"""Bulk actions: "Mark all as complete" and "Clear completed" are one request each, however many
tasks there are (loaded on the page or not), and the counters stay right."""

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, api_as, make_tasks, signed_up


def test_bulk_actions_are_one_request_each(page, live_server):
    tasks, _ = signed_up(page)
    make_tasks(page, live_server, *({"title": f"Task {i:02d}"} for i in range(60)))  # more than a page
    tasks = TasksPage(page).expect_loaded()
    tasks.expect_counter("60 items left")
    changes = []
    page.on(
        "request", lambda r: changes.append((r.method, r.url, r.post_data)) if r.method != "GET" else None
    )

    page.get_by_label("Mark all as complete").check()
    tasks.expect_counter("0 items left")
    tasks.expect_saved()
    assert [(m, url.removeprefix(live_server), body) for m, url, body in changes] == [
        ("PATCH", "/tasks?completed=false", '{"completed":true}')
    ]
    with api_as(page, live_server) as api:
        assert api.get("/tasks", params={"completed": "false", "limit": 1}).headers["X-Total-Count"] == "0"
    tasks = tasks.reload()
    tasks.expect_counter("0 items left")
    expect(page.get_by_label("Mark all as complete")).to_be_checked()

    changes.clear()
    page.get_by_role("button", name="Clear completed").click()
    tasks.expect_titles()
    tasks.expect_saved()
    assert [(m, url.removeprefix(live_server)) for m, url, _ in changes] == [
        ("DELETE", "/tasks?completed=true")
    ]
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    with api_as(page, live_server) as api:
        assert api.get("/tasks", params={"limit": 1}).headers["X-Total-Count"] == "0"


def test_counters_after_bulk_changes_in_a_filtered_view(page, live_server):
    tasks, _ = signed_up(page)
    make_tasks(page, live_server, {"title": "Old", "completed": True}, {"title": "One"}, {"title": "Two"})
    tasks = TasksPage(page).expect_loaded()
    tasks.show("Active")
    tasks.expect_titles("Two", "One")
    page.get_by_label("Mark all as complete").check()
    tasks.expect_titles()  # all done: none active
    tasks.expect_counter("0 items left")
    tasks.show("Completed")
    tasks.expect_titles("Two", "One", "Old")
    page.get_by_label("Mark all as complete").uncheck()
    tasks.expect_titles()
    tasks.expect_counter("3 items left")
    tasks.show("All")
    tasks.toggle("Old")
    page.get_by_role("button", name="Clear completed").click()
    tasks.expect_titles("Two", "One")
    tasks.expect_counter("2 items left")
    tasks.reload().expect_counter("2 items left")
