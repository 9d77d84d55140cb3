"""No copy of personal data in a browser's or a proxy's cache, and the API's schema for signed-in users
only in production (issue 12, item 15)."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.test import Client, override_settings

from xiaobao.core.services.accounts import api_token_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize("path", ["/", "/consumers/", "/audit/export/", "/api/v1/me"])
def test_pages_exports_and_api_answers_are_not_stored(client_for, hq_officer, path):
    response = client_for(hq_officer).get(path)
    assert response.status_code == 200
    assert _no_store(response)


def test_a_reveal_answer_is_not_stored(client_for, api_for, branch_officer, b1_consumer):
    page = client_for(branch_officer).post(
        f"/consumers/{b1_consumer.pk}/reveal/",
        {"field": "phone", "reason": "核实投诉人身份"},
        headers={"HX-Request": "true"},
    )
    api = api_for(branch_officer).post(
        f"/api/v1/consumers/{b1_consumer.pk}/reveal",
        {"field": "phone", "reason": "核实投诉人身份"},
        content_type="application/json",
    )
    assert page.status_code == 200 and api.status_code == 200
    assert _no_store(page) and _no_store(api)


@time_machine.travel("2026-03-02 11:00 +0800", tick=False)
def test_an_attachment_download_is_not_stored(client_for, branch_officer, org):
    # the complaints app provides the attachment; imported here, in the test only
    from xiaobao.complaints.attachments import attachment_add
    from xiaobao.complaints.services import complaint_register

    complaint, _ = complaint_register(
        actor=branch_officer,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张伟", "phone": "13812345678"},
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收。",
        },
    )
    att = attachment_add(actor=branch_officer, complaint=complaint, fileobj=BytesIO(PDF), name="x.pdf")
    response = client_for(branch_officer).get(f"/complaints/{complaint.pk}/attachments/{att.pk}/")
    assert response.status_code == 200
    assert _no_store(response)


def test_anonymous_api_errors_are_not_stored_either(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401 and _no_store(response)


def test_static_files_stay_cacheable(client_for, hq_officer):
    response = client_for(hq_officer).get("/static/xiaobao/app.css")
    assert "no-store" not in response.get("Cache-Control", "")


@override_settings(API_SCHEMA_PUBLIC=False)  # the production default (XIAOBAO_DEBUG off)
@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_api_schema_needs_a_login_in_production(client_for, hq_officer, path):
    anonymous = Client().get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    assert client_for(hq_officer).get(path).status_code == 200
    _token, raw = api_token_create(actor=None, user=hq_officer)
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(path).status_code == 200
    assert Client(headers={"Authorization": "Bearer xb_nonsense"}).get(path).status_code == 401


@override_settings(API_SCHEMA_PUBLIC=True)
def test_api_schema_is_open_in_development(db):
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_api_schema_is_closed_by_default_in_production(monkeypatch):
    import importlib

    import xiaobao.settings as settings_module

    monkeypatch.setenv("XIAOBAO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("XIAOBAO_DEBUG", "0")
    monkeypatch.setenv("XIAOBAO_TESTING", "0")
    monkeypatch.delenv("PYTEST_VERSION")
    try:
        assert importlib.reload(settings_module).API_SCHEMA_PUBLIC is False
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
