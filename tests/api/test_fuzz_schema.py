"""schemathesis against our own OpenAPI schema, in-process, as every role.

Every operation gets generated requests, valid and invalid, from frontline, manager and admin
tokens and anonymously. No answer may be a 5xx, and every status code must be one the schema
documents (the schema is honest about its 400/401/403/404/409 answers). Fixed seed: a failure
replays the same way. At least FUZZ_MIN_REQUESTS (2,000) requests in all; `FUZZ_EXAMPLES` raises
the number of examples per operation for a longer run (`scripts/fuzz`).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from accounts.services import token_create
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
MIN_REQUESTS = int(os.environ.get("FUZZ_MIN_REQUESTS", "2000"))


@pytest.fixture
def schema(db):
    # In-process requests share the test's transaction, as Django's test client does: the WSGI
    # handler must not close the connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(frontline, manager, admin_user):
    def token(user):
        return {"Authorization": f"Token {token_create(user=user)}"}

    return {"anonymous": {}, "frontline": token(frontline), "manager": token(manager), "admin": token(admin_user)}


def _fuzz_operation(operation, headers, mode, counter):
    @seed(20261125)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        counter["requests"] += 1
        counter[response.status_code] = counter.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

    try:
        run()
    except Unsatisfiable:
        # Nothing invalid can be generated for it (no parameters, no body): the valid run covers it.
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be generated"


def test_no_generated_request_gets_a_server_error_and_every_status_is_documented(schema, role_headers, team, other_team):
    counter = {"requests": 0}
    # Logging out revokes the role's token, so it runs last for each role.
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.path == "/api/auth/logout/")
    assert len(operations) >= 5
    for role, headers in role_headers.items():
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz_operation(operation, headers, mode, counter)
    print(f"\nschemathesis: {counter['requests']} requests over {len(operations)} operations x 4 roles; statuses {counter}")
    assert counter["requests"] >= MIN_REQUESTS, f"only {counter['requests']} requests: raise FUZZ_EXAMPLES"
