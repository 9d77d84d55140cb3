"""Pickers on the complaint desk: the code picker, the assign form's workload suggestions (never a person
named in the complaint, least loaded first; the same through the API, scoped), the forms refusing a value
outside what the user may choose, and rule names on the complaint page."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from xiaobao.complaints.forms import AssignForm, AssistForm, ComplaintIntakeForm, TransferForm
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def values(response):
    assert response.status_code == 200, response.content
    return [row["value"] for row in response.json()]


# --- the code picker ------------------------------------------------------------------------------------


def test_code_picker_matches_initials_name_and_code(api_for, branch_officer):
    api = api_for(branch_officer)
    # 信用卡 (B0303) by its initials, its name and its code
    found = api.get("/api/v1/pickers/code?dimension=business_type&q=xyk").json()
    assert found and found[0]["label"].startswith("信用卡")
    assert "B0303" in values(api.get("/api/v1/pickers/code?dimension=business_type&q=信用卡"))
    assert values(api.get("/api/v1/pickers/code?dimension=business_type&q=B0303"))[0] == "B0303"
    # only the asked dimension
    assert all(v.startswith("C") for v in values(api.get("/api/v1/pickers/code?dimension=cause")))


def test_code_picker_leaves_out_inactive_codes_and_refuses_a_bad_dimension(api_for, branch_officer):
    from xiaobao.complaints.models import ComplaintCode

    api = api_for(branch_officer)
    ComplaintCode.objects.filter(dimension="cause", code="C07").update(is_active=False)
    assert "C07" not in values(api.get("/api/v1/pickers/code?dimension=cause&q=C07"))
    bad = api.get("/api/v1/pickers/code?dimension=colour")
    assert bad.status_code == 422 and "dimension" in bad.json()["fields"]


# --- assignment with workload ------------------------------------------------------------------------------


@pytest.fixture
def handlers(org):
    return {name: make_user(name, org.b1s, ["complaint_handler"]) for name in ("h_busy", "h_idle", "h_named")}


def _register(actor, payload, **over):
    complaint, _ = complaint_register(actor=actor, data=payload(**over))
    return complaint


def _assign(actor, complaint, handler):
    complaint_transition(
        actor=actor, complaint=complaint, action="assign", data={"handler": handler.username}
    )


def test_suggestions_leave_out_staff_named_and_put_the_least_loaded_first(
    api_for, branch_officer, handlers, payload, b2_handler
):
    # given h_busy holds two open complaints, both due within the warning window's reach or not
    for _ in range(2):
        _assign(branch_officer, _register(branch_officer, payload), handlers["h_busy"])
    # and a new complaint that names h_named
    target = _register(branch_officer, payload, staff_named=["h_named"])
    # when the branch officer opens the assign form
    form = AssignForm(user=branch_officer, complaint=Complaint.objects.get(pk=target.pk))
    people = form.suggestions()
    names = [p.username for p in people]
    # then the named person is left out, the idle handler comes first, the busy one shows its load
    assert "h_named" not in names and "b2_handler" not in names
    assert names.index("h_idle") < names.index("h_busy")
    busy = next(p for p in people if p.username == "h_busy")
    assert busy.open == 2
    # and the API answers the same list
    rows = api_for(branch_officer).get(f"/api/v1/complaints/{target.pk}/assignees").json()
    assert [r["username"] for r in rows] == names
    assert set(rows[0]) == {"username", "name", "open", "due_soon"}


def test_due_soon_counts_decisions_due_within_the_warning_days(branch_officer, handlers, payload, settings):
    # given two complaints of h_busy: one received 14 days ago (due tomorrow), one today (due in 15 days)
    settings.SLA_WARN_WORKING_DAYS = (3, 1)
    old = _register(branch_officer, payload, received_at="2026-02-16T10:00:00+08:00")
    new = _register(branch_officer, payload)
    _assign(branch_officer, old, handlers["h_busy"])
    _assign(branch_officer, new, handlers["h_busy"])
    # and h_idle with one complaint due late
    _assign(branch_officer, _register(branch_officer, payload), handlers["h_idle"])
    target = _register(branch_officer, payload)
    # when
    people = {p.username: p for p in AssignForm(user=branch_officer, complaint=target).suggestions()}
    # then
    assert (people["h_busy"].open, people["h_busy"].due_soon) == (2, 1)
    assert (people["h_idle"].open, people["h_idle"].due_soon) == (1, 0)
    order = list(people)
    assert order.index("h_named") < order.index("h_idle") < order.index("h_busy")


def test_assignees_api_is_scoped(
    api_for, branch_officer, other_branch_officer, no_role_user, payload, handlers
):
    target = _register(branch_officer, payload)
    url = f"/api/v1/complaints/{target.pk}/assignees"
    assert api_for(other_branch_officer).get(url).status_code == 404
    assert api_for(no_role_user).get(url).status_code == 403
    assert api_for(branch_officer).get("/api/v1/complaints/999999/assignees").status_code == 404


def test_assign_page_lists_the_suggestions_with_one_click_buttons(
    client_for, branch_officer, handlers, payload
):
    target = _register(branch_officer, payload, staff_named=["h_named"])
    html = client_for(branch_officer).get(reverse("complaints:action", args=[target.pk, "assign"])).content
    html = html.decode()
    assert 'data-testid="assign-workload"' in html
    assert 'data-pick-value="h_idle"' in html and 'data-pick-value="h_named"' not in html
    assert 'data-picker="person"' in html and 'data-picker="unit"' in html


# --- the forms refuse what the user may not choose -------------------------------------------------------


def _intake(org, **over):
    data = {
        "channel": "A0302",
        "received_at": "2026-03-02T10:30",
        "source": "direct",
        "org_unit": org.b1s.code,
        "complainant_name": "张伟",
        "complainant_role": "self",
        "business_type": "B0303",
        "cause": "C07",
        "request": "退还多收的年费 200 元",
        "description": "客户称信用卡年费未经同意扣收，要求退还。",
        "people_count": "1",
    }
    data.update(over)
    return data


def test_intake_form_refuses_another_branchs_unit_and_staff(branch_officer, b2_handler, org, handlers):
    assert ComplaintIntakeForm(_intake(org, staff_named="h_idle"), user=branch_officer).is_valid()
    form = ComplaintIntakeForm(
        _intake(org, org_unit=org.b2s.code, staff_named="b2_handler"), user=branch_officer
    )
    assert not form.is_valid()
    assert "org_unit" in form.errors and "staff_named" in form.errors
    form = ComplaintIntakeForm(_intake(org, cause="C999", channel="nope"), user=branch_officer)
    assert not form.is_valid() and {"cause", "channel"} <= set(form.errors)


def test_action_forms_refuse_units_and_handlers_outside_the_scope(branch_officer, b2_handler, org, payload):
    target = _register(branch_officer, payload)
    v = target.version
    assign = AssignForm({"version": v, "handler": "b2_handler"}, user=branch_officer, complaint=target)
    assert not assign.is_valid() and "handler" in assign.errors
    transfer = TransferForm(
        {"version": v, "unit": org.b2.code, "reason": "r"}, user=branch_officer, complaint=target
    )
    assert not transfer.is_valid() and "unit" in transfer.errors
    ok = TransferForm(
        {"version": v, "unit": org.ho.code, "reason": "r"}, user=branch_officer, complaint=target
    )
    assert ok.is_valid()  # a superior unit may be chosen upward
    assist = AssistForm(
        {"version": v, "unit": org.b2s.code, "question": "q"}, user=branch_officer, complaint=target
    )
    assert not assist.is_valid() and "unit" in assist.errors


def test_list_filters_are_pickers_and_keep_codes(client_for, branch_officer):
    html = client_for(branch_officer).get(reverse("complaints:list")).content.decode()
    for needle in ('data-picker="unit"', 'data-dimension="business_type"', 'data-dimension="cause"',
                   'data-dimension="channel"', 'data-picker="person"'):  # fmt: skip
        assert needle in html


def test_complaint_page_names_the_deadline_rule(client_for, branch_officer, payload):
    target = _register(branch_officer, payload)
    html = client_for(branch_officer).get(reverse("complaints:detail", args=[target.pk])).content.decode()
    assert "银保监会令2020年第3号" in html  # the rule's name, its code only in the tooltip
    assert "· nfra-2020" in html
