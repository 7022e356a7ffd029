"""Organising tasks with the keyboard alone: quick add, the details editor, "/" to search, views, the
sort and the tag bar, each reached with Tab and used with the keys a person would press."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.pages import days, signed_up_at_midday


def focus_ring(page) -> str:
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def tab_to(page, control, presses: int = 4) -> None:
    """Tab until `control` has focus: a date or time field may take a Tab per part (month, day...)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if control.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{control} not reached with {presses} Tabs")


def test_organising_by_keyboard_alone(new_context, live_server):
    page = new_context(locale="en-US").new_page()  # the date and time fields' order of parts
    tasks, zone = signed_up_at_midday(page, live_server)
    expect(tasks.new_task).to_be_focused()
    page.keyboard.type("Write essay #school !high")
    expect(tasks.chips).to_have_count(2)
    page.keyboard.press("Enter")
    expect(tasks.toggle_box("Write essay")).to_be_enabled()

    for control in (
        tasks.toggle_box("Write essay"),
        tasks.item("Write essay").get_by_text("Write essay", exact=True),
        tasks.tag_on("Write essay", "school"),
        tasks.details_button("Write essay"),
    ):
        page.keyboard.press("Tab")
        expect(control).to_be_focused()
        assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    details = tasks.open_details_form("Write essay")
    expect(details.description).to_be_focused()
    page.keyboard.type("Five pages")
    page.keyboard.press("Tab")
    expect(details.due_date).to_be_focused()
    due = date.fromisoformat(days(2, zone))
    page.keyboard.type(f"{due.month:02d}{due.day:02d}{due.year}")
    tab_to(page, details.due_time)
    page.keyboard.type("0930A")
    tab_to(page, details.priority)
    page.keyboard.type("u")  # the first option starting with U: Urgent
    page.keyboard.press("Tab")
    expect(details.tags).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(", exams")
    page.keyboard.press("Enter")
    expect(details.form).to_be_hidden()
    expect(tasks.details_button("Write essay")).to_be_focused()
    item = tasks.item("Write essay")
    expect(item).to_contain_text(re.compile(r"Due \w+ at 09:30"))
    expect(item).to_contain_text("Urgent priority")
    expect(item).to_contain_text("Five pages")
    expect(tasks.tag_on("Write essay", "exams")).to_be_visible()

    page.keyboard.press("/")
    expect(tasks.search).to_be_focused()
    page.keyboard.type("essay")
    expect(page).to_have_url(re.compile(r"q=essay"))
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(tasks.views.get_by_role("link", name="Upcoming")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#/upcoming\?q=essay$"))
    tasks.expect_titles("Write essay")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(tasks.sort).to_be_focused()
    page.keyboard.press("ArrowDown")  # from the soonest due first to the latest
    expect(tasks.sort).to_have_value("-due")
    page.keyboard.press("Tab")
    expect(tasks.tag_in_bar("exams")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tasks.tag_in_bar("exams")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"#/upcoming\?q=essay&tag=exams&sort=-due$"))
    tasks.expect_titles("Write essay")

    tasks.toggle_box("Write essay").focus()  # back to the task, and done with it
    page.keyboard.press("Space")
    tasks.expect_titles()  # the view lists open tasks
    expect(tasks.new_task).to_be_focused()  # focus is not lost with the item
