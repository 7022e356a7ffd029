"""The UI is served by the app itself, locked down by its headers, and adds no catch-all route."""

import re
from pathlib import Path

import todo_app.web.routes as web

STATIC = Path(web.__file__).parent / "static"


async def test_index_is_served_with_a_strict_policy(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


async def test_assets_are_served_with_their_types(client):
    for path, kind in (("/static/app.js", "javascript"), ("/static/app.css", "text/css")):
        r = await client.get(path)
        assert r.status_code == 200
        assert kind in r.headers["content-type"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_no_inline_script_or_style_and_no_html_injection_sinks():
    html = (STATIC / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for script in STATIC.glob("*.js"):
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{script.name} uses {sink}"


async def test_unknown_paths_are_still_404(client):
    for path in (
        "/nope",
        "/tasks/extra/segments",
        "/static/missing.js",
        "/index.html",
        "/static/../pyproject.toml",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path


async def test_the_ui_is_not_in_the_api_schema(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/" not in paths
