"""The staff side: /portal/ (settings, submissions and figures within the user's scope), the settings page
and API, the block on a complaint's page."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.portal.models import PortalSettings
from xiaobao.portal.services import NotFound, portal_settings, portal_submit, status_lookup

pytestmark = pytest.mark.django_db


def _submit(unit_code, text="信用卡年费"):
    portal_settings()
    PortalSettings.objects.filter(pk=1).update(branch_choice=True)
    return portal_submit(
        data={
            "name": "赵六",
            "phone": "13700001234",
            "business_type": "B03",
            "unit": unit_code,
            "description": text,
            "request": "退还",
            "consent": True,
        }
    )


def test_the_portal_page_shows_only_the_users_submissions_and_scoped_figures(
    org, pinned, hq_officer, branch_officer, other_branch_officer, client_for
):
    # given one complaint for each branch and lookups (found and failed)
    b1, b2 = _submit(org.b1.code), _submit(org.b2.code)
    status_lookup(reference=b1.reference, phone_last4="1234", address="198.51.100.1")
    with pytest.raises(NotFound):
        status_lookup(reference=b1.reference, phone_last4="0000", address="198.51.100.1")
    # when each officer opens /portal/
    hq = client_for(hq_officer).get(reverse("portal:home")).content.decode()
    one = client_for(branch_officer).get(reverse("portal:home")).content.decode()
    two = client_for(other_branch_officer).get(reverse("portal:home")).content.decode()
    # then head office sees both and every lookup figure; a branch sees its own and no failed lookups
    assert b1.reference in hq and b2.reference in hq and 'data-testid="throttled-count"' in hq
    assert b1.reference in one and b2.reference not in one
    assert b2.reference in two and b1.reference not in two
    assert 'data-testid="throttled-count"' not in one
    assert 'data-testid="edit-settings"' in hq and 'data-testid="edit-settings"' not in one


def test_the_portal_page_needs_a_permission(org, client_for, no_role_user):
    assert client_for(no_role_user).get(reverse("portal:home")).status_code == 403
    assert Client().get(reverse("portal:home")).status_code == 302


def test_settings_are_edited_by_head_office_and_checked(org, client_for, hq_officer, branch_officer):
    client = client_for(hq_officer)
    page = client.get(reverse("portal:settings"))
    assert page.status_code == 200
    assert client_for(branch_officer).get(reverse("portal:settings")).status_code == 403
    data = {
        "enabled": "on",
        "receiving_unit": org.b1.code,
        "branch_choice": "on",
        "listed_units": [org.b1.code, org.b2.code],
        "channel_code": "A0303",
        "cause_code": "C99",
        "business_types": ["B03", "B0201"],
        "max_files": "2",
        "max_file_mb": "3",
        "max_total_mb": "5",
        "file_types": ["pdf", "jpg"],
        "intro": "欢迎",
        "privacy_notice": "告知",
        "review_window_days": "30",
        "lookups_per_address": "10",
        "lookup_window_minutes": "15",
        "failures_per_reference": "5",
        "reference_window_minutes": "60",
        "submissions_per_address": "5",
        "submission_window_minutes": "60",
    }
    assert client.post(reverse("portal:settings"), data).status_code == 302
    s = PortalSettings.objects.get()
    assert s.receiving_unit == org.b1 and s.channel_code == "A0303" and s.business_types == ["B03", "B0201"]
    assert set(s.listed_units.values_list("code", flat=True)) == {"B1", "B2"} and s.file_types == [
        "pdf",
        "jpg",
    ]
    # a file larger than all together is refused, in Chinese, and nothing changes
    bad = client.post(reverse("portal:settings"), {**data, "max_file_mb": "10", "max_total_mb": "5"})
    assert bad.status_code == 400 and "合计上限" in bad.content.decode()
    assert PortalSettings.objects.get().max_file_mb == 3


def test_settings_api(org, api_for, hq_officer, branch_officer):
    api = api_for(hq_officer)
    assert api.get("/api/v1/portal/settings").json()["channel_code"] == "A0304"
    ok = api.patch(
        "/api/v1/portal/settings",
        json.dumps({"branch_choice": True, "receiving_unit": "B2"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["receiving_unit"] == "B2" and ok.json()["branch_choice"]
    bad = api.patch(
        "/api/v1/portal/settings", json.dumps({"channel_code": "ZZZ"}), content_type="application/json"
    )
    assert bad.status_code == 422 and "channel_code" in bad.json()["fields"]
    assert PortalSettings.objects.get().channel_code == "A0304"
    back = api.patch(
        "/api/v1/portal/settings", json.dumps({"receiving_unit": ""}), content_type="application/json"
    )
    assert back.json()["receiving_unit"] is None
    refused = api_for(branch_officer).patch("/api/v1/portal/settings", "{}", content_type="application/json")
    assert refused.status_code == 403


def test_the_status_operation_is_documented_with_its_five_keys(org):
    from xiaobao.api import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/public/status"]["get"]
    assert "status code" in operation["description"] and not operation.get("security")
    out = schema["components"]["schemas"]["PortalStatusOut"]
    assert sorted(out["properties"]) == ["decided_on", "due_date", "received_on", "reference", "status"]
