"""The OpenAPI document at /openapi.json, made to tell the truth without each route repeating it.

FastAPI documents what a route declares. What the shared machinery answers is added here, from what
each route depends on, so a new route is documented like the others without doing anything:

- operation ids from the handler's name in camelCase (`list_tasks` -> `listTasks`), a tag per router
  (the first path segment for a route without one);
- 401 (with `WWW-Authenticate`) where the route needs the caller (deps.get_session), 503 (with
  `Retry-After`) where it uses the database (deps.get_db), 429 (with `Retry-After`) where a rate limit
  applies (deps.get_limits, users/guard.py) and 403 where the /auth door refuses other sites;
  422 where anything is validated, 400 (unreadable) and 413 (too large, middleware.BodyLimit) where a
  body is accepted; each with the error body the app sends. (The 431 of http_limits.py is the HTTP
  server's, before any route, like a malformed request line: not an answer of an operation.)
- `Idempotency-Key` and its 409/422 where idempotency/middleware.py honours it;
- response headers: `X-Request-ID` on every answer, `X-Total-Count` on listings by pages (those
  with a `limit`; `Link` where they take a `cursor`), `ETag` on single-task answers and 304s; a 412
  carries the current resource.

What a route documents itself is kept: a description, a body schema, or headers it declares.
"""

import copy
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from todo_app import deps
from todo_app.idempotency import middleware as idempotency
from todo_app.idempotency.models import KEY_MAX
from todo_app.users.guard import GUARDED_PATHS

Document = dict[str, Any]
ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/HTTPValidationError"}
ETAG_SCHEMAS = frozenset({"#/components/schemas/TaskPublic"})  # what answers with its ETag
STATUS_DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8, or not parseable)",
    401: "No valid bearer token (missing, malformed, expired or signed out)",
    403: "Sent by a web page of another site (an Origin not allowed)",
    409: "A request with this Idempotency-Key is still being served; retry shortly",
    413: "The body is larger than 1 MiB",
    422: "A parameter or the body breaks a rule; `detail` says which",
    429: "Too many requests; try again after Retry-After seconds",
    503: "The database is unavailable, or the server is restarting; try again after Retry-After seconds",
}
HEADERS: dict[str, Document] = {
    "X-Request-ID": {
        "description": "The request's id: the caller's X-Request-ID when it is 1-128 of "
        "[A-Za-z0-9._-], else a new one. Logged with every line about the request",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Retry-After-If-Idempotent": {  # sent as Retry-After
        "description": "Seconds to wait: sent when the conflict is an Idempotency-Key still in use",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "WWW-Authenticate": {"required": True, "schema": {"type": "string", "enum": ["Bearer"]}},
    "X-Total-Count": {
        "description": "How many items match, over all pages",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Link": {
        "description": 'The next page, while more remain: `<url>; rel="next"`',
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The resource's version as an entity tag (send it as If-Match or If-None-Match)",
        "required": True,
        "schema": {"type": "string", "pattern": '^(W/)?"[\\x21\\x23-\\x7e\\x80-\\xff]*"$'},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same key",
        "schema": {"type": "string", "enum": ["true"]},
    },
}
SCHEMAS: dict[str, Document] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string", "description": "What went wrong, for a person"}},
    },
    # The shape errors.py sends: FastAPI's own items without `input` (it could echo a password), or
    # one message for a rule no single field breaks (errors.Unprocessable).
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {
                "anyOf": [
                    {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                    {"type": "string"},
                ]
            }
        },
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "required": ["type", "loc", "msg"],
        "properties": {
            "type": {"type": "string", "description": "The rule broken, e.g. `missing`"},
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "Where: `body`, `query`, `path` or `header`, then names and indexes",
            },
            "msg": {"type": "string"},
            "ctx": {"type": "object", "description": "The rule's parameters, e.g. `min_length`"},
        },
    },
}


CONVENTIONS = """\
Every answer carries `X-Request-ID` (yours, when you send a valid one). Errors are JSON `{"detail": ...}`:
a message, or for a 422 a list of the rules broken (`type`, `loc`, `msg`). Text is UTF-8 and never
contains NUL (U+0000). Writes under /tasks take an `Idempotency-Key` to be retried safely."""


