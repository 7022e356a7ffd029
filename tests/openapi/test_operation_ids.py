"""Every operation has an id a person would write (the handler's name in camelCase), unique, and a
tag; generated clients name their functions and modules after them."""

import re

import pytest

from todo_app.config import Settings
from todo_app.main import create_app
from todo_app.openapi import operation_id

CAMEL_CASE = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*")


@pytest.fixture
def document(settings: Settings) -> dict:
    return create_app(settings).openapi()


def operations(document: dict) -> list[tuple[str, dict]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_unique_camel_case_id(document):
    ids = [operation["operationId"] for _, operation in operations(document)]
    assert [label for label, op in operations(document) if not CAMEL_CASE.fullmatch(op["operationId"])] == []
    assert sorted(i for i in ids if ids.count(i) > 1) == []


def test_every_operation_has_a_tag_the_document_describes(document):
    assert [label for label, operation in operations(document) if not operation.get("tags")] == []
    described = {tag["name"]: tag["description"] for tag in document["tags"]}
    used = {tag for _, operation in operations(document) for tag in operation["tags"]}
    assert used == set(described)
    assert all(described.values())


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/tasks", "listTasks"),
        ("post", "/tasks", "createTask"),
        ("patch", "/tasks/{task_id}", "updateTask"),
        ("delete", "/tasks/{task_id}", "deleteTask"),
        ("post", "/auth/signup", "signup"),
        ("post", "/auth/login", "login"),
        ("get", "/auth/me", "getMe"),
        ("post", "/auth/logout-all", "logoutAll"),
        ("get", "/sync", "syncTasks"),
        ("get", "/health/ready", "checkReadiness"),
    ],
)
def test_ids_are_the_handler_names(document, method, path, expected):
    assert document["paths"][path][method]["operationId"] == expected


def test_camel_case_of_a_name():
    class Route:
        name = "list_tasks"

    assert operation_id(Route()) == "listTasks"  # type: ignore[arg-type]
    Route.name = "login"
    assert operation_id(Route()) == "login"  # type: ignore[arg-type]
