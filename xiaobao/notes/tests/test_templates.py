"""Reply templates: placeholder validation, the matching order, rendering, the pages, the API, scoping."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from xiaobao.core.errors import DomainError
from xiaobao.notes import placeholders
from xiaobao.notes.models import ReplyTemplate
from xiaobao.notes.services import template_render, template_save, templates_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        yield


def tpl(actor, unit, name, business_type="", cause="", **texts):
    data = {"name": name, "business_type": business_type, "cause": cause, "org_unit": unit, **texts}
    data.setdefault("result", "处理决定")
    return template_save(actor=actor, data=data)


# --- the placeholder syntax -------------------------------------------------------------------------------


def test_placeholder_check_accepts_known_names_and_refuses_the_rest():
    assert placeholders.check("编号 {{reference}}，{{ unit }}") == []
    assert len(placeholders.check("{{nope}}")) == 1
    assert len(placeholders.check("{{ c.complainant.name }}")) == 1  # no attributes
    assert len(placeholders.check("{% if x %}{% endif %}")) == 2  # no tags
    assert len(placeholders.check("{{reference")) == 1  # unbalanced


def test_fill_substitutes_once_and_never_runs_a_template_engine():
    values = {"reference": "{{unit}}", "unit": "海淀支行"}
    assert placeholders.fill("{{reference}} / {{ unit }}", values) == "{{unit}} / 海淀支行"


def test_an_unknown_placeholder_is_a_field_error_on_saving(hq_officer, org):
    with pytest.raises(DomainError) as exc:
        tpl(hq_officer, org.ho, "x", basis="依据 {{law}}")
    assert "basis" in exc.value.fields and "law" in exc.value.fields["basis"][0]


def test_the_api_answers_422_with_the_field(api_for, hq_officer):
    body = {"name": "x", "kind": "notice", "body": "尊敬的 {{customer_name}}"}
    response = api_for(hq_officer).post(
        "/api/v1/reply-templates", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and "body" in response.json()["fields"]


# --- matching order ---------------------------------------------------------------------------------------


def test_templates_for_a_complaint_best_match_first(hq_officer, branch_officer, org, complaint):
    # given templates of head office and of branch 1 at several levels of fit (complaint: B0303 / C07)
    any_ = tpl(hq_officer, org.ho, "any")
    cause = tpl(hq_officer, org.ho, "cause only", cause="C07")
    parent = tpl(hq_officer, org.ho, "parent type", business_type="B03")
    exact = tpl(hq_officer, org.ho, "exact type", business_type="B0303")
    both = tpl(hq_officer, org.ho, "type and cause", business_type="B0303", cause="C07")
    branch = tpl(branch_officer, org.b1, "branch exact", business_type="B0303")
    tpl(hq_officer, org.ho, "other type", business_type="B01")
    tpl(hq_officer, org.b2, "other branch")
    tpl(hq_officer, org.ho, "inactive", business_type="B0303", is_active=False)
    # when / then
    assert templates_for(complaint) == [both, branch, exact, parent, cause, any_]


def test_render_fills_names_not_codes(hq_officer, org, drafted, b1_handler):
    t = tpl(
        hq_officer,
        org.ho,
        "t",
        verification="{{reference}} {{business_type}} {{cause}} {{unit}} {{institution}}",
    )
    text = template_render(b1_handler, drafted, t)["verification"]
    assert drafted.reference in text and "信用卡" in text and "B0303" not in text and "海淀支行" in text


def test_the_picker_shows_on_the_draft_form_and_fills_the_fields(
    client_for, hq_officer, org, complaint, b1_handler
):
    from xiaobao.complaints.services import complaint_transition

    complaint_transition(actor=b1_handler, complaint=complaint, action="accept", data={})
    t = tpl(hq_officer, org.ho, "信用卡模板", business_type="B0303", result="经核实，{{reference}} 退还年费")
    client = client_for(b1_handler)
    html = client.get(reverse("complaints:action", args=[complaint.pk, "draft"])).content.decode()
    assert 'data-testid="template-picker"' in html and "信用卡模板" in html
    rendered = client.get(reverse("notes:template_render", args=[complaint.pk, t.pk])).json()
    assert rendered["fields"]["result"] == f"经核实，{complaint.reference} 退还年费"
    # the picker is not on other actions
    html = client.get(reverse("complaints:action", args=[complaint.pk, "pause"])).content.decode()
    assert "template-picker" not in html


# --- pages, API and scope ---------------------------------------------------------------------------------


def test_a_branch_officer_manages_the_branch_templates_and_reads_head_offices(
    client_for, hq_officer, branch_officer, org
):
    ho = tpl(hq_officer, org.ho, "总行模板")
    b1 = tpl(branch_officer, org.b1, "分行模板")
    client = client_for(branch_officer)
    html = client.get(reverse("notes:templates")).content.decode()
    assert "总行模板" in html and "分行模板" in html
    assert client.get(reverse("notes:template_edit", args=[b1.pk])).status_code == 200
    assert client.get(reverse("notes:template_edit", args=[ho.pk])).status_code == 404  # read-only for him
    # a branch officer cannot give a template to head office
    with pytest.raises(DomainError):
        tpl(branch_officer, org.ho, "越权")


def test_the_template_form_saves_and_shows_field_errors(client_for, hq_officer, org):
    client = client_for(hq_officer)
    data = {
        "name": "新模板",
        "kind": "decision",
        "org_unit": org.ho.code,
        "is_active": "on",
        "result": "{{oops}}",
    }
    response = client.post(reverse("notes:template_create"), data)
    assert response.status_code == 400 and "oops" in response.content.decode()
    data["result"] = "经核实，{{reference}}"
    response = client.post(reverse("notes:template_create"), data)
    assert response.status_code == 302
    t = ReplyTemplate.objects.get(name="新模板")
    assert t.org_unit == org.ho and t.created_by == hq_officer


def test_preview_with_a_complaint_of_the_users_scope(client_for, hq_officer, org, drafted):
    t = tpl(hq_officer, org.ho, "预览", business_type="B0303", result="{{reference}}：{{business_type}}")
    html = client_for(hq_officer).get(reverse("notes:template_preview", args=[t.pk])).content.decode()
    assert f"{drafted.reference}：信用卡" in html
    html = client_for(hq_officer).get(reverse("notes:template_preview", args=[t.pk]), {"complaint": "NOPE"})
    assert "errorlist" in html.content.decode()


def test_api_lists_by_match_and_changes_and_deletes(api_for, hq_officer, org, complaint, b1_handler):
    api = api_for(hq_officer)
    created = api.post(
        "/api/v1/reply-templates",
        json.dumps({"name": "A", "business_type": "B0303", "result": "经核实 {{reference}}"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    api.post(
        "/api/v1/reply-templates", json.dumps({"name": "B", "result": "x"}), content_type="application/json"
    )
    rows = (
        api_for(b1_handler).get("/api/v1/reply-templates?business_type=B0303&cause=C07&kind=decision").json()
    )
    assert [r["name"] for r in rows] == ["A", "B"] and rows[0]["business_type_name"]
    patched = api.patch(
        f"/api/v1/reply-templates/{tid}", json.dumps({"is_active": False}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    render = api_for(b1_handler).get(f"/api/v1/complaints/{complaint.pk}/reply-templates/{tid}/render")
    assert render.status_code == 404  # inactive templates are not offered
    assert api.delete(f"/api/v1/reply-templates/{tid}").status_code == 204


def test_a_branch_template_is_not_offered_in_another_branch(api_for, branch_officer, org):
    b2_handler = make_user("b2_h", org.b2s, ["complaint_handler"])
    t = tpl(branch_officer, org.b1, "北京专用")
    from xiaobao.notes.tests.conftest import register

    c2 = register(b2_handler, org.b2s)
    assert templates_for(c2) == []
    response = api_for(b2_handler).get(f"/api/v1/complaints/{c2.pk}/reply-templates/{t.pk}/render")
    assert response.status_code == 404
    assert "北京专用" not in api_for(b2_handler).get("/api/v1/reply-templates").content.decode(
        "unicode_escape"
    )