def operation_id(route: APIRoute) -> str:
    """FastAPI's `generate_unique_id_function`: the handler's name in camelCase."""
    first, *rest = route.name.strip("_").split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document as /openapi.json, built once on first use."""

    def openapi() -> Document:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> Document:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        servers=app.servers,
    )
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(copy.deepcopy(SCHEMAS))
    for model in components["schemas"].values():
        for field in model.get("properties", {}).values():
            if "default" in field and field["default"] is None and not _takes_null(field):
                del field["default"]  # a field that may be left out but not sent as null
    components["headers"] = copy.deepcopy(HEADERS)
    tags: dict[str, str] = {}
    for route in iter_route_contexts(app.routes):  # as included: prefixes and dependencies applied
        handler = route.original_route
        if not isinstance(handler, APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(handler.methods or ()):
            operation = document["paths"][route.path_format][method.lower()]
            _complete(operation, route, method, document)
            for tag in operation["tags"]:
                tags.setdefault(tag, _summary(handler.endpoint))
    document["tags"] = [{"name": name, "description": text} for name, text in tags.items()]
    document["info"]["description"] = f"{document['info'].get('description', '')}\n\n{CONVENTIONS}".strip()
    return document


def _complete(operation: Document, route: Any, method: str, document: Document) -> None:
    path = route.path_format
    calls = set(_calls(route.dependant))
    has_body = "requestBody" in operation
    for parameter in operation.get("parameters", []):
        parameter["schema"] = _not_null(parameter["schema"])
    if not operation.get("tags"):
        operation["tags"] = [path.strip("/").split("/")[0] or "service"]
    answers: dict[int, Document] = {}
    if has_body:
        answers |= {400: {}, 413: {}}
    if has_body or operation.get("parameters"):
        answers[422] = {}
    if deps.get_session in calls:
        answers[401] = {"headers": ["WWW-Authenticate"]}
    if path in GUARDED_PATHS:
        answers[403] = {}
    if path in GUARDED_PATHS or deps.get_limits in calls:
        answers[429] = {"headers": ["Retry-After"]}
    if deps.get_db in calls:
        answers[503] = {"headers": ["Retry-After"]}
    if idempotency.applies(method, path):
        answers |= {409: {"headers": ["Retry-After"]}, 422: {}}
        if "409" in operation["responses"]:  # the route's own conflicts come without Retry-After
            answers[409] = {"headers": ["Retry-After-If-Idempotent"]}
        operation.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY))
    responses = operation["responses"]
    for status, extra in answers.items():
        response = responses.setdefault(str(status), {"description": STATUS_DESCRIPTIONS[status]})
        for name in extra.get("headers", []):
            response.setdefault("headers", {})[name.removesuffix("-If-Idempotent")] = _header(name)
    for status, response in responses.items():
        _complete_response(int(status), response, operation, method, path, document)


IDEMPOTENCY_KEY: Document = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send a retried write with the key of the first attempt: it is applied once and "
    "the first answer is given again (24 h). 1-255 visible ASCII characters, once",
    "schema": {"type": "string", "pattern": f"^[\\x21-\\x7e]{{1,{KEY_MAX}}}$"},
}


def _complete_response(
    status: int, response: Document, operation: Document, method: str, path: str, document: Document
) -> None:
    headers = response.setdefault("headers", {})
    headers.setdefault("X-Request-ID", _header("X-Request-ID"))
    content = response.get("content", {}).get("application/json")
    if status == 412 and not response.get("content"):
        current = _resource_schema(operation, path, document)
        if current is not None:
            response["content"] = {"application/json": {"schema": current}}
            content = response["content"]["application/json"]
    if status == 422:
        response["content"] = {"application/json": {"schema": VALIDATION_ERROR}}
    elif status >= 400 and not response.get("content"):
        response["content"] = {"application/json": {"schema": ERROR}}
    schema = (content or {}).get("schema", {})
    if status == 304 or schema.get("$ref") in ETAG_SCHEMAS:
        headers.setdefault("ETag", _header("ETag"))
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    is_page = method == "GET" and schema.get("type") == "array" and 200 <= status < 300 and "limit" in query
    if is_page and set(headers) == {"X-Request-ID"}:  # a route that declares its own headers knows
        headers["X-Total-Count"] = _header("X-Total-Count")
        if "cursor" in query:
            headers["Link"] = _header("Link")
    if idempotency.applies(method, path) and status < 500:
        headers.setdefault("Idempotent-Replayed", _header("Idempotent-Replayed"))


def _header(name: str) -> Document:
    return {"$ref": f"#/components/headers/{name}"}


def _resource_schema(operation: Document, path: str, document: Document) -> Document | None:
    """What a 412 carries: the current resource, as this operation's 2xx or the path's GET shows it."""
    candidates = [operation, document["paths"][path].get("get", {})]
    for candidate in candidates:
        for status, response in candidate.get("responses", {}).items():
            schema: Document | None = response.get("content", {}).get("application/json", {}).get("schema")
            if status.startswith("2") and schema is not None:
                return schema
    return None


def _not_null(schema: Document) -> Document:
    """A parameter is either sent, as text, or left out: `null` cannot be sent, so it is not offered."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return schema
    rest = [option for option in options if option != {"type": "null"}]
    outer = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**outer, **rest[0]} if len(rest) == 1 else {**outer, "anyOf": rest}


def _takes_null(schema: Document) -> bool:
    options = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return any(option.get("type") == "null" for option in options)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _summary(endpoint: Callable[..., Any]) -> str:
    """A tag's description: the first sentence of its routes' module docstring."""
    module = inspect.getmodule(endpoint)
    text = " ".join(((module.__doc__ if module else None) or "").split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""
