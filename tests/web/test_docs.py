"""/docs is Swagger UI from the installed package: every asset from this origin, under a policy that
allows no other, and the Authorize button pointed at /auth/login."""

from html.parser import HTMLParser

import todo_app.web.docs as docs

POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class Page(HTMLParser):
    """The URLs a page loads, and anything inline it would need the policy to allow."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self.inline += [f"{tag} {name}" for name, _ in attrs if name == "style" or name.startswith("on")]
        if tag == "style" or (tag == "script" and "src" not in named):
            self.inline.append(tag)
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(f"script body {data.strip()[:40]!r}")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def assert_locked_down(headers) -> None:
    directives = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";"))
    assert directives == POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


async def test_the_page_carries_a_policy_that_allows_this_origin_only(client):
    r = await client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert_locked_down(r.headers)
    assert "unsafe" not in r.headers["content-security-policy"]


async def test_the_page_loads_only_same_origin_assets_and_runs_nothing_inline(client):
    for path in ("/docs", "/docs/oauth2-redirect"):
        html = (await client.get(path)).text
        page = Page(html)
        assert page.urls, path
        assert all(url.startswith("/docs/assets/") for url in page.urls), page.urls
        assert page.inline == [], page.inline
        assert "http" not in html
        assert "cdn." not in html
        assert "//" not in html


async def test_every_referenced_asset_is_served_with_its_type_and_headers(client):
    urls = set()
    for path in ("/docs", "/docs/oauth2-redirect"):
        urls |= set(Page((await client.get(path)).text).urls)
    assert {f"/docs/assets/{name}" for name in docs.ASSETS} == urls
    for url in sorted(urls):
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith(TYPES[url[url.rindex(".") :]]), url
        assert_locked_down(r.headers)
        assert "max-age=86400" in r.headers["cache-control"]


async def test_assets_revalidate_to_not_modified(client):
    first = await client.get("/docs/assets/swagger-ui-bundle.js")
    again = await client.get(
        "/docs/assets/swagger-ui-bundle.js", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert "max-age=86400" in again.headers["cache-control"]


async def test_only_the_listed_assets_are_reachable(client):
    for path in (
        "/docs/assets/index.html",  # the package's demo page, which loads the Petstore spec from elsewhere
        "/docs/assets/swagger-initializer.js",
        "/docs/assets/swagger-ui-bundle.js.map",
        "/docs/assets/index.j2",
        "/docs/assets/..%2f..%2f..%2fpyproject.toml",
        "/docs/assets/",
        "/redoc",
    ):
        assert (await client.get(path)).status_code == 404, path


def test_the_start_script_names_this_origins_spec_and_no_validator():
    source = docs.ASSETS["docs.js"].read_text()
    assert 'url: "/openapi.json"' in source
    assert "validatorUrl: null" in source
    assert "http" not in source.replace("window.location.origin", "")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


async def test_the_authorize_button_logs_in_at_auth_login_with_the_password_form(client):
    spec = (await client.get("/openapi.json")).json()
    assert "/docs" not in spec["paths"]
    schemes = spec["components"]["securitySchemes"].values()
    assert {"password": {"scopes": {}, "tokenUrl": "/auth/login"}} in [s.get("flows") for s in schemes]
    await client.post("/auth/signup", json={"email": "ann@example.com", "password": "long enough"})
    r = await client.post("/auth/login", data={"username": "ann@example.com", "password": "long enough"})
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"
