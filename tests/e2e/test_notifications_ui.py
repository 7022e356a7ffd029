"""What reminders produce: a bell in the top bar with the number unread, the list it opens (opening one
marks it read and shows its task), and desktop notifications once the person allows them.

The live server claims due reminders every second (REMINDER_POLL_SECONDS=1); the page looks for news
every 30 s and whenever the person comes back to it, which the tests do."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.pages import Notifications, api_as, notifications_on_server, remind_soon, signed_up

PHONE = {"width": 375, "height": 740}
# Records each desktop notification the page shows, and each time it asks for permission (the browser's
# question then waits for window.answerPermission(), after the test has granted or not).
RECORD_DESKTOP = """
(() => {
  const Real = window.Notification;
  window.desktopShown = [];
  window.permissionAsked = 0;
  class Recorded extends Real {
    constructor(title, options = {}) {
      window.desktopShown.push({ title, tag: options.tag });
      super(title, options);
    }
    static requestPermission() {
      window.permissionAsked += 1;
      // The browser's question, answered when the test says the person has answered it.
      return new Promise((resolve) => {
        window.answerPermission = () => resolve(Real.requestPermission());
      });
    }
  }
  window.Notification = Recorded;
})();
"""


def desktop_shown(page: Page) -> list[dict]:
    return page.evaluate("window.desktopShown")


def test_a_reminder_becomes_an_unread_notification(new_context, live_server):
    context = new_context()
    context.grant_permissions(["notifications"])
    context.add_init_script(RECORD_DESKTOP)
    page = context.new_page()
    tasks, _ = signed_up(page)
    notes = Notifications(page)
    notes.expect_unread(0)

    (task_id,) = remind_soon(page, live_server, "Call mum")
    expect(tasks.toggle_box("Call mum")).to_be_visible()  # (live events)
    expect(
        tasks.item("Call mum").get_by_role("img", name=re.compile(r"^Reminder: (Today|Tomorrow) at"))
    ).to_be_visible()
    (made,) = notifications_on_server(page, live_server, 1)
    notes.come_back()
    notes.expect_unread(1)
    expect(notes.bell).to_have_text("1")
    assert desktop_shown(page) == [{"title": "Call mum", "tag": f"todo-notification-{made['id']}"}]

    notes.open()
    expect(notes.panel.get_by_role("heading", name="Notifications")).to_be_focused()
    expect(notes.item("Call mum")).to_have_accessible_name(
        re.compile(r"^Unread: Call mum\. Reminder just now$")
    )
    notes.item("Call mum").click()
    expect(notes.panel).to_be_hidden()
    notes.expect_unread(0)
    expect(tasks.toggle_box("Call mum")).to_be_focused()  # its task, where the person can act on it
    with api_as(page, live_server) as api:
        listed = api.get("/notifications")
    assert listed.headers["X-Unread-Count"] == "0"
    assert [(n["task_id"], n["read"]) for n in listed.json()] == [(task_id, True)]

    tasks = tasks.reload()
    notes = Notifications(page)
    notes.open()
    expect(notes.item("Call mum")).to_have_accessible_name(re.compile(r"^Call mum\. Reminder "))
    assert desktop_shown(page) == []  # shown once, not again after a reload


def test_mark_all_read_and_tasks_in_other_views_or_gone(page, live_server):
    tasks, _ = signed_up(page)
    notes = Notifications(page)
    *_, old = remind_soon(page, live_server, "Buy stamps", "Post the letter", "Old plan")
    notifications_on_server(page, live_server, 3)
    with api_as(page, live_server) as api:
        assert api.delete(f"/tasks/{old}").status_code == 204
    tasks.show("Completed")
    tasks.expect_titles()
    notes.come_back()
    notes.expect_unread(3)
    notes.open()
    expect(notes.list.get_by_role("listitem")).to_have_count(3)

    notes.item("Buy stamps").click()  # not in this view: the list shows everything, with it focused
    expect(tasks.toggle_box("Buy stamps")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#/$"))
    notes.expect_unread(2)

    notes.open()
    notes.item("Old plan").click()
    expect(tasks.toast).to_contain_text("“Old plan” is no longer in your list.")
    notes.expect_unread(1)

    notes.open()
    notes.mark_all.click()
    notes.expect_unread(0)
    expect(notes.mark_all).to_be_hidden()
    expect(notes.panel.get_by_role("heading", name="Notifications")).to_be_focused()
    expect(notes.list.locator(".unread")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(notes.panel).to_be_hidden()
    expect(notes.bell).to_be_focused()
    with api_as(page, live_server) as api:
        assert api.get("/notifications").headers["X-Unread-Count"] == "0"


def test_late_and_missed_ones_say_so(page):
    """The server marks a reminder late only a minute after it fell due, and missed after a day: such
    an answer is shaped here, as the API documents it."""
    tasks, _ = signed_up(page)
    notes = Notifications(page)
    now = datetime.now(UTC)

    def shaped(id_: int, title: str, *, ago: timedelta, sent: bool, late: bool, read: bool) -> dict:
        remind_at = (now - ago).strftime("%Y-%m-%dT%H:%M:%SZ")
        sent_at = now.strftime("%Y-%m-%dT%H:%M:%SZ") if sent else None
        task_id = 1 if sent else None
        fields = {"remind_at": remind_at, "sent_at": sent_at, "late": late, "read": read}
        return {"id": id_, "task_id": task_id, "title": title, **fields}

    answer = [
        shaped(3, "On time", ago=timedelta(0), sent=True, late=False, read=False),
        shaped(2, "Sent late", ago=timedelta(hours=2), sent=True, late=True, read=False),
        shaped(1, "Never sent", ago=timedelta(days=2), sent=False, late=True, read=True),
    ]
    page.route(
        re.compile(r"/notifications\?"),
        lambda route: route.fulfill(json=answer, headers={"X-Unread-Count": "2"}),
    )
    notes.come_back()
    notes.expect_unread(2)
    notes.open()
    expect(notes.list.get_by_role("listitem")).to_have_count(3)
    names = (
        "Unread: On time. Reminder just now",
        re.compile(r"^Unread: Sent late\. Reminder .+, late$"),
        re.compile(r"^Never sent\. Reminder .+, missed$"),
    )
    for n, name in enumerate(names):  # newest first
        expect(notes.list.get_by_role("button").nth(n)).to_have_accessible_name(name)
    expect(notes.list.locator(".unread")).to_have_count(2)
    expect(notes.item("Never sent")).to_contain_text("missed")
    notes.item("Never sent").click()  # its task was deleted for good
    expect(tasks.toast).to_contain_text("“Never sent” is no longer in your list.")


def test_desktop_notifications_wait_to_be_asked_for(new_context, live_server):
    context = new_context()
    context.add_init_script(RECORD_DESKTOP)
    page = context.new_page()
    signed_up(page)
    notes = Notifications(page)
    notes.open()
    expect(notes.desktop).to_have_text("Enable desktop notifications")
    assert page.evaluate("window.permissionAsked") == 0  # never asked without the person's click

    notes.desktop.click()
    page.wait_for_function("window.permissionAsked === 1")  # the browser asks the person...
    context.grant_permissions(["notifications"])  # ...who allows it
    page.evaluate("window.answerPermission()")
    expect(notes.desktop).to_have_text("Turn off desktop notifications")
    remind_soon(page, live_server, "Stand up")
    notifications_on_server(page, live_server, 1)
    notes.come_back()
    notes.expect_unread(1)
    assert [n["title"] for n in desktop_shown(page)] == ["Stand up"]

    notes.desktop.click()  # off again, in this browser
    expect(notes.desktop).to_have_text("Enable desktop notifications")
    remind_soon(page, live_server, "Sit down")
    notifications_on_server(page, live_server, 2)
    notes.come_back()
    notes.expect_unread(2)
    expect(notes.item("Sit down")).to_be_visible()
    assert [n["title"] for n in desktop_shown(page)] == ["Stand up"]


def test_the_notifications_fit_a_phone(new_context, live_server):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    tasks, _ = signed_up(page)
    title = "Renew the passport before the summer holidays start, with photos from the booth"
    remind_soon(page, live_server, title)
    notifications_on_server(page, live_server, 1)
    notes = Notifications(page)
    notes.come_back()
    notes.expect_unread(1)
    notes.open()
    close = notes.panel.get_by_role("button", name="Close notifications")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for control in (notes.bell, notes.mark_all, close, notes.desktop, notes.item(title)):
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0, (control, box)
        assert box["x"] + box["width"] <= PHONE["width"], (control, box)
    notes.item(title).click()
    expect(tasks.toggle_box(title)).to_be_focused()
