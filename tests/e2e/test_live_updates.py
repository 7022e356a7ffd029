"""Two tabs of one person: what changes in one shows in the other within a second or two, without a
reload, each item updated in place by id, in whatever view, search or sort the other tab shows."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, api_as, signed_up

SOON = 2000  # ms: "within a second or two"


def two_tabs(new_context) -> tuple[TasksPage, TasksPage]:
    context = new_context()  # one browser: the tabs share the session
    first, email = signed_up(context.new_page())
    other = context.new_page()
    other.goto("/")
    return first, TasksPage(other).expect_loaded(email)


def test_changes_in_one_tab_show_in_the_other(new_context):
    a, b = two_tabs(new_context)
    a.add("Water the plants")
    expect(b.toggle_box("Water the plants")).to_be_visible(timeout=SOON)
    b.expect_counter("1 item left")
    watch = b.watch_items()

    a.toggle("Water the plants")
    expect(b.toggle_box("Water the plants")).to_be_checked(timeout=SOON)
    expect(b.counter).to_have_text("0 items left", timeout=SOON)
    a.rename("Water the plants", "Water the ferns")
    expect(b.toggle_box("Water the ferns")).to_be_visible(timeout=SOON)
    a.describe("Water the ferns", "Twice a week")
    expect(b.item("Water the ferns")).to_contain_text("Twice a week", timeout=SOON)
    assert watch.lost() == []  # one item all along, updated in place
    assert watch.added() == []

    b.delete("Water the ferns")
    expect(a.list.get_by_role("listitem")).to_have_count(0, timeout=SOON)
    expect(a.page.get_by_role("button", name="Clear completed")).to_be_hidden()
    b.undo.click()  # restored: back in the other tab too
    expect(a.toggle_box("Water the ferns")).to_be_checked(timeout=SOON)
    expect(a.page.get_by_role("button", name="Clear completed")).to_be_visible()

    b.delete("Water the ferns")
    expect(a.list.get_by_role("listitem")).to_have_count(0, timeout=SOON)
    trash = a.open_trash()
    trash.restore("Water the ferns")
    expect(b.toggle_box("Water the ferns")).to_be_visible(timeout=SOON)


def test_a_new_task_shows_where_the_other_tab_would_list_it(new_context, live_server):
    a, b = two_tabs(new_context)
    a.add("Buy milk", "Call mum")
    b.show("Active")
    expect(b.views.get_by_role("link", name="Active")).to_have_attribute("aria-current", "page")
    b.sort_by("Title, A to Z")
    b.expect_order("Buy milk", "Call mum")

    a.add("Book flights")  # sorted between them, by the server's rules
    expect(b.list.get_by_title(re.compile("edit"))).to_have_text(
        ["Book flights", "Buy milk", "Call mum"], timeout=SOON
    )
    b.expect_counter("3 items left")
    a.toggle("Buy milk")  # done: no longer active
    b.expect_order("Book flights", "Call mum")
    b.expect_counter("2 items left")
    with api_as(a.page, live_server) as api:  # another device entirely
        assert api.post("/tasks", json={"title": "Answer email"}).status_code == 201
    expect(b.toggle_box("Answer email")).to_be_visible(timeout=SOON)
    b.expect_order("Answer email", "Book flights", "Call mum")
    expect(a.toggle_box("Answer email")).to_be_visible(timeout=SOON)  # newest first, on top
    a.expect_order("Answer email", "Book flights", "Call mum", "Buy milk")


def test_an_open_editor_keeps_the_draft_when_the_task_changes_elsewhere(new_context):
    a, b = two_tabs(new_context)
    a.add("Plan the trip")
    expect(b.toggle_box("Plan the trip")).to_be_visible(timeout=SOON)
    details = b.open_details("Plan the trip")
    details.description.fill("Train, not plane")
    a.toggle("Plan the trip")
    expect(b.toggle_box("Plan the trip")).to_be_checked(timeout=SOON)
    expect(b.note_on("Plan the trip")).to_contain_text("just been changed elsewhere")
    expect(details.description).to_have_value("Train, not plane")
    expect(details.description).to_be_focused()
    details.save()  # another field than the one changed elsewhere: both stay
    expect(a.item("Plan the trip")).to_contain_text("Train, not plane", timeout=SOON)
    expect(a.toggle_box("Plan the trip")).to_be_checked()
    expect(b.note_on("Plan the trip")).to_have_count(0)


def test_a_tab_that_cannot_connect_keeps_trying_and_catches_up(page, live_server):
    page.route(re.compile(r"/events\?"), lambda route: route.abort())  # no stream gets through
    tasks, _ = signed_up(page)
    tasks.add("Before")
    with page.expect_request(re.compile(r"/events\?"), timeout=20_000):  # it tries again, later
        pass
    with api_as(page, live_server) as api:
        assert api.post("/tasks", json={"title": "While away"}).status_code == 201
        (before,) = [t for t in api.get("/tasks").json() if t["title"] == "Before"]
        assert api.patch(f"/tasks/{before['id']}", json={"completed": True}).status_code == 200
    page.unroute(re.compile(r"/events\?"))
    page.context.set_offline(True)
    page.context.set_offline(False)  # back online: it tries at once, without waiting out the backoff
    expect(tasks.toggle_box("While away")).to_be_visible(timeout=5000)  # what it missed
    expect(tasks.toggle_box("Before")).to_be_checked()
    tasks.expect_counter("1 item left")
    with api_as(page, live_server) as api:  # and from then on, live
        assert api.post("/tasks", json={"title": "Live again"}).status_code == 201
    expect(tasks.toggle_box("Live again")).to_be_visible(timeout=SOON)


def test_signing_out_closes_the_stream(page):
    with page.expect_response(lambda r: "/events?" in r.url):  # the stream is open
        tasks, _ = signed_up(page)
    ended = []
    for event in ("requestfinished", "requestfailed"):  # (which one depends on the moment)
        page.on(event, lambda r: ended.append(r.url) if "/events?" in r.url else None)
    tasks.sign_out()
    for _ in range(1000):
        if ended:
            break
        page.evaluate("0")  # each call into Playwright delivers the browser's pending events
    assert ended, "the page closed its stream"


def test_a_task_deleted_elsewhere_while_edited_can_be_restored(new_context):
    a, b = two_tabs(new_context)
    a.add("Write the report")
    expect(b.toggle_box("Write the report")).to_be_visible(timeout=SOON)
    editor = b.start_editing("Write the report")
    editor.fill("Write the final report")
    a.delete("Write the report")
    expect(b.toast).to_contain_text(
        "“Write the report”, which you were editing, was deleted elsewhere.", timeout=SOON
    )
    b.expect_titles()
    b.toast.get_by_role("button", name="Restore").click()
    expect(b.toggle_box("Write the report")).to_be_focused()
    expect(a.toggle_box("Write the report")).to_be_visible(timeout=SOON)
