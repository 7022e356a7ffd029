"""Overdue tasks say so in words, not only in colour: a date-only task the day after its date, a timed
one once its time has passed, in the person's zone; never a completed one."""

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, days, make_tasks, signed_up_at_midday


def test_overdue_tasks_are_marked_in_words(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)  # about noon there
    make_tasks(
        page,
        live_server,
        {"title": "Yesterday", "due_date": days(-1, zone)},
        {"title": "This morning", "due_date": days(0, zone), "due_time": "08:00"},
        {"title": "Tonight", "due_date": days(0, zone), "due_time": "23:30"},
        {"title": "Some time today", "due_date": days(0, zone)},
        {"title": "Done late", "due_date": days(-3, zone), "completed": True},
        {"title": "Whenever"},
    )
    tasks = TasksPage(page).expect_loaded()
    for title in ("Yesterday", "This morning"):
        expect(tasks.item(title)).to_contain_text("Overdue")
    for title in ("Tonight", "Some time today", "Done late", "Whenever"):
        expect(tasks.item(title)).to_be_visible()
        expect(tasks.item(title)).not_to_contain_text("Overdue")
    expect(tasks.item("Yesterday")).to_contain_text("Due yesterday")
    expect(tasks.item("This morning")).to_contain_text("Due today at 08:00")

    tasks.toggle("Yesterday")  # done: no longer overdue
    expect(tasks.item("Yesterday")).not_to_contain_text("Overdue")
