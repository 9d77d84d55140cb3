"""A reveal's reason must hold visible text: whitespace and invisible format characters (zero-width spaces,
joiners, the BOM) do not count towards its minimum length — in the service, the page's form and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xiaobao.core.models import AuditEvent
from xiaobao.core.services import consumers as svc

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u200b\u200b\u200b\u200b\u200b",  # zero-width spaces
    "\u200c\u200d\u2060\ufeff\u200b",  # joiners, word joiner, BOM
    "\u3000\u3000\u00a0\u2003\u202f",  # ideographic, no-break and em spaces
    "\u200b a \u200b b \u200b",  # two visible characters padded out
]


@pytest.mark.parametrize("reason", INVISIBLE)
def test_service_refuses_an_invisible_reason(b1_consumer, branch_officer, reason):
    with pytest.raises(ValidationError) as exc:
        svc.consumer_reveal(actor=branch_officer, consumer=b1_consumer, field="phone", reason=reason)
    assert "reason" in exc.value.message_dict
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("reason", INVISIBLE)
def test_page_refuses_an_invisible_reason(b1_consumer, client_for, branch_officer, reason):
    response = client_for(branch_officer).post(
        f"/consumers/{b1_consumer.pk}/reveal/", {"field": "phone", "reason": reason}
    )
    assert response.status_code == 400
    assert "13812345678" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("reason", INVISIBLE)
def test_api_refuses_an_invisible_reason(b1_consumer, api_for, branch_officer, reason):
    response = api_for(branch_officer).post(
        f"/api/v1/consumers/{b1_consumer.pk}/reveal",
        {"field": "phone", "reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "reason" in response.json()["fields"]
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_the_stored_reason_is_the_visible_text(b1_consumer, api_for, branch_officer):
    response = api_for(branch_officer).post(
        f"/api/v1/consumers/{b1_consumer.pk}/reveal",
        {"field": "phone", "reason": "\u200b回访\u200b核实\u3000"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.get(action="reveal").changes["reason"] == "回访核实"
