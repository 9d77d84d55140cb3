"""Inputs the API fuzzer found answered with a 500 (now 422 with a field message)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "新规则"}, "days"),  # a new rule without its number of days
        ({"days": 15, "extensions": [{"to_days": "thirty"}]}, "extensions"),
        ({"days": 15, "extensions": "30"}, "extensions"),
        ({"days": 10**12}, "days"),
    ],
)
def test_deadline_rule_with_bad_days_is_a_field_error(api_for, hq_officer, body, field):
    response = api_for(hq_officer).put(
        "/api/v1/deadline-rules/new-rule", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/complaints", "/api/v1/imports"])
def test_a_huge_page_size_is_refused_not_a_database_overflow(api_for, hq_officer, path):
    response = api_for(hq_officer).get(f"{path}?limit=1467111764861686342746112")
    assert response.status_code == 422
    assert api_for(hq_officer).get(f"{path}?limit=1000").status_code == 200


# --- issue 12 item 8: every API answer in the one error shape, never a 500 ---------------------------------


def _error_shaped(response, status: int | None = None) -> dict:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"]
    return body


@pytest.mark.parametrize("param", ["offset", "limit"])
@pytest.mark.parametrize("path", ["/api/v1/imports", "/api/v1/complaints", "/api/v1/reports"])
def test_a_huge_offset_is_a_field_error(api_for, power_b1, path, param):
    response = api_for(power_b1).get(f"{path}?{param}=2928128701453396082688")
    body = _error_shaped(response, 422)
    assert param in body["fields"]


def _multipart_operations() -> list[tuple[str, str]]:
    from xiaobao.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if "multipart/form-data" in (op.get("requestBody") or {}).get("content", {}):
                found.append((method, path.replace("{", "").replace("}", "")))
    return found


def test_the_upload_endpoints_are_found():
    paths = {p for _, p in _multipart_operations()}
    assert {"/api/v1/imports", "/api/v1/org-units/import"} <= paths
    assert any(p.endswith("/attachments") for p in paths)


@pytest.mark.parametrize(("method", "path"), _multipart_operations())
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\x00x"],
)
def test_multipart_without_a_usable_boundary_is_a_400(api_for, power_b1, method, path, content_type):
    path = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))
    client = api_for(power_b1)
    response = getattr(client, method)(path, b"--x\r\nbroken", content_type=content_type)
    _error_shaped(response, 400)


@pytest.mark.parametrize(("method", "path"), _multipart_operations())
def test_truncated_multipart_is_a_400(api_for, power_b1, method, path):
    path = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK'
    response = getattr(api_for(power_b1), method)(path, body, content_type="multipart/form-data; boundary=b")
    assert response.status_code in (400, 404, 422), response.content[:300]
    _error_shaped(response)


def test_deeply_nested_json_on_an_action_is_a_400(api_for, power_b1):
    body = "[" * 1000 + "]" * 1000
    response = api_for(power_b1).post(
        "/api/v1/complaints/1/actions/note", body, content_type="application/json"
    )
    _error_shaped(response, 400)
    nested = '{"note": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    response = api_for(power_b1).post("/api/v1/consumers/1/reveal", nested, content_type="application/json")
    _error_shaped(response)


def test_an_oversized_body_is_a_413_in_the_error_shape(api_for, power_b1, settings):
    body = b'{"note": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    response = api_for(power_b1).post(
        "/api/v1/complaints/1/actions/note", body, content_type="application/json"
    )
    _error_shaped(response, 413)


def test_too_many_form_fields_is_a_400_in_the_error_shape(api_for, power_b1, settings):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    response = api_for(power_b1).post(
        "/api/v1/imports", body, content_type="application/x-www-form-urlencoded"
    )
    _error_shaped(response)


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/complaints/1/nope", "/api/v1/%E4%B8%AD", "/api/v1/../etc"]
)
@pytest.mark.parametrize("authenticated", [True, False])
def test_unknown_api_paths_are_a_404_in_the_error_shape(api_for, client, power_b1, path, authenticated):
    c = api_for(power_b1) if authenticated else client
    for method in ("get", "post", "delete"):
        response = getattr(c, method)(path)
        assert response.status_code in (401, 404), (method, path, response.status_code)
        _error_shaped(response)


def test_a_wrong_method_is_a_405_in_the_error_shape(api_for, power_b1):
    _error_shaped(api_for(power_b1).delete("/api/v1/imports"), 405)
