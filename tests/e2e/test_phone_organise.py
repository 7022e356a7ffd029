"""At 375 px, everything added for organising tasks fits: no sideways scrolling, every control on
screen, with long tags, titles, dates, the chips and the open details editor."""

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import TasksPage, days, make_tasks, signed_up_at_midday

PHONE = {"width": 375, "height": 740}
LONG_TAG = "a-rather-long-tag-name-for-a-phone-xyz"  # 38 characters: a tag may have 40


def fits(page: Page, *controls: Locator) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    for control in controls:
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0, (control, box)
        assert box["x"] + box["width"] <= PHONE["width"], (control, box)


def test_organising_at_phone_width(new_context, live_server):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    tasks, zone = signed_up_at_midday(page, live_server)
    title = "Renew the passport before the summer holidays start, with photos"
    make_tasks(
        page,
        live_server,
        {
            "title": title,
            "due_date": days(-2, zone),
            "due_time": "08:15",
            "priority": "urgent",
            "tags": [LONG_TAG, "admin"],
        },
        {"title": "Buy milk", "due_date": days(40, zone), "priority": "low", "tags": ["shop"]},
    )
    tasks = TasksPage(page).expect_loaded()
    expect(tasks.item(title)).to_contain_text("Overdue")
    fits(
        page,
        tasks.time_zone,
        page.get_by_role("button", name="Sign out"),
        *(
            tasks.views.get_by_role("link", name=name, exact=True)
            for name in ("All", "Today", "Upcoming", "Overdue")
        ),
        tasks.search,
        tasks.sort,
        tasks.tag_in_bar(LONG_TAG),
        tasks.tag_on(title, LONG_TAG),
        tasks.details_button(title),
        page.get_by_role("button", name=f"Delete {title}"),
    )

    tasks.new_task.fill(f"Plan the week #{LONG_TAG} #home !urgent ^tomorrow@09:30")
    expect(tasks.chips).to_have_count(4)
    fits(page, *(tasks.chips.nth(i) for i in range(4)))
    tasks.new_task.fill("")

    details = tasks.open_details(title)
    fits(page, details.description, details.due_date, details.due_time, details.priority, details.tags)
    fits(
        page,
        details.form.get_by_role("button", name="Save"),
        details.form.get_by_role("button", name="Cancel"),
    )
    details.cancel()

    tasks.tag_on(title, LONG_TAG).click()
    tasks.expect_titles(title)
    fits(page, page.get_by_role("button", name="Remove tag filter"))
    tasks.show("Today")
    expect(tasks.empty).to_have_text("No tasks match.")
    fits(page, tasks.empty)
