"""Deleting can be undone for a few seconds: the toast's Undo (or Ctrl+Z) takes the tasks back out of
the trash, with the same ids, into the places they had in the list, and the counters follow."""

from playwright.sync_api import expect

from tests.e2e.pages import EDIT_HINT, TasksPage, make_tasks, on_server, signed_up


def titles_shown(tasks: TasksPage) -> list[str]:
    return tasks.list.get_by_title(EDIT_HINT).all_text_contents()


def test_undo_puts_a_deleted_task_back_in_its_place(page, live_server):
    tasks, _ = signed_up(page)
    tasks.add("One", "Two", "Three")
    tasks.toggle("Two")
    (two,) = [t for t in on_server(page, live_server) if t["title"] == "Two"]
    watch = tasks.watch_items()

    tasks.delete("Two")
    tasks.expect_order("Three", "One")
    tasks.expect_counter("2 items left")
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    expect(tasks.toast).to_contain_text("Task deleted")
    tasks.expect_saved()
    assert [t["id"] for t in on_server(page, live_server, "/trash")] == [two["id"]]

    tasks.undo.click()
    tasks.expect_order("Three", "Two", "One")  # where it was
    expect(tasks.toggle_box("Two")).to_be_checked()
    expect(tasks.toggle_box("Two")).to_be_focused()
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()
    tasks.expect_counter("2 items left")
    expect(tasks.toast).to_contain_text("Task restored")
    expect(tasks.undo).to_be_hidden()
    tasks.expect_saved()
    assert watch.lost() == ["Two"]  # the other items stayed as they were
    (back,) = [t for t in on_server(page, live_server) if t["title"] == "Two"]
    assert back["id"] == two["id"]
    assert back["completed"] is True
    assert on_server(page, live_server, "/trash") == []
    tasks.reload().expect_order("Three", "Two", "One")


def test_the_toast_goes_by_itself_and_a_refused_delete_takes_it_away(page):
    tasks, _ = signed_up(page)
    tasks.add("Stays")
    tasks.delete("Stays")
    expect(tasks.toast).to_contain_text("Task deleted")
    expect(tasks.undo).to_be_hidden(timeout=9000)  # after about six seconds
    expect(tasks.toast).not_to_contain_text("Task deleted")
    tasks.expect_titles()

    tasks.add("Refused")
    page.route("**/tasks/*", lambda route: route.fulfill(status=500, body="oops"))
    tasks.delete("Refused")
    expect(tasks.alert).to_contain_text("Could not delete the task")
    expect(tasks.toggle_box("Refused")).to_be_visible()
    expect(tasks.undo).to_be_hidden()  # nothing to undo


def test_clear_completed_can_be_undone_even_for_tasks_not_loaded(page, live_server):
    tasks, _ = signed_up(page)
    make_tasks(
        page,
        live_server,
        *({"title": f"Task {i:02d}", "completed": i % 10 != 0} for i in range(60)),  # 54 done, 6 open
        {"title": "Done elsewhere earlier", "completed": True},
    )
    tasks = TasksPage(page).expect_loaded()
    tasks.expect_counter("6 items left")
    with_completed = titles_shown(tasks)
    assert len(with_completed) == 50

    page.get_by_role("button", name="Clear completed").click()
    tasks.expect_order("Task 50", "Task 40", "Task 30", "Task 20", "Task 10", "Task 00")
    expect(tasks.toast).to_contain_text("55 tasks cleared")
    tasks.undo.click()
    expect(tasks.toast).to_contain_text("55 tasks restored")
    tasks.expect_saved()
    tasks.expect_order(*with_completed)  # each in its place
    tasks.expect_counter("6 items left")
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()
    assert len(on_server(page, live_server)) == 61
    assert on_server(page, live_server, "/trash") == []


def test_undo_by_keyboard_alone(page):
    tasks, _ = signed_up(page)
    tasks.add("Keep", "Drop")
    tasks.expect_order("Drop", "Keep")

    def delete_drop_by_keyboard():
        tasks.toggle_box("Drop").focus()
        for _ in range(3):  # the title, the details button, the delete button
            page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Delete Drop", exact=True)).to_be_focused()
        page.keyboard.press("Enter")
        tasks.expect_order("Keep")
        expect(tasks.toggle_box("Keep")).to_be_focused()
        expect(tasks.undo).to_be_visible()

    delete_drop_by_keyboard()  # Undo is the next stop after the list
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(tasks.undo).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    tasks.expect_order("Drop", "Keep")
    expect(tasks.toggle_box("Drop")).to_be_focused()

    delete_drop_by_keyboard()  # or Ctrl+Z, from wherever the person is
    page.keyboard.press("Control+z")
    tasks.expect_order("Drop", "Keep")
    expect(tasks.toggle_box("Drop")).to_be_focused()

    delete_drop_by_keyboard()  # Escape closes the toast: the task stays in the trash
    page.keyboard.press("Escape")
    expect(tasks.undo).to_be_hidden()
    page.keyboard.press("Control+z")
    tasks.expect_order("Keep")
    tasks.expect_saved()
    tasks.open_trash().expect_titles("Drop")
