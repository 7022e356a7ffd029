"""Views beside All, Active and Completed: Today, Upcoming (today and the six days after it) and
Overdue, judged in the person's own time zone. The view, search, tag and sort live in the URL hash:
a reload, or a link, shows the same list."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import TasksPage, days, make_tasks, signed_up_at_midday

VIEWS = {
    "All": ("No date", "Done today", "Due in a week", "Due in six days", "Due today", "Due yesterday"),
    "Active": ("No date", "Due in a week", "Due in six days", "Due today", "Due yesterday"),
    "Completed": ("Done today",),
    "Today": ("Due today",),
    "Upcoming": ("Due today", "Due in six days"),
    "Overdue": ("Due yesterday",),
}


def test_each_view_lists_its_tasks_and_survives_a_reload(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(
        page,
        live_server,
        {"title": "Due yesterday", "due_date": days(-1, zone)},
        {"title": "Due today", "due_date": days(0, zone)},
        {"title": "Due in six days", "due_date": days(6, zone)},
        {"title": "Due in a week", "due_date": days(7, zone)},
        {"title": "Done today", "due_date": days(0, zone), "completed": True},
        {"title": "No date"},
    )
    tasks = TasksPage(page).expect_loaded()
    for view, titles in VIEWS.items():
        tasks.show(view)
        link = tasks.views.get_by_role("link", name=view, exact=True)
        expect(link).to_have_attribute("aria-current", "page")
        expect(page).to_have_url(re.compile("#/$" if view == "All" else f"#/{view.lower()}$"))
        tasks.expect_order(*titles)
        tasks = tasks.reload()
        expect(link).to_have_attribute("aria-current", "page")
        tasks.expect_order(*titles)


def test_completing_a_task_takes_it_out_of_a_dated_view(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(page, live_server, {"title": "Due yesterday", "due_date": days(-1, zone)})
    tasks = TasksPage(page).expect_loaded()
    tasks.show("Overdue")
    tasks.expect_titles("Due yesterday")
    tasks.toggle("Due yesterday")
    tasks.expect_titles()
    expect(tasks.empty).to_have_text("Nothing overdue.")
    tasks.expect_counter("0 items left")
    tasks.show("Completed")
    tasks.expect_titles("Due yesterday")


def test_search_tag_and_sort_ride_along_in_the_hash(page, live_server):
    tasks, zone = signed_up_at_midday(page, live_server)
    make_tasks(
        page,
        live_server,
        {"title": "Report for work", "due_date": days(1, zone), "tags": ["work"]},
        {"title": "Report for the club", "due_date": days(2, zone), "tags": ["club"]},
        {"title": "Work out", "due_date": days(3, zone), "tags": ["work"]},
        {"title": "Later report", "due_date": days(9, zone), "tags": ["work"]},
    )
    page.goto(f"{live_server}/#/upcoming?q=report&tag=work")  # a link someone kept
    tasks = TasksPage(page).expect_loaded()
    tasks.expect_order("Report for work")
    expect(tasks.search).to_have_value("report")
    expect(tasks.tag_in_bar("work")).to_have_attribute("aria-pressed", "true")
    expect(tasks.sort).to_have_value("due")  # the dated views list the soonest first

    tasks.page.get_by_role("button", name="Remove tag filter").click()
    tasks.expect_order("Report for work", "Report for the club")
    tasks.sort_by("Due date, latest first")
    tasks.expect_order("Report for the club", "Report for work")
    expect(page).to_have_url(re.compile(r"#/upcoming\?q=report&sort=-due$"))
    tasks.show("All")  # another view keeps the search and the sort
    tasks.expect_order("Later report", "Report for the club", "Report for work")
    tasks = tasks.reload()
    expect(tasks.search).to_have_value("report")
    expect(tasks.sort).to_have_value("-due")
    tasks.expect_order("Later report", "Report for the club", "Report for work")
