"""What openapi.py adds to every route from the shared machinery, and the answers it documents."""

import pytest

from tests.factories import make_user

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
async def document(client) -> dict:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def header_names(response: dict) -> set[str]:
    return set(response.get("headers", {}))


async def test_every_answer_documents_x_request_id(document):
    missing = [
        f"{label} {status}"
        for label, operation in operations(document)
        for status, response in operation["responses"].items()
        if "X-Request-ID" not in header_names(response)
    ]
    assert missing == []


async def test_answers_of_the_shared_machinery(document):
    signed_in = document["paths"]["/tasks"]["post"]["responses"]
    assert {"400", "401", "409", "413", "422", "503"} <= set(signed_in)
    assert header_names(signed_in["401"]) >= {"WWW-Authenticate"}
    assert header_names(signed_in["503"]) >= {"Retry-After"}
    login = document["paths"]["/auth/login"]["post"]["responses"]
    assert {"400", "401", "403", "415", "422", "429"} <= set(login)
    assert "Retry-After" in header_names(login["429"])
    assert "401" not in document["paths"]["/health/live"]["get"]["responses"]
    assert "503" not in document["paths"]["/health/live"]["get"]["responses"]


async def test_errors_are_documented_as_sent(document, client):
    schemas = document["components"]["schemas"]
    detail = schemas["HTTPValidationError"]["properties"]["detail"]
    assert {"type": "string"} in detail["anyOf"]  # errors.Unprocessable
    assert set(schemas["ValidationError"]["properties"]) == {"type", "loc", "msg", "ctx"}  # no `input`
    user = await make_user(client)
    r = await client.post(
        "/tasks", content=b"\xff\xfe\x00{", headers={**user["headers"], "Content-Type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert set(r.json()) == {"detail"}


async def test_listings_and_tasks_document_their_headers(document):
    listing = document["paths"]["/tasks"]["get"]["responses"]["200"]
    assert header_names(listing) >= {"X-Total-Count", "Link"}
    assert "X-Total-Count" in header_names(document["paths"]["/trash"]["get"]["responses"]["200"])
    task = document["paths"]["/tasks/{task_id}"]
    assert "ETag" in header_names(task["get"]["responses"]["200"])
    assert "ETag" in header_names(task["get"]["responses"]["304"])
    stale = task["patch"]["responses"]["412"]
    assert stale["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TaskPublic"}
    assert "ETag" in header_names(stale)


async def test_idempotency_key_is_documented_where_it_is_honoured(document):
    def takes_key(path: str, method: str) -> bool:
        parameters = document["paths"][path][method].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" for p in parameters)

    assert [takes_key("/tasks", method) for method in ("post", "patch", "get")] == [True, True, False]
    assert not takes_key("/tasks/{task_id}", "put")


async def test_password_rules_are_in_the_schema(document):
    password = document["components"]["schemas"]["SignupRequest"]["properties"]["password"]
    assert password["minLength"] == 8
    assert password["maxLength"] == 72
    assert "72 bytes in UTF-8" in password["description"]


async def test_fields_that_cannot_be_null_are_not_documented_as_nullable(document):
    fields = document["components"]["schemas"]["TaskUpdate"]["properties"]
    for name in ("title", "completed", "priority", "tags"):
        assert "anyOf" not in fields[name] or {"type": "null"} not in fields[name]["anyOf"], name
        assert fields[name].get("default", "left out") is not None, name
    assert {"type": "null"} in fields["description"]["anyOf"]  # this one may be cleared


async def test_parameters_are_never_null(document):
    nullable = [
        f"{label} {parameter['name']}"
        for label, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if {"type": "null"} in parameter["schema"].get("anyOf", [])
    ]
    assert nullable == []


async def test_options_lists_every_method_of_the_path(client):
    r = await client.options("/tasks")
    assert r.status_code == 204
    assert r.headers["allow"] == "DELETE, GET, OPTIONS, PATCH, POST"
    r = await client.options("/tasks/1")
    assert r.headers["allow"] == "DELETE, GET, OPTIONS, PATCH, PUT"


async def test_a_method_not_allowed_lists_every_method_of_the_path(client):
    r = await client.put("/tasks")
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE, GET, OPTIONS, PATCH, POST"
    assert r.json() == {"detail": "Method Not Allowed"}


async def test_unknown_paths_and_static_files_keep_their_answers(client):
    assert (await client.options("/nowhere")).status_code == 404
    assert (await client.post("/static/app.js")).status_code == 405
