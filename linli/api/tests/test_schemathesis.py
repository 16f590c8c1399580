"""The API does what its served OpenAPI document says, found by fuzzing (schemathesis, every check).

Requests are generated from /api/schema/ as served and sent to the WSGI application in-process: valid ones
must be accepted, invalid ones refused, and every answer must have a documented status, content type,
headers and body, never a server error. Run logged in as district command (who may do everything the API
offers) and logged out. POSTs carry a real CSRF cookie and matching header: session authentication checks
them as it would for a browser, nothing is switched off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from linli.accounts.choices import Role

# Examples per operation and phase; the suite's time, not the fuzzer's appetite, sets it.
MAX_EXAMPLES = 12
CSRF_TOKEN = "LinliSchemathesisCsrfToken000001"  # 32 characters of the alphabet Django's tokens use


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    # Requests go to the WSGI handler directly, which closes the database connection after each one and
    # would end the test's transaction on PostgreSQL; Django's own test client detaches the same receiver.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(api_schema: Any, send: Callable[[Any], None]) -> int:
    """Send MAX_EXAMPLES valid and MAX_EXAMPLES invalid requests per operation; report every operation that fails.

    schemathesis's own pytest decorator reads a private attribute pytest 9 no longer has, so each operation
    gets its own Hypothesis test here, which also keeps the number of requests per operation bounded.
    """
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in GenerationMode:

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                send(case)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried before the test fails
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    return operations


# Derandomised: CI sees the same requests on every run, so a failure is a change in the code, not luck.
FUZZ = settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)


def test_api_conforms_logged_in(api_schema: Any, world: Any, client: Any) -> None:
    from linli.tests.matrix_people import make_people

    make_people(world)  # the registry's lists and answers are checked against their schemas with rows in them
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    session = client.cookies["sessionid"].value

    # Given to schemathesis as the schema's authentication, so its ignored_auth check knows what to strip
    # when it probes that the same request without (or with forged) credentials is refused.
    @api_schema.auth()
    class DistrictCommandSession:
        def get(self, case: Any, context: Any) -> str:
            return session

        def set(self, case: Any, data: str, context: Any) -> None:
            case.cookies = {**(case.cookies or {}), "sessionid": data, "csrftoken": CSRF_TOKEN}
            case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}

    assert fuzz(api_schema, lambda case: case.call_and_validate()) >= 10


def test_api_conforms_logged_out(api_schema: Any, world: Any) -> None:
    def send(case: Any) -> None:
        response = case.call_and_validate()
        # An address that names no resource at all (an id that is not an id) may say so before asking who calls.
        no_such_address = case.meta.generation.mode.is_negative and "{" in case.operation.path
        allowed = {401, 403, 404} if no_such_address else {401, 403}
        assert response.status_code in allowed, f"{case.operation.label} answered {response.status_code} logged out"

    fuzz(api_schema, send)
