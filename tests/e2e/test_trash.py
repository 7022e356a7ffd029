"""The trash: every deleted task, latest first, to restore (same id, back in the list) or delete for
good, one at a time or all at once; a hundred at a time with "Load more"; by keyboard too."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import TasksPage, TrashPage, api_as, make_tasks, on_server, signed_up

PHONE = {"width": 375, "height": 740}


def test_restore_delete_forever_and_empty_the_trash(page, live_server):
    tasks, _ = signed_up(page)
    tasks.add("Alpha", "Bravo", "Charlie", "Delta")
    for title in ("Bravo", "Charlie", "Delta"):
        tasks.delete(title)
        tasks.expect_saved()
    tasks.expect_counter("1 item left")
    (charlie,) = [t for t in on_server(page, live_server, "/trash") if t["title"] == "Charlie"]

    trash = tasks.open_trash()
    expect(page).to_have_url(re.compile(r"#/trash$"))
    expect(page.get_by_role("link", name="Trash", exact=True)).to_have_attribute("aria-current", "page")
    expect(tasks.new_task).to_be_hidden()
    trash.expect_titles("Delta", "Charlie", "Bravo")  # the latest deleted first
    expect(trash.item("Delta")).to_contain_text("Deleted just now")
    expect(trash.count).to_have_text("3 tasks in the trash")

    trash.restore("Charlie")
    expect(tasks.toast).to_contain_text("Restored “Charlie”")
    trash.expect_titles("Delta", "Bravo")
    expect(trash.count).to_have_text("2 tasks in the trash")
    trash.delete_forever("Delta")
    trash.expect_titles("Bravo")
    assert [t["title"] for t in on_server(page, live_server, "/trash")] == ["Bravo"]

    page.go_back()  # Back leaves the trash like any view
    tasks = TasksPage(page)
    tasks.expect_order("Charlie", "Alpha")
    tasks.expect_counter("2 items left")
    (back,) = [t for t in on_server(page, live_server) if t["title"] == "Charlie"]
    assert back["id"] == charlie["id"]

    trash = tasks.open_trash()
    trash.view.get_by_role("button", name="Empty trash").click()
    expect(trash.view).to_contain_text("Delete the task in the trash forever? This cannot be undone.")
    trash.view.get_by_role("button", name="Cancel").click()  # changed their mind
    trash.expect_titles("Bravo")
    trash.empty_trash()
    expect(trash.list.get_by_role("listitem")).to_have_count(0)
    expect(trash.view.get_by_role("button", name="Empty trash")).to_be_hidden()
    assert on_server(page, live_server, "/trash") == []
    tasks = trash.back()
    tasks.expect_order("Charlie", "Alpha")


def test_an_empty_trash_says_so_and_survives_a_reload(page):
    tasks, _ = signed_up(page)
    trash = tasks.open_trash()
    expect(trash.empty).to_be_visible()
    page.reload()
    trash = TrashPage(page)
    expect(trash.empty).to_be_visible()
    expect(trash.heading).to_be_focused()


def test_a_long_trash_loads_a_hundred_at_a_time(page, live_server):
    signed_up(page)
    make_tasks(page, live_server, *({"title": f"Old {i:03d}"} for i in range(105)))
    with api_as(page, live_server) as api:
        assert api.delete("/tasks", params={"all": "true"}).json() == {"deleted": 105}
    trash = TasksPage(page).expect_loaded().open_trash()
    expect(trash.list.get_by_role("listitem")).to_have_count(100)
    expect(trash.count).to_have_text("105 tasks in the trash")
    trash.view.get_by_role("button", name="Load more").click()
    expect(trash.list.get_by_role("listitem")).to_have_count(105)
    expect(trash.view.get_by_role("button", name="Load more")).to_be_hidden()
    expect(trash.restore_button("Old 000")).to_be_visible()


def test_the_trash_by_keyboard(page, live_server):
    signed_up(page)
    make_tasks(page, live_server, {"title": "First"}, {"title": "Second"})
    with api_as(page, live_server) as api:
        api.delete("/tasks", params={"all": "true"})
    page.goto("/#/trash")
    trash = TrashPage(page)
    expect(trash.heading).to_be_focused()
    trash.expect_titles("Second", "First")
    page.keyboard.press("Tab")  # Back to tasks
    page.keyboard.press("Tab")
    expect(trash.restore_button("Second")).to_be_focused()
    page.keyboard.press("Enter")
    expect(trash.restore_button("First")).to_be_focused()  # the next one's, in the same place
    page.keyboard.press("Tab")
    expect(trash.forever_button("First")).to_be_focused()
    page.keyboard.press("Tab")
    expect(trash.view.get_by_role("button", name="Empty trash")).to_be_focused()
    page.keyboard.press("Enter")
    expect(trash.view.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(trash.view.get_by_role("button", name="Empty trash")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    expect(trash.view.get_by_role("button", name="Delete all forever")).to_be_focused()
    page.keyboard.press("Enter")
    expect(trash.empty).to_be_visible()
    expect(trash.heading).to_be_focused()
    tasks = trash.back()
    tasks.expect_order("Second")
    expect(tasks.new_task).to_be_focused()


def test_the_toast_and_the_trash_fit_a_phone(new_context):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    tasks, _ = signed_up(page)
    title = "Renew the passport before the summer holidays start, with photos from the booth"
    tasks.add(title)
    tasks.delete(title)
    fits(page, tasks.undo, tasks.toast.get_by_role("button", name="Dismiss"))
    trash = tasks.open_trash()
    empty = trash.view.get_by_role("button", name="Empty trash")
    fits(page, trash.restore_button(title), trash.forever_button(title), empty, trash.back_link)


def fits(page: Page, *controls: Locator) -> None:
    """On screen, and the page does not scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for control in controls:
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box
