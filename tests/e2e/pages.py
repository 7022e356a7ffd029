"""Page objects: what a person sees and does, through accessible names only."""

import itertools
import re

from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery"
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
        self.item(title).hover()
        self.page.get_by_role("button", name=f"Edit description of {title}", exact=True).click()
        self.page.get_by_role("textbox", name="Description", exact=True).fill(text)
        self.page.get_by_role("button", name="Save description").click()

    def show(self, name: str) -> None:
        self.page.get_by_role("link", name=name, exact=True).click()

    def expect_titles(self, *titles: str) -> None:
        expect(self.list.get_by_role("listitem")).to_have_count(len(titles))
        for title in titles:
            expect(self.toggle_box(title)).to_be_visible()

    def expect_counter(self, text: str) -> None:
        expect(self.counter).to_have_text(text)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()


def signed_up(page: Page, email: str | None = None) -> tuple[TasksPage, str]:
    email = email or new_email()
    AuthPage(page).open().sign_up(email)
    return TasksPage(page).expect_loaded(email), email
