"""Sign-in and sign-up are one form that changes in place: switching keeps the email typed so far.

The password is not carried over: one typed to sign in is an existing secret, maybe another
account's, and must not silently become a new account's password (nor skip a password manager's
offer of a new one); one chosen for a new account is nobody's password yet."""

from playwright.sync_api import expect

from tests.e2e.pages import AuthPage, TasksPage, new_email


def test_switching_forms_keeps_the_email_but_not_the_password(page):
    auth = AuthPage(page).open()
    email = new_email()
    auth.email.fill(email)
    auth.password.fill("typed to sign in")

    auth.show_sign_up()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(auth.email).to_have_value(email)
    expect(auth.password).to_have_value("")
    expect(auth.password).to_have_attribute("autocomplete", "new-password")
    expect(auth.password).to_be_focused()  # the email is there: what is missing is a password

    auth.show_sign_in()
    expect(auth.email).to_have_value(email)
    expect(auth.password).to_have_attribute("autocomplete", "current-password")

    auth.show_sign_up()
    page.go_back()  # the browser's Back button switches too
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(auth.email).to_have_value(email)

    auth.show_sign_up()
    auth.password.fill("a brand new passphrase")
    page.get_by_role("button", name="Sign up").click()
    TasksPage(page).expect_loaded(email)


def test_email_filled_at_the_moment_of_the_switch_is_kept(page):
    auth = AuthPage(page).open()
    first, second = new_email(), new_email()

    auth.fill_email_while_following("Create an account", first)
    expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    expect(auth.email).to_have_value(first)

    auth.fill_email_while_following("Sign in", second)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(auth.email).to_have_value(second)
