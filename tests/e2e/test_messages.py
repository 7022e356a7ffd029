"""Every error a person can meet reads as a plain sentence, and failed changes roll back."""

from playwright.sync_api import expect

from tests.e2e.pages import PASSWORD, AuthPage, TasksPage, new_email, signed_up


def test_signup_errors(page):
    auth = AuthPage(page).open()
    auth.sign_up(new_email(), "short")
    auth.expect_error("Password must be at least 8 characters")
    auth.sign_up(new_email(), "é" * 37)
    auth.expect_error("Password must be at most 72 bytes in UTF-8 (bcrypt's limit)")
    auth.sign_up("not-an-email", PASSWORD)
    auth.expect_error("Enter a valid email address.")
    auth.sign_up(new_email(), "password1")
    auth.expect_error("This password is one of the most common ones; choose another")


def test_duplicate_account(page, new_context):
    email = new_email()
    signed_up(page, email)
    other = new_context().new_page()
    auth = AuthPage(other).open()
    auth.sign_up(email.upper())
    auth.expect_error("An account with this email already exists")


def test_wrong_password(page):
    _, email = signed_up(page)
    TasksPage(page).sign_out()
    auth = AuthPage(page)
    auth.sign_in(email, "not my password")
    auth.expect_error("Incorrect email or password")
    auth.sign_in("nobody@example.com", PASSWORD)
    auth.expect_error("Incorrect email or password")


def test_network_failure(page):
    auth = AuthPage(page).open()
    page.route("**/auth/login", lambda route: route.abort())
    auth.sign_in(new_email(), PASSWORD)
    auth.expect_error("Cannot reach the server")
    expect(page.get_by_text("[object Object]")).to_have_count(0)


def test_a_refused_change_rolls_back_with_a_message(page):
    tasks, _ = signed_up(page)
    tasks.add("Stays open")
    page.route("**/tasks/*", lambda route: route.fulfill(status=500, body="oops"))
    tasks.toggle("Stays open")
    expect(tasks.alert).to_have_text(
        "Could not update the task. The server could not do that just now — please try again"
    )
    expect(tasks.toggle_box("Stays open")).not_to_be_checked()
    tasks.expect_counter("1 item left")
    tasks.delete("Stays open")
    expect(tasks.toggle_box("Stays open")).to_be_visible()
    expect(tasks.alert).to_contain_text("Could not delete the task")


def test_sign_in_cannot_be_double_submitted(page):
    _, email = signed_up(page)
    TasksPage(page).sign_out()
    logins = []
    page.on("request", lambda r: logins.append(r) if r.url.endswith("/auth/login") else None)
    page.route("**/auth/login", lambda route: page.wait_for_timeout(300) or route.continue_())
    auth = AuthPage(page)
    auth.email.fill(email)
    auth.password.fill(PASSWORD)
    button = page.get_by_role("button", name="Sign in")
    button.click()
    expect(button).to_be_disabled()
    button.dispatch_event("click")
    page.get_by_label("Password").press("Enter")
    TasksPage(page).expect_loaded(email)
    assert len(logins) == 1
