"""Schemathesis against the app in-process: every phase (examples, coverage, fuzzing, stateful) and
every check, signed in with real tokens of two users who sign up first (the second lets
object_level_authorization try to read the first one's tasks), on the database the fixtures chose
(SQLite, or PostgreSQL with TEST_DATABASE_URL). Zero failures: the OpenAPI document is what the
service does.

The run is reproducible (a fixed seed, derandomized Hypothesis, no example database or cache kept
between runs: it prints how many requests each phase sent, the same every time) and bounded for CI
(MAX_EXAMPLES per operation, one worker: about 30 s)."""

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData, UseAfterFree
from schemathesis.python import asgi

from tests.factories import PASSWORD
from todo_app.config import Settings
from todo_app.main import create_app
from todo_app.users.service import WRONG_PASSWORD

SEED = 20261125
MAX_EXAMPLES = 25
USERS = {"ann": "ann@example.com", "bob": "bob@example.com"}  # requests are ann's; bob is her peer

CONFIG = {
    "seed": SEED,
    "workers": 1,
    "cache": {"enabled": False},
    # No NUL characters: the service refuses them in all text, as the API description says.
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "allow-x00": False,
    },
    "phases": {"stateful": {"max-steps": 20}},
    "checks": {
        # Schema-valid data may meet stored state: 412 (If-Match names an older version) joins
        # Schemathesis's defaults, which already count 404 and 409 as such answers.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
        }
    },
    "operations": [
        # An open event stream never ends: in-process there is no client to hang up. Its rules
        # have their own tests (tests/events/).
        {"include-operation-id": "streamEvents", "enabled": False},
    ],
}


def sign_in_as(users: dict[str, str]) -> dict:
    """A Web Fuzzing Commons auth document: each user logs in with POST /auth/login and sends its
    token as a bearer token. A token a stateful step signed out (POST /auth/logout, /logout-all) is
    replaced by logging in again; object_level_authorization replays one user's reads as another."""
    return {
        "auth": [
            {
                "name": name,
                "loginEndpointAuth": {
                    "endpoint": "/auth/login",
                    "verb": "POST",
                    "contentType": "application/json",
                    "payloadUserPwd": {
                        "username": email,
                        "usernameField": "email",
                        "password": PASSWORD,
                        "passwordField": "password",
                    },
                    "token": {
                        "extractFrom": "body",
                        "extractSelector": "/access_token",
                        "sendIn": "header",
                        "sendName": "Authorization",
                        "sendTemplate": "Bearer {token}",
                    },
                },
            }
            for name, email in users.items()
        ]
    }


# Schemathesis's positive_data_acceptance check counts any 4xx to data the schema allows as a
# failure. Two kinds of rules no JSON Schema can state are accepted:
# - errors.Unprocessable: a 422 whose `detail` is one message, for a request that is well-formed but
#   cannot be applied (quick-add grammar, signed cursors, a reused Idempotency-Key, rules that tie
#   fields or query parameters together or depend on the stored task);
# - these rules of single fields, by the `type` of their error item.
RULES_BEYOND_JSON_SCHEMA = {
    "title_or_text": "POST /tasks takes exactly one of title and text (quick add)",
    "due_time_without_date": "a due_time needs a due_date, sent with it or already on the task",
    "nothing_to_change": "PATCH /tasks needs one field it knows (minProperties counts unknown ones)",
    "password_too_common": "a new password is not one of the most common ones (a list)",
    "password_too_long": "a password is at most 72 bytes in UTF-8 (maxLength counts characters)",
    "timezone_unknown": "a time zone exists in the server's tz database",
    "at_out_of_range": "a reminder's time, once in UTC, falls in the years 1900-9998",
}


