"""The whole API fuzzed from its own OpenAPI description (schemathesis + hypothesis), in-process over WSGI.

For every operation: generated and boundary inputs (Chinese text, emoji, very long strings, invalid dates,
negative and huge numbers, wrong types), as head office (every permission) and as a branch officer. Checks:
no response is a 500, and every response conforms to the schema the API declares for it. Bounded by
`XIAOBAO_FUZZ_EXAMPLES` examples per operation (default 6) so the suite stays fast.
"""

from __future__ import annotations

import os
import re

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


# --- deterministic sweeps of what the generated cases missed (issue 12 item 8) ------------------------------
# Every route, from the same OpenAPI description: huge integers in every integer query and path parameter,
# malformed multipart on every upload, a deeply nested JSON body on every JSON route, an oversized body,
# unknown paths and wrong methods. Each answer is below 500 and in the API's error shape.

HUGE = ["2928128701453396082688", "-2928128701453396082688", "9223372036854775808", "1e400"]


def _operations() -> list[tuple[str, str, dict]]:
    from xiaobao.api import api

    spec = api.get_openapi_schema(path_prefix="/api/v1/")
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()]


def _int_params(op: dict, where: str) -> list[str]:
    return [
        p["name"]
        for p in op.get("parameters", [])
        if p["in"] == where and p.get("schema", {}).get("type") == "integer"
    ]


def _fill(path: str, value: str = "1") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _assert_error_shape(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response.content[:300]
        assert set(response.json()) == {"code", "message", "fields"}, response.json()


GET_INT_QUERIES = [
    (path, name) for method, path, op in _operations() if method == "get" for name in _int_params(op, "query")
]
INT_PATHS = [(method, path) for method, path, op in _operations() if _int_params(op, "path")]
UPLOADS = [
    (method, path)
    for method, path, op in _operations()
    if "multipart/form-data" in (op.get("requestBody") or {}).get("content", {})
]
JSON_BODIES = [
    (method, path)
    for method, path, op in _operations()
    if method != "get" and "multipart/form-data" not in (op.get("requestBody") or {}).get("content", {})
]


def test_the_sweeps_cover_the_routes_the_review_named():
    assert ("/api/v1/imports", "offset") in GET_INT_QUERIES
    assert ("post", "/api/v1/complaints/{complaint_id}/actions/{action}") in JSON_BODIES
    assert ("post", "/api/v1/imports") in UPLOADS


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), GET_INT_QUERIES)
def test_huge_integers_in_every_integer_query_parameter(api_for, power_b1, path, name):
    client = api_for(power_b1)
    for value in HUGE:
        _assert_error_shape(client.get(_fill(path), {name: value}))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), INT_PATHS)
def test_huge_integers_in_every_integer_path_parameter(api_for, power_b1, method, path):
    client = api_for(power_b1)
    for value in HUGE[:3]:
        if method == "get":
            response = client.get(_fill(path, value))
        else:
            response = getattr(client, method)(_fill(path, value), "{}", content_type="application/json")
        _assert_error_shape(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), UPLOADS)
@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=x",
        "multipart/form-data; boundary=" + "b" * 300,
        "multipart/form-data; boundary=x; charset=nope",
    ],
)
def test_malformed_multipart_on_every_upload(api_for, power_b1, method, path, content_type):
    client = api_for(power_b1)
    for body in [b"", b"--x\r\n", b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nPK\x03\x04']:
        response = client.generic(method.upper(), _fill(path), body, content_type=content_type)
        _assert_error_shape(response)
        assert response.status_code >= 400


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), JSON_BODIES)
def test_deep_json_on_every_json_route(api_for, power_b1, method, path):
    client = api_for(power_b1)
    for body in ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, '{"note": ' + "[" * 5000]:
        response = getattr(client, method)(_fill(path), body, content_type="application/json")
        _assert_error_shape(response)
        assert response.status_code >= 400


@pytest.mark.django_db
def test_an_oversized_body_on_every_json_route(api_for, power_b1, settings):
    client = api_for(power_b1)
    body = b'{"note": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    for method, path in JSON_BODIES:
        response = getattr(client, method)(_fill(path), body, content_type="application/json")
        _assert_error_shape(response)
        assert 400 <= response.status_code < 500, (method, path, response.status_code)


@pytest.mark.django_db
def test_unknown_paths_and_wrong_methods(api_for, client, power_b1):
    known = {path for _, path, _ in _operations()}
    for c in (api_for(power_b1), client):
        for path in ["/api/v1/x", "/api/v1/complaints/1/x/y", "/api/v2/complaints", "/api/v1/imports/"]:
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(c, method)(path)
                _assert_error_shape(response)
                assert response.status_code >= 400
        for path in sorted(known):
            _assert_error_shape(c.generic("TRACE", _fill(path)))
