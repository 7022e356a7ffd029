"""Phone and desktop, light and dark, keyboard alone. Takes the README's screenshots."""

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.pages import (
    AuthPage,
    Notifications,
    TasksPage,
    days,
    make_tasks,
    new_email,
    notifications_on_server,
    remind_soon,
    signed_up,
    signed_up_at_midday,
)

PHONE = {"width": 375, "height": 740}


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled", caret="hide")


def fill_a_few(tasks: TasksPage) -> None:
    tasks.add("Buy oat milk", "Renew passport")
    tasks.quick_add("Book dentist appointment ^tomorrow@09:30 !high #Health", "Book dentist appointment")
    tasks.quick_add("Water the plants #home", "Water the plants")
    tasks.describe("Renew passport", "Photos from the booth on Main St.")
    tasks.toggle("Buy oat milk")
    tasks.new_task.focus()


def test_sign_in_page(page):
    page.set_viewport_size({"width": 1000, "height": 640})
    AuthPage(page).open()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shoot(page, "sign-in")


def test_desktop_task_page(page):
    page.set_viewport_size({"width": 1000, "height": 640})
    tasks, _ = signed_up(page, new_email("ann"))
    fill_a_few(tasks)
    tasks.expect_counter("3 items left")
    shoot(page, "tasks")


def test_phone_width(new_context):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    tasks, _ = signed_up(page, new_email("phone"))
    fill_a_few(tasks)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page scrolls sideways: {width}px"
    delete = page.get_by_role("button", name="Delete Renew passport")
    expect(delete).to_be_visible()  # no hover on a phone: the controls are always there
    box = delete.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "phone")


def test_dark_mode(new_context):
    page = new_context(color_scheme="dark", viewport={"width": 1000, "height": 640}).new_page()
    tasks, _ = signed_up(page, new_email("night"))
    fill_a_few(tasks)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3])
    assert max(red, green, blue) < 60, background
    shoot(page, "dark")


def test_repeat_reminders_and_notifications(page, live_server):
    page.set_viewport_size({"width": 1000, "height": 640})
    page.emulate_media(reduced_motion="reduce")
    tasks, zone = signed_up_at_midday(page, live_server)
    weekly = {"rule": "FREQ=WEEKLY;BYDAY=MO,TH", "from": "due"}
    make_tasks(
        page,
        live_server,
        {"title": "Renew passport", "due_date": days(20, zone)},
        {"title": "Water the plants", "due_date": days(0, zone), "due_time": "18:00", "recurrence": weekly},
    )
    tasks = TasksPage(page).expect_loaded()
    remind_soon(page, live_server, "Call the bank")
    notifications_on_server(page, live_server, 1)
    tasks.toggle("Water the plants")
    expect(tasks.toast).to_contain_text("Next:")
    tasks.toast.get_by_role("button", name="Dismiss").click()
    details = tasks.open_details("Water the plants")
    details.add_reminder("1 hour before")
    details.add_reminder("At due time")
    expect(details.history.get_by_role("listitem")).to_have_count(1)
    shoot(page, "repeat-reminders")
    details.save()

    notes = Notifications(page)
    notes.come_back()
    notes.expect_unread(1)
    notes.open()
    expect(notes.item("Call the bank")).to_be_visible()
    shoot(page, "notifications")


def test_keyboard_alone_with_visible_focus(page):
    tasks, _ = signed_up(page)
    expect(tasks.new_task).to_be_focused()  # ready to type right after signing up... or after one Tab
    tasks.new_task.type("Typed task")
    page.keyboard.press("Enter")
    expect(tasks.toggle_box("Typed task")).to_be_enabled()
    page.keyboard.press("Tab")
    expect(tasks.toggle_box("Typed task")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    expect(tasks.toggle_box("Typed task")).to_be_checked()
    expect(tasks.toggle_box("Typed task")).to_be_focused()  # focus survives the re-render
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on the title: edit in place
    editor = page.get_by_role("textbox", name="Edit Typed task")
    expect(editor).to_be_focused()
    editor.fill("Renamed by keyboard")
    page.keyboard.press("Enter")
    expect(tasks.toggle_box("Renamed by keyboard")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Delete Renamed by keyboard")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tasks.list.get_by_role("listitem")).to_have_count(0)
