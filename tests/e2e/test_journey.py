"""A person's whole day with the app, in a real browser."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import PASSWORD, AuthPage, TasksPage, signed_up


def test_full_journey(page):
    tasks, email = signed_up(page)  # signing up signs you in
    tasks.add("Buy milk", "  Write report  ", "Call mum")
    tasks.new_task.press("Enter")  # empty: ignored
    tasks.new_task.fill("   ")
    tasks.new_task.press("Enter")
    tasks.expect_titles("Call mum", "Write report", "Buy milk")
    expect(tasks.list.get_by_role("checkbox").first).to_have_accessible_name("Toggle Call mum")
    tasks.expect_counter("3 items left")

    tasks.rename("Write report", "Write the report")
    tasks.toggle("Buy milk")
    tasks.expect_counter("2 items left")
    expect(tasks.toggle_box("Buy milk")).to_be_checked()

    tasks.show("Active")
    expect(page).to_have_url(re.compile(r"#/active$"))
    tasks.expect_titles("Call mum", "Write the report")
    tasks.show("Completed")
    tasks.expect_titles("Buy milk")
    tasks.show("All")
    tasks.expect_titles("Call mum", "Write the report", "Buy milk")

    page.get_by_role("button", name="Clear completed").click()
    tasks.expect_titles("Call mum", "Write the report")
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()

    tasks.delete("Call mum")
    tasks.expect_titles("Write the report")
    tasks.expect_counter("1 item left")

    tasks.sign_out()
    auth = AuthPage(page)
    auth.sign_in(email, PASSWORD)
    tasks = TasksPage(page).expect_loaded(email)
    tasks.expect_titles("Write the report")
    tasks.expect_counter("1 item left")


def test_editing_in_place(page):
    tasks, _ = signed_up(page)
    tasks.add("Keep", "Cancel me", "Blur me", "Empty me")
    editor = tasks.start_editing("Cancel me")
    editor.fill("Should not stick")
    editor.press("Escape")
    expect(tasks.toggle_box("Cancel me")).to_be_visible()

    editor = tasks.start_editing("Blur me")
    editor.fill("Saved on blur")
    tasks.new_task.click()  # focus elsewhere
    expect(tasks.toggle_box("Saved on blur")).to_be_visible()
    expect(tasks.new_task).to_be_focused()  # and it stays where the person put it

    editor = tasks.start_editing("Empty me")
    editor.fill("   ")
    editor.press("Enter")  # emptying the title deletes the task
    tasks.expect_titles("Saved on blur", "Cancel me", "Keep")

    tasks.reload().expect_titles("Saved on blur", "Cancel me", "Keep")


def test_descriptions(page):
    tasks, _ = signed_up(page)
    tasks.add("Plan trip")
    tasks.describe("Plan trip", "Book trains\nFind a hotel")
    expect(tasks.item("Plan trip")).to_contain_text("Find a hotel")
    expect(tasks.reload().item("Plan trip")).to_contain_text("Book trains")


def test_mark_all_complete_and_the_counter(page):
    tasks, _ = signed_up(page)
    tasks.add("One", "Two", "Three")
    tasks.expect_counter("3 items left")
    page.get_by_label("Mark all as complete").check()
    tasks.expect_counter("0 items left")
    for title in ("One", "Two", "Three"):
        expect(tasks.toggle_box(title)).to_be_checked()
    page.get_by_label("Mark all as complete").uncheck()
    tasks.expect_counter("3 items left")
    tasks.toggle("Two")
    tasks.toggle("Three")
    tasks.expect_counter("1 item left")
    tasks.reload().expect_counter("1 item left")


def test_reload_keeps_the_session_and_the_filter(page):
    tasks, email = signed_up(page)
    tasks.add("Active one", "Done one")
    tasks.toggle("Done one")
    tasks.show("Completed")
    tasks = tasks.reload().expect_loaded(email)
    expect(page).to_have_url(re.compile(r"#/completed$"))
    tasks.expect_titles("Done one")
    expect(page.get_by_role("link", name="Completed")).to_have_attribute("aria-current", "page")


def test_long_lists_are_paged(page, live_server):
    import httpx2

    tasks, email = signed_up(page)
    token = page.evaluate("localStorage.getItem('todo.token')")
    with httpx2.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}) as api:
        for i in range(55):
            assert api.post("/tasks", json={"title": f"Task {i:02d}"}).status_code == 201
    page.reload()
    tasks = TasksPage(page).expect_loaded(email)
    expect(tasks.list.get_by_role("listitem")).to_have_count(50)
    tasks.expect_counter("55 items left")
    page.get_by_role("button", name="Load more").click()
    expect(tasks.list.get_by_role("listitem")).to_have_count(55)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    expect(tasks.toggle_box("Task 00")).to_be_visible()
