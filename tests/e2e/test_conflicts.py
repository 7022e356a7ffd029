"""Edits and deletes are sent with the version they were made on (If-Match): a change made elsewhere in
the meantime is never overwritten. The page shows the latest version, says so beside the task and in
the toast, and the person can make their change again."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, api_as, on_server, rename_elsewhere, signed_up

SOON = 2000


def test_saving_an_edit_made_before_a_change_elsewhere(new_context, live_server):
    context = new_context()
    a, email = signed_up(context.new_page())
    a.add("Draft the plan")
    b_page = context.new_page()
    b_page.goto("/")
    b = TasksPage(b_page).expect_loaded(email)

    editor = a.start_editing("Draft the plan")  # A starts typing...
    editor.fill("Plan A")
    b.rename("Draft the plan", "Plan B")  # ...while B saves a rename
    b.expect_saved()
    editor = a.page.get_by_role("textbox", name=re.compile(r"^Edit "))
    edited = a.list.get_by_role("listitem").filter(has=editor)
    expect(edited).to_contain_text("This task has just been changed elsewhere.", timeout=SOON)
    expect(a.toggle_box("Plan B")).to_have_count(0)  # the editor stays open on the draft
    expect(editor).to_have_value("Plan A")  # the draft is untouched
    expect(editor).to_be_focused()
    editor.press("Enter")

    expect(a.toggle_box("Plan B")).to_be_visible()
    expect(a.note_on("Plan B")).to_contain_text("changed elsewhere, so your change was not saved")
    expect(a.toast).to_contain_text("“Plan B” was changed elsewhere, so your change was not saved.")
    a.expect_saved()
    assert [t["title"] for t in on_server(a.page, live_server)] == ["Plan B"]
    expect(b.toggle_box("Plan B")).to_be_visible()

    a.rename("Plan B", "Plan A")  # made again, on the latest version
    expect(b.toggle_box("Plan A")).to_be_visible(timeout=SOON)
    expect(a.note_on("Plan A")).to_have_count(0)
    assert [t["title"] for t in on_server(a.page, live_server)] == ["Plan A"]


def test_a_page_that_missed_changes_cannot_overwrite_them(page, live_server):
    page.route(re.compile(r"/events\?"), lambda route: route.abort())  # no live updates here
    tasks, _ = signed_up(page)
    tasks.add("Old title", "Keep me")
    rename_elsewhere(page, live_server, "Old title", "New title")
    expect(tasks.toggle_box("Old title")).to_be_visible()  # this page does not know

    tasks.rename("Old title", "Mine")
    expect(tasks.toggle_box("New title")).to_be_visible()
    expect(tasks.note_on("New title")).to_contain_text("your change was not saved")
    tasks.expect_saved()
    assert {t["title"] for t in on_server(page, live_server)} == {"New title", "Keep me"}

    with api_as(page, live_server) as api:
        (keep,) = [t for t in api.get("/tasks").json() if t["title"] == "Keep me"]
        assert api.patch(f"/tasks/{keep['id']}", json={"description": "Important"}).status_code == 200
    tasks.delete("Keep me")  # made on the version before that description
    expect(tasks.item("Keep me")).to_contain_text("Important")
    expect(tasks.note_on("Keep me")).to_contain_text("so it was not deleted")
    expect(tasks.toast).to_contain_text("“Keep me” was changed elsewhere, so it was not deleted.")
    expect(tasks.undo).to_be_hidden()
    tasks.expect_counter("2 items left")
    assert {t["title"] for t in on_server(page, live_server)} == {"New title", "Keep me"}

    tasks.delete("Keep me")  # on the version it now shows: deleted
    tasks.expect_titles("New title")
    tasks.expect_saved()
    assert [t["title"] for t in on_server(page, live_server, "/trash")] == ["Keep me"]


def test_a_change_elsewhere_to_other_fields_is_kept(page, live_server):
    page.route(re.compile(r"/events\?"), lambda route: route.abort())
    tasks, _ = signed_up(page)
    tasks.add("Report")
    with api_as(page, live_server) as api:
        (report,) = api.get("/tasks").json()
        assert api.patch(f"/tasks/{report['id']}", json={"priority": "high"}).status_code == 200
    tasks.describe("Report", "Q3 numbers")  # a description, on the version before the priority
    expect(tasks.item("Report")).to_contain_text("High priority")  # merged: both kept
    expect(tasks.item("Report")).to_contain_text("Q3 numbers")
    expect(tasks.note_on("Report")).to_have_count(0)
    tasks.expect_saved()
    (saved,) = on_server(page, live_server)
    assert (saved["priority"], saved["description"]) == ("high", "Q3 numbers")
