"""JSON answers built straight from service results."""

from typing import Any

from fastapi import Response
from pydantic_core import to_json


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Rows straight to JSON. The services select exactly the public models' columns, so FastAPI's
    re-validation of every row against `response_model` (kept for the OpenAPI schema) is skipped:
    on the list route it cost more CPU than the query."""
    return Response(to_json(data), status_code=status_code, media_type="application/json", headers=headers)
