"""The API docs at `/docs`: Swagger UI from the installed swagger-ui-bundle-v2 package (never a CDN),
under a policy that lets the page load nothing from any other origin. This origin keeps the web UI's
bearer token in localStorage, so a script from elsewhere running here could read it.

ReDoc is not served: FastAPI's `/redoc` loads it from a CDN too, and the one package that ships it
offline comes with Django."""

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from swagger_ui_bundle import swagger_ui_path

PAGES = Path(__file__).parent / "docs_static"
SWAGGER_UI = Path(str(swagger_ui_path))

# What /docs/assets/ serves, by name; nothing else of the package (its demo page that loads the
# Petstore spec from elsewhere, its source maps) is reachable.
ASSETS = {
    "docs.js": PAGES / "docs.js",
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "oauth2-redirect.js": SWAGGER_UI / "oauth2-redirect.js",
    "favicon-32x32.png": SWAGGER_UI / "favicon-32x32.png",
}

# Swagger UI styles through React (the CSS object model), which 'self' allows: no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# A day, then revalidated by ETag: the files change only with a package or an app upgrade.
ASSET_HEADERS = {**PAGE_HEADERS, "Cache-Control": "public, max-age=86400"}

router = APIRouter(prefix="/docs", include_in_schema=False)


@router.get("")
async def docs() -> FileResponse:
    return FileResponse(PAGES / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/oauth2-redirect")
async def oauth2_redirect() -> FileResponse:
    """Where Swagger UI's redirect-based OAuth2 flows come back to (the password flow needs none)."""
    return FileResponse(
        PAGES / "oauth2-redirect.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


class _Assets(StaticFiles):
    """StaticFiles (types, ETags, 304s) over the ASSETS allow-list, with the pages' headers."""

    def __init__(self) -> None:
        super().__init__(directory=PAGES)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        file = ASSETS.get(path)
        return (str(file), os.stat(file)) if file else ("", None)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(ASSET_HEADERS)
        return response


def install_docs(app: FastAPI) -> None:
    """Create the app with `docs_url=None, redoc_url=None` so FastAPI's CDN pages are not there too."""
    app.include_router(router)
    app.mount("/docs/assets", _Assets(), name="docs-assets")
