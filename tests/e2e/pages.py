"""Page objects: what a person sees and does, through accessible names only."""

import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
from playwright.sync_api import APIResponse, Locator, Page, Route, expect

PASSWORD = "correct horse battery"
EDIT_HINT = "Double-click (or press Enter) to edit"  # the title of each task's title
_people = itertools.count(1)


def new_email(prefix: str = "person") -> str:
    return f"{prefix}{next(_people)}@example.com"


class AuthPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.email = page.get_by_label("Email")
        self.password = page.get_by_label("Password")
        self.alert = page.get_by_role("alert")

    def open(self) -> "AuthPage":
        self.page.goto("/")
        return self

    def sign_up(self, email: str, password: str = PASSWORD) -> None:
        if not self.page.get_by_role("button", name="Sign up").is_visible():
            self.page.get_by_role("link", name="Create an account").click()
        self.email.fill(email)
        self.password.fill(password)
        self.page.get_by_role("button", name="Sign up").click()

    def show_sign_up(self) -> None:
        self.page.get_by_role("link", name="Create an account").click()
        expect(self.page.get_by_role("button", name="Sign up")).to_be_visible()

    def show_sign_in(self) -> None:
        self.page.get_by_role("link", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()

    def fill_email_while_following(self, link: str, text: str) -> None:
        """Follows a link to the other form and, in the same instant, before the page has handled
        the switch, fills Email: as a quick typist or a password manager's autofill can."""
        self.email.evaluate(
            """(input, [link, text]) => {
                link.click();
                input.value = text;
                input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
            }""",
            [self.page.get_by_role("link", name=link).element_handle(), text],
        )

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.email.fill(email)
        self.password.fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def expect_error(self, text: str) -> None:
        expect(self.alert).to_have_text(text)


class TasksPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.new_task = page.get_by_label("New task")
        self.list = page.get_by_role("list", name="Tasks")
        self.alert = page.get_by_role("alert")
        self.counter = page.get_by_text(re.compile(r"^\d+ items? left$"))
        self.chips = page.get_by_role("list", name="Quick add preview").get_by_role("listitem")
        self.search = page.get_by_label("Search tasks")
        self.sort = page.get_by_label("Sort by")
        self.views = page.get_by_role("navigation", name="Views")
        self.tags_bar = page.get_by_role("navigation", name="Tags")
        self.time_zone = page.get_by_label("Time zone")
        self.empty = page.get_by_role("status").filter(has_text=re.compile(r"^(No|Nothing) "))
        self.toast = page.get_by_role("status", name="Notifications")
        self.undo = self.toast.get_by_role("button", name="Undo", exact=True)

    def expect_loaded(self, email: str | None = None) -> "TasksPage":
        expect(self.new_task).to_be_visible()
        if email:
            expect(self.page.get_by_text(f"Signed in as {email}")).to_be_visible()
        return self

    def add(self, *titles: str) -> None:
        for title in titles:
            self.new_task.fill(title)
            self.new_task.press("Enter")
            expect(self.toggle_box(title.strip())).to_be_enabled()  # saved, not just shown

    def quick_add(self, text: str, title: str) -> None:
        """Types quick-add text and presses Enter; waits until the task it makes, `title`, is saved."""
        self.new_task.fill(text)
        self.new_task.press("Enter")
        expect(self.toggle_box(title)).to_be_enabled()

    def item(self, title: str) -> Locator:
        return self.list.get_by_role("listitem").filter(has=self.toggle_box(title))

    def toggle_box(self, title: str) -> Locator:
        return self.page.get_by_role("checkbox", name=f"Toggle {title}", exact=True)

    def toggle(self, title: str) -> None:
        self.toggle_box(title).click()

    def delete(self, title: str) -> None:
        self.item(title).hover()
        self.page.get_by_role("button", name=f"Delete {title}", exact=True).click()

    def start_editing(self, title: str) -> Locator:
        self.item(title).get_by_text(title, exact=True).dblclick()
        return self.page.get_by_role("textbox", name=f"Edit {title}", exact=True)

    def rename(self, title: str, new_title: str) -> None:
        editor = self.start_editing(title)
        editor.fill(new_title)
        editor.press("Enter")

    def describe(self, title: str, text: str) -> None:
        details = self.open_details(title)
        details.description.fill(text)
        details.save()

    def open_details(self, title: str) -> "DetailsEditor":
        self.item(title).hover()
        self.details_button(title).click()
        return DetailsEditor(self.page, title)

    def open_details_form(self, title: str) -> "DetailsEditor":
        """The details editor already opened (by keyboard, say)."""
        return DetailsEditor(self.page, title)

    def details_button(self, title: str) -> Locator:
        return self.page.get_by_role("button", name=f"Edit details of {title}", exact=True)

    def show(self, name: str) -> None:
        self.page.get_by_role("link", name=name, exact=True).click()

    def sort_by(self, label: str) -> None:
        self.sort.select_option(label=label)

    def tag_in_bar(self, name: str) -> Locator:
        """The tag bar's button for this tag (its name, then its count of open tasks)."""
        return self.tags_bar.get_by_role("button", name=re.compile(rf"^#{re.escape(name)} \d+$"))

    def tag_on(self, title: str, name: str) -> Locator:
        return self.item(title).get_by_role("button", name=f"#{name}", exact=True)

    def expect_order(self, *titles: str) -> None:
        """Exactly these tasks, in this order."""
        expect(self.list.get_by_title(EDIT_HINT)).to_have_text(list(titles))

    def expect_titles(self, *titles: str) -> None:
        expect(self.list.get_by_role("listitem")).to_have_count(len(titles))
        for title in titles:
            expect(self.toggle_box(title)).to_be_visible()

    def expect_counter(self, text: str) -> None:
        expect(self.counter).to_have_text(text)

    def expect_saved(self) -> None:
        """Every change shown has reached the server (the list is not busy saving)."""
        expect(self.list).not_to_have_attribute("aria-busy", "true")

    def reload(self) -> "TasksPage":
        """Reloads the page once every change is saved, as a person who waits for it would."""
        self.expect_saved()
        self.page.reload()
        return TasksPage(self.page)

    def watch_items(self) -> "ItemWatch":
        return ItemWatch(self.list)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()

    def note_on(self, title: str) -> Locator:
        """The note on a task that was changed elsewhere."""
        return self.item(title).locator(".conflict-note")

    def open_trash(self) -> "TrashPage":
        self.page.get_by_role("link", name="Trash", exact=True).click()
        return TrashPage(self.page)


class TrashPage:
    """The trash (#/trash): deleted tasks, latest first, to restore or delete forever."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.view = page.get_by_role("region", name="Trash")
        self.heading = self.view.get_by_role("heading", name="Trash")
        self.list = self.view.get_by_role("list", name="Deleted tasks")
        self.count = self.view.get_by_text(re.compile(r"^\d+ tasks? in the trash$"))
        self.empty = self.view.get_by_text("The trash is empty.")
        self.alert = self.view.get_by_role("alert")
        self.back_link = self.view.get_by_role("link", name="Back to tasks")
        expect(self.heading).to_be_visible()

    def restore_button(self, title: str) -> Locator:
        return self.page.get_by_role("button", name=f"Restore {title}", exact=True)

    def forever_button(self, title: str) -> Locator:
        return self.page.get_by_role("button", name=f"Delete {title} forever", exact=True)

    def item(self, title: str) -> Locator:
        return self.list.get_by_role("listitem").filter(has=self.restore_button(title))

    def restore(self, title: str) -> None:
        self.restore_button(title).click()
        expect(self.item(title)).to_have_count(0)

    def delete_forever(self, title: str) -> None:
        self.forever_button(title).click()
        expect(self.item(title)).to_have_count(0)

    def empty_trash(self) -> None:
        self.view.get_by_role("button", name="Empty trash").click()
        self.view.get_by_role("button", name="Delete all forever").click()
        expect(self.empty).to_be_visible()

    def expect_titles(self, *titles: str) -> None:
        """Exactly these, in this order (latest deleted first)."""
        expect(self.list.locator(".title")).to_have_text(list(titles))

    def back(self) -> TasksPage:
        self.back_link.click()
        tasks = TasksPage(self.page)
        expect(tasks.new_task).to_be_visible()
        return tasks


class DetailsEditor:
    """The inline editor of one task's description, due date and time, priority, tags, repeat and
    reminders, with a repeating task's history."""

    def __init__(self, page: Page, title: str) -> None:
        self.form = page.get_by_role("form", name=f"Details of {title}")
        self.description = self.form.get_by_label("Description", exact=True)
        self.due_date = self.form.get_by_label("Due date", exact=True)
        self.due_time = self.form.get_by_label("Due time", exact=True)
        self.priority = self.form.get_by_label("Priority", exact=True)
        self.tags = self.form.get_by_label("Tags", exact=True)
        self.repeat = self.form.get_by_label("Repeat", exact=True)
        self.repeat_from = self.form.get_by_label("Repeat from", exact=True)
        self.rule = self.form.get_by_label("Custom rule (RRULE)")
        self.reminders = self.form.get_by_role("list", name="Reminders")
        self.reminder_kind = self.form.get_by_label("Add a reminder")
        self.minutes_before = self.form.get_by_label("Minutes before", exact=True)
        self.remind_at = self.form.get_by_label("Remind at")
        self.history = self.form.get_by_role("region", name="History")
        self.skip = self.form.get_by_role("button", name="Skip this occurrence")
        expect(self.form).to_be_visible()

    def add_reminder(self, choice: str, *, minutes: int | None = None, at: str | None = None) -> None:
        """Adds a reminder: a choice as the picker words it, with its minutes or date and time."""
        self.reminder_kind.select_option(label=choice)
        if minutes is not None:
            self.minutes_before.fill(str(minutes))
        if at is not None:
            self.remind_at.fill(at)
        self.form.get_by_role("button", name="Add reminder").click()

    def remove_reminder(self, text: str) -> None:
        self.form.get_by_role("button", name=f"Remove the reminder “{text}”").click()

    def expect_reminders(self, *texts: str) -> None:
        """Exactly these reminders, in this order."""
        expect(self.reminders.get_by_role("listitem").locator(".reminder-text")).to_have_text(list(texts))

    def save(self) -> None:
        self.form.get_by_role("button", name="Save").click()
        expect(self.form).to_be_hidden()

    def cancel(self) -> None:
        self.form.get_by_role("button", name="Cancel").click()
        expect(self.form).to_be_hidden()


class Notifications:
    """The bell in the top bar (its name says how many are unread) and the list it opens."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.bell = page.get_by_role("button", name=re.compile(r"^(No|\d+) unread notifications?$"))
        self.panel = page.get_by_role("region", name="Notifications")
        self.list = self.panel.get_by_role("list", name="Notifications")
        self.mark_all = self.panel.get_by_role("button", name="Mark all read")
        self.desktop = self.panel.get_by_role("button", name=re.compile(r"desktop notifications$"))

    def expect_unread(self, n: int) -> None:
        expect(self.bell).to_have_accessible_name(f"{n or 'No'} unread notification{'' if n == 1 else 's'}")

    def open(self) -> None:
        if self.bell.get_attribute("aria-expanded") != "true":
            self.bell.click()
        expect(self.panel).to_be_visible()

    def item(self, title: str) -> Locator:
        """The notification of the task with this title (its button)."""
        return self.list.get_by_role(
            "button", name=re.compile(rf"^(Unread: )?{re.escape(title)}\. Reminder ")
        )

    def come_back(self) -> None:
        """The person comes back to the page (another tab or window had focus): it looks for news."""
        self.page.evaluate("window.dispatchEvent(new Event('focus'))")


def signed_up(page: Page, email: str | None = None) -> tuple[TasksPage, str]:
    email = email or new_email()
    AuthPage(page).open().sign_up(email)
    return TasksPage(page).expect_loaded(email), email


class ItemWatch:
    """Watches the list's <li> elements themselves, not their text: a render that updates items in
    place adds and removes none; one that rebuilds them removes every one, if only for an instant."""

    def __init__(self, items: Locator) -> None:
        self.items = items
        items.evaluate(
            """list => {
                const title = (li) => li.querySelector(".title")?.textContent ?? li.textContent;
                const watch = { list, title, items: [...list.children], added: [], removed: [] };
                watch.note = (records) => {
                    for (const record of records) {
                        for (const node of record.addedNodes) if (node.nodeName === "LI") watch.added.push(node);
                        for (const node of record.removedNodes) if (node.nodeName === "LI") watch.removed.push(title(node));
                    }
                };
                watch.observer = new MutationObserver(watch.note);
                watch.observer.observe(list, { childList: true });
                window.itemWatch = watch;
            }"""
        )

    def _read(self, what: str) -> list[str]:
        return self.items.evaluate(
            """(list, what) => {
                const watch = window.itemWatch;
                watch.note(watch.observer.takeRecords());
                if (what === "added") return watch.added.map(watch.title);
                if (what === "removed") return watch.removed;
                return watch.items.filter((li) => li.parentNode !== list).map(watch.title);
            }""",
            what,
        )

    def added(self) -> list[str]:
        """Titles of the <li> elements put into the list since watching began."""
        return self._read("added")

    def removed(self) -> list[str]:
        """Titles of the <li> elements taken out of the list since (even if put back later)."""
        return self._read("removed")

    def lost(self) -> list[str]:
        """Titles of the items there when watching began whose very element is no longer in the list."""
        return self._read("lost")


class SlowNetwork:
    """Holds the page's task requests of the given methods on their way to the server, as a slow
    network would, until released; resume() lets everything through from then on."""

    def __init__(self, page: Page, *methods: str) -> None:
        self.page = page
        self.open = False
        self.held: dict[str, list[Route]] = {method: [] for method in methods}
        page.route("**/tasks**", self._route)

    def _route(self, route: Route) -> None:
        if route.request.method not in self.held:
            route.fallback()
        elif self.open:
            route.continue_()
        else:
            self.held[route.request.method].append(route)

    def release(self, method: str) -> None:
        """Lets the oldest held request of this method through to the server."""
        for _ in range(100):  # each call into Playwright delivers the browser's pending events
            if self.held[method]:
                break
            self.page.evaluate("0")
        assert self.held[method], f"no {method} request was made"
        self.held[method].pop(0).continue_()

    def resume(self) -> None:
        self.open = True
        for routes in self.held.values():
            while routes:
                routes.pop(0).continue_()


class LateAnswers:
    """The server answers the page's task reads at once, but the answers reach the page only when
    resumed: a slow network on the way back."""

    def __init__(self, page: Page) -> None:
        self.open = False
        self.held: list[tuple[Route, APIResponse]] = []
        page.route("**/tasks?**", self._route)

    def _route(self, route: Route) -> None:
        if route.request.method != "GET":
            route.fallback()
        elif self.open:
            route.continue_()
        else:
            self.held.append((route, route.fetch()))

    def resume(self) -> None:
        self.open = True
        while self.held:
            route, answer = self.held.pop(0)
            route.fulfill(response=answer)


def rename_elsewhere(page: Page, base_url: str, title: str, new_title: str) -> None:
    """The same person renames a task on another device, through the public API."""
    with api_as(page, base_url) as api:
        (task,) = [t for t in api.get("/tasks", params={"limit": 100}).json() if t["title"] == title]
        assert api.patch(f"/tasks/{task['id']}", json={"title": new_title}).status_code == 200


def signed_up_at_midday(page: Page, base_url: str) -> tuple[TasksPage, str]:
    """Signed up, with the profile's time zone one where it is about noon (see midday_zone)."""
    tasks, _ = signed_up(page)
    zone = midday_zone()
    set_zone(page, base_url, zone)
    page.reload()
    tasks = TasksPage(page).expect_loaded()
    expect(tasks.time_zone).to_have_value(zone)
    return tasks, zone


def midday_zone() -> str:
    """A fixed-offset zone where it is now about noon: a test that judges "today" there cannot see
    the day change under it."""
    offset = 12 - datetime.now(UTC).hour  # -11 .. 12
    if offset == 0:
        return "UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # POSIX signs: Etc/GMT-3 is UTC+3


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def days(n: int, zone: str) -> str:
    """The date n days from today in `zone`, as the API writes it."""
    return (today_in(zone) + timedelta(days=n)).isoformat()


def day_text(day: str, zone: str) -> str:
    """How the page names a day: "today", "tomorrow", a weekday within the week, else "Wed, Dec 2"."""
    when = date.fromisoformat(day)
    today = today_in(zone)
    ahead = (when - today).days
    if -1 <= ahead <= 1:
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[ahead]
    if 1 < ahead <= 6:
        return f"{when:%A}"
    return f"{when:%a}, {when:%b} {when.day}" + (f", {when.year}" if when.year != today.year else "")


@contextmanager
def api_as(page: Page, base_url: str) -> Iterator[httpx2.Client]:
    """The public API, signed in as the person using this page: to set up what a test needs."""
    token = page.evaluate("localStorage.getItem('todo.token')")
    with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as api:
        yield api


def make_tasks(page: Page, base_url: str, *tasks: dict) -> None:
    """Creates tasks (title plus any fields) through the API, oldest first, and reloads the page."""
    with api_as(page, base_url) as api:
        for task in tasks:
            r = api.post("/tasks", json=task)
            assert r.status_code == 201, r.text
    page.reload()


def remind_soon(page: Page, base_url: str, *titles: str) -> list[int]:
    """Tasks whose reminders fall due in about two seconds; their ids."""
    at = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with api_as(page, base_url) as api:
        created = [api.post("/tasks", json={"title": title, "reminders": [{"at": at}]}) for title in titles]
    assert all(r.status_code == 201 for r in created), [r.text for r in created]
    return [r.json()["id"] for r in created]


def notifications_on_server(page: Page, base_url: str, count: int) -> list[dict]:
    """Waits until the server has made `count` notifications of this person's (newest first)."""
    deadline = time.monotonic() + 20
    with api_as(page, base_url) as api:
        while True:
            found = api.get("/notifications").json()
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.1)


def set_zone(page: Page, base_url: str, zone: str) -> None:
    with api_as(page, base_url) as api:
        r = api.patch("/auth/me", json={"timezone": zone})
        assert r.status_code == 200, r.text


def on_server(page: Page, base_url: str, path: str = "/tasks") -> list[dict]:
    """The person's tasks (or trashed tasks: path="/trash") as the server has them, up to 500."""
    with api_as(page, base_url) as api:
        r = api.get(path, params={"limit": 500})
        assert r.status_code == 200, r.text
        return r.json()
