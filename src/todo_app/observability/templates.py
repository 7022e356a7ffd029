"""The route template of a request (`/tasks/{task_id}`), for logs, metrics and traces: a path can hold
ids and secrets (the calendar feed's), its template holds neither."""

from starlette.types import Scope

UNMATCHED = "<unmatched>"


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that served the request; for a mounted app (static files) its
    prefix and `{path}`; `<unmatched>` when no route took the request."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str):
        return template
    mounted: str = scope.get("root_path", root_path)
    if mounted != root_path:
        return mounted.removeprefix(root_path) + "/{path}"
    return UNMATCHED
