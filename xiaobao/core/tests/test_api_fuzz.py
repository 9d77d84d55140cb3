"""The whole API fuzzed from its own OpenAPI description (schemathesis + hypothesis), in-process over WSGI.

For every operation: generated and boundary inputs (Chinese text, emoji, very long strings, invalid dates,
negative and huge numbers, wrong types), as head office (every permission) and as a branch officer. Checks:
no response is a 500, and every response conforms to the schema the API declares for it. Bounded by
`XIAOBAO_FUZZ_EXAMPLES` examples per operation (default 6) so the suite stays fast.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from xiaobao.wsgi import application

EXAMPLES = int(os.environ.get("XIAOBAO_FUZZ_EXAMPLES", "6"))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application directly fires request_started/finished, whose handler closes the
    database connection — the test's own. Django's test Client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["hq_officer", "branch_officer"])
def bearer(request, org, power_b1):
    from xiaobao.core.services.accounts import api_token_create

    user = request.getfixturevalue(request.param)
    _, raw = api_token_create(actor=user, user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_no_server_errors_and_responses_match_the_schema(case, bearer):
    response = case.call(headers=bearer)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
