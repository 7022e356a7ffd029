"""/docs in a real browser: Swagger UI lists the API, signs in through its Authorize dialog and calls
the API, while every request stays on the server's own origin and the policy refuses nothing."""

import json
import re
import urllib.request
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"


class DocsPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.locator(".modal-ux")  # Swagger UI gives its dialog no role

    def open(self) -> "DocsPage":
        self.page.goto("/docs")
        expect(self.page.get_by_role("heading", name=re.compile(r"^tasks "))).to_be_visible()
        return self

    def operation(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def authorize(self, email: str, password: str) -> None:
        self.page.get_by_role("button", name="Authorize", exact=True).click()
        self.dialog.get_by_label("username:").fill(email)
        self.dialog.get_by_label("password:").fill(password)
        self.dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
        expect(self.dialog.get_by_role("heading", name="Authorized")).to_be_visible()
        expect(self.dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
        self.dialog.get_by_role("button", name="Close").click()

    def try_out(self, name: str) -> None:
        self.operation(name).click()
        self.page.get_by_role("button", name="Try it out").click()
        self.page.get_by_role("button", name="Execute").click()


def sign_up(base: str, email: str) -> None:
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/auth/signup", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 201


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def test_docs_work_from_this_origin_alone(page, live_server):
    email = f"docs-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(live_server, email)
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: refused.append(f"{request.url} {request.failure}"))
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )

    docs = DocsPage(page).open()
    expect(docs.operation("POST /auth/login Login")).to_be_visible()
    expect(docs.operation("GET /tasks List Tasks")).to_be_visible()
    docs.authorize(email, PASSWORD)
    docs.try_out("GET /auth/me Get Me")
    response = page.locator(".live-responses-table .response")  # the answer Swagger UI received
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text(email)

    assert f"{live_server}/auth/login" in requested
    assert f"{live_server}/auth/me" in requested
    assert {origin(url) for url in requested} == {origin(live_server)}, requested
    assert refused == []