def _beyond_json_schema(failure: Failure, case: schemathesis.Case, response: object) -> bool:
    """False (drop the failure) for a rejection of schema-valid data that one of the rules above
    explains, or that the wrong password of the account does (400)."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    if not _headers_as_documented(case):
        return False
    try:
        detail = json.loads(response.content)["detail"]  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError):
        return True
    if isinstance(detail, str):
        return not (failure.status_code == 422 or detail == WRONG_PASSWORD)
    return not all(item["type"] in RULES_BEYOND_JSON_SCHEMA for item in detail)


def _headers_as_documented(case: schemathesis.Case) -> bool:
    """Whether the case's headers match their documented patterns. The coverage phase draws header
    values from [A-Za-z0-9] alone and still calls them valid when the pattern needs more (If-Match
    needs quotes): such a case is not schema-valid data, whatever Schemathesis says."""
    sent = {name.lower(): value for name, value in (case.headers or {}).items()}
    for parameter in case.operation.definition.raw.get("parameters", []):
        value = sent.get(parameter["name"].lower()) if parameter["in"] == "header" else None
        pattern = parameter.get("schema", {}).get("pattern")
        if isinstance(value, str) and pattern and re.search(pattern, value) is None:
            return False
    return True


class Restores:
    """use_after_free knows that a POST to a path re-creates what the path names; a deleted task
    comes back from the trash by POST /trash/{task_id}/restore instead. This follows which task ids
    were restored since they were last deleted, so that reading those is no use-after-free."""

    def __init__(self) -> None:
        self.back: set[str] = set()

    def saw(self, case: schemathesis.Case, response: schemathesis.Response) -> None:
        if 200 <= response.status_code < 300 and "task_id" in (case.path_parameters or {}):
            task_id = str(case.path_parameters["task_id"])
            if case.operation.path == "/trash/{task_id}/restore":
                self.back.add(task_id)
            elif case.operation.path == "/tasks/{task_id}" and case.method == "DELETE":
                self.back.discard(task_id)

    def explain(self, failure: Failure) -> bool:
        task = re.fullmatch(r"DELETE /tasks/(\d+)", getattr(failure, "free", ""))
        return isinstance(failure, UseAfterFree) and task is not None and task[1] in self.back


@pytest.fixture
def schema(settings: Settings, tmp_path: Path) -> Iterator[schemathesis.BaseSchema]:
    """The app's schema, loaded from its /openapi.json; the app runs (its lifespan too) in
    Schemathesis's own event loop thread until the test ends."""
    users = tmp_path / "users.json"
    users.write_text(json.dumps(sign_in_as(USERS)))
    auth = {"auto-signup": False, "wfc": {"path": str(users), "user": "ann", "peers": list(USERS)}}
    app = create_app(settings)
    try:
        loaded = schemathesis.openapi.from_asgi(
            "/openapi.json", app, config=schemathesis.Config.from_dict({**CONFIG, "auth": auth})
        )
        restores = Restores()

        @loaded.hook("after_call")
        def after_call(_: object, case: schemathesis.Case, response: schemathesis.Response) -> None:
            restores.saw(case, response)

        @loaded.hook("filter_failure")
        def filter_failure(_: object, failure: Failure, case: schemathesis.Case, response: object) -> bool:
            return _beyond_json_schema(failure, case, response) and not restores.explain(failure)

        with asgi.get_client(app) as client:
            for email in USERS.values():
                r = client.post("/auth/signup", json={"email": email, "password": PASSWORD})
                assert r.status_code == 201, r.text
        yield loaded
    finally:
        asgi.shutdown_lifespans()


@pytest.mark.timeout(300)
# Schemathesis's own coverage strategies draw with `random`; nothing of ours to fix.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_schemathesis_finds_nothing(schema: schemathesis.BaseSchema) -> None:
    problems: list[str] = []
    phases: dict[str, str] = {}
    requests: Counter[str] = Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            problems.extend(_failures(event))
            requests[event.phase.value] += len(event.recorder.interactions)
        elif isinstance(event, events.NonFatalError):
            problems.append(f"ERROR in {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"FATAL: {event.exception!r}")
        elif isinstance(event, events.PhaseFinished):
            phases[event.phase.name.value] = event.status.value
        elif isinstance(event, events.EngineFinished):
            problems.extend(
                f"after the run: {failure.title}: {failure.message}" for failure in event.failures
            )
    summary = f"phases {phases}; requests by phase {dict(requests)}"
    print(summary)  # the same on every run: the run is reproducible
    assert not problems, f"{len(problems)} problem(s) ({summary}):\n\n" + "\n\n".join(problems)
    assert all(phases[phase] == "success" for phase in ("examples", "coverage", "fuzzing", "stateful")), (
        summary
    )


def _failures(event: events.ScenarioFinished) -> Iterator[str]:
    seen: set[str] = set()
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            failure = check.failure_info.failure
            interaction = event.recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            answer = f"[{response.status_code}] {response.content[:500]!r}" if response is not None else ""
            text = (
                f"[{event.phase.value}] {event.recorder.label}: {failure.title} ({check.name})\n"
                f"{failure.message}\n{check.failure_info.code_sample}\n{answer}"
            )
            if text not in seen:
                seen.add(text)
                yield text
