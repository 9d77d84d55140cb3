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
