"""Sessions: who sees what, and what happens when a token stops being valid."""

import time

import httpx2
from jose import jwt
from playwright.sync_api import expect

from tests.conftest import TEST_SECRET
from tests.e2e.pages import AuthPage, TasksPage, signed_up

EXPIRED = "Your session has expired — please sign in again"


def test_signed_out_visitors_see_sign_in(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_two_people_never_see_each_others_tasks(new_context):
    ann_page, bob_page = new_context().new_page(), new_context().new_page()
    ann, _ = signed_up(ann_page)
    bob, _ = signed_up(bob_page)
    ann.add("Ann's secret")
    bob.add("Bob's plan")
    ann_page.reload()
    bob_page.reload()
    TasksPage(ann_page).expect_titles("Ann's secret")
    TasksPage(bob_page).expect_titles("Bob's plan")


def test_an_expired_token_sends_you_to_sign_in(page):
    _, email = signed_up(page)
    token = page.evaluate("localStorage.getItem('todo.token')")
    claims = jwt.get_unverified_claims(token)
    stale = jwt.encode({**claims, "exp": int(time.time()) - 60}, TEST_SECRET, algorithm="HS256")
    page.evaluate("t => localStorage.setItem('todo.token', t)", stale)
    page.reload()
    AuthPage(page).expect_error(EXPIRED)
    AuthPage(page).sign_in(email)
    TasksPage(page).expect_loaded(email)


def test_a_revoked_token_sends_you_to_sign_in_on_the_next_action(page, live_server):
    tasks, _ = signed_up(page)
    tasks.add("Before")
    token = page.evaluate("localStorage.getItem('todo.token')")
    r = httpx2.post(f"{live_server}/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204
    tasks.new_task.fill("After")
    tasks.new_task.press("Enter")
    AuthPage(page).expect_error(EXPIRED)
    assert page.evaluate("localStorage.getItem('todo.token')") is None


def test_sign_out_revokes_the_token(page, live_server):
    tasks, _ = signed_up(page)
    token = page.evaluate("localStorage.getItem('todo.token')")
    tasks.sign_out()
    r = httpx2.get(f"{live_server}/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
