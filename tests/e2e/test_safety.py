"""User text is only ever text; the page runs only its own scripts."""

from playwright.sync_api import expect

from tests.e2e.pages import signed_up

XSS = "<img src=x onerror=alert(1)>"


def test_markup_in_a_title_is_shown_not_run(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tasks, _ = signed_up(page)
    tasks.add(XSS)
    tasks.describe(XSS, "<script>alert(2)</script>")
    tasks = tasks.reload()
    expect(tasks.item(XSS).get_by_text(XSS, exact=True)).to_be_visible()
    expect(tasks.item(XSS)).to_contain_text("<script>alert(2)</script>")
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_inline_script_is_refused_by_the_policy(page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.append(s); }"
    )
    assert page.evaluate("window.pwned") is None
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
