"""Tags are buttons: on each task, and in a bar of every tag with its open tasks. Pressing one shows
only that tag's tasks; the filter says so above the list and is removed with one button."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import signed_up


def test_tag_buttons_filter_and_the_filter_is_shown_and_removable(page):
    tasks, _ = signed_up(page)
    tasks.quick_add("Write report #work", "Write report")
    tasks.quick_add("Gym #health", "Gym")
    tasks.quick_add("Standup #Work #daily", "Standup")  # the spelling used first stays: work
    expect(tasks.tags_bar.get_by_role("button")).to_have_text(
        [re.compile(r"^#daily\s*1$"), re.compile(r"^#health\s*1$"), re.compile(r"^#work\s*2$")]
    )
    expect(tasks.tag_on("Standup", "work")).to_be_visible()

    tasks.tag_on("Write report", "work").click()
    tasks.expect_titles("Standup", "Write report")
    expect(page).to_have_url(re.compile(r"#/\?tag=work$"))
    active = page.get_by_text("Showing tasks tagged #work")
    expect(active).to_be_visible()
    expect(tasks.tag_in_bar("work")).to_have_attribute("aria-pressed", "true")
    expect(tasks.tag_in_bar("health")).to_have_attribute("aria-pressed", "false")

    tasks = tasks.reload()
    tasks.expect_titles("Standup", "Write report")
    expect(active).to_be_visible()

    page.get_by_role("button", name="Remove tag filter").click()
    tasks.expect_titles("Standup", "Gym", "Write report")
    expect(active).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#/$"))

    tasks.tag_in_bar("health").click()
    tasks.expect_titles("Gym")
    tasks.toggle("Gym")  # the bar counts open tasks
    expect(tasks.tag_in_bar("health")).to_have_text(re.compile(r"^#health\s*0$"))
    tasks.tag_in_bar("health").click()  # pressed again: every task
    tasks.expect_titles("Standup", "Gym", "Write report")
    expect(tasks.tag_in_bar("health")).to_have_attribute("aria-pressed", "false")


def test_a_tag_no_task_has_any_more_leaves_the_bar(page):
    tasks, _ = signed_up(page)
    tasks.quick_add("Buy paint #diy", "Buy paint")
    expect(tasks.tag_in_bar("diy")).to_be_visible()
    details = tasks.open_details("Buy paint")
    details.tags.fill("")
    details.save()
    expect(tasks.tags_bar).to_be_hidden()
