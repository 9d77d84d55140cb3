"""Complainants' personal links: the complaint desk makes one per decided complaint (by reference or all
decided since a day), the complainant answers once through it (counted for the complaint's unit, the answers
not linked to the complaint), bad input refused with field errors and nothing stored; the results page's
queries do not grow with the answers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from xiaobao.complaints.models import Complaint
from xiaobao.core.errors import DomainError
from xiaobao.surveys import services as svc
from xiaobao.surveys.models import Invitation, Response

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _clock():
    cache.clear()
    with time_machine.travel(DAY, tick=False):
        yield
    cache.clear()


def _complaint(clerk, unit, decided_on=None):
    from xiaobao.complaints.services import complaint_register

    complaint, _ = complaint_register(
        actor=clerk,
        data={
            "received_at": "2026-04-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": unit.code,
            "complainant": {"name": "王小明", "phone": "13812345678"},
            "request": "请求退还手续费",
            "description": "办理业务时被收取不明费用",
        },
    )
    if decided_on:  # the decision notified (the complaints module's own workflow is tested there)
        Complaint.objects.filter(pk=complaint.pk).update(decided_on=decided_on)
        complaint.refresh_from_db()
    return complaint


@pytest.fixture
def desk(org):
    officer = make_user("inv_b1", org.b1, ["branch_cp_officer"])
    handler = make_user("inv_desk", org.b1, ["complaint_handler"])
    q = svc.questionnaire_create(
        actor=officer,
        data={
            "title": "投诉处理满意度",
            "org_unit": org.b1.code,
            "questions": [
                {"kind": "scale", "text": "您对投诉处理结果的满意度", "counts_for_satisfaction": True},
                {"kind": "text", "text": "意见建议", "required": False},
            ],
        },
    )
    survey = svc.survey_create(
        actor=officer,
        data={
            "title": "2026年投诉回访",
            "questionnaire": q.pk,
            "target": "complainants",
            "org_unit": org.b1.code,
            "opens_on": dt.date(2026, 5, 1),
            "closes_on": dt.date(2026, 6, 30),
        },
    )
    svc.survey_set_status(actor=officer, survey=survey, status="open")
    return officer, handler, q, survey


def test_desk_sends_a_personal_link_answered_once(client, client_for, desk, org):
    # given a decided complaint at a sub-branch and one still open
    _, handler, q, survey = desk
    decided = _complaint(handler, org.b1s, dt.date(2026, 5, 8))
    undecided = _complaint(handler, org.b1s)
    page = client_for(handler)
    # when the complaint desk asks for a link for the undecided one: refused, nothing stored
    bad = page.post(f"/surveys/{survey.pk}/invitations/", {"reference": undecided.reference})
    assert bad.status_code == 400 and "reference" in bad.context["form"].errors
    assert not Invitation.objects.exists()
    # and for the decided one (twice: the same link)
    ok = page.post(f"/surveys/{survey.pk}/invitations/", {"reference": decided.reference.lower()})
    assert ok.status_code == 302
    page.post(f"/surveys/{survey.pk}/invitations/", {"reference": decided.reference})
    invitation = Invitation.objects.get()
    assert invitation.complaint == decided and invitation.org_unit == org.b1s
    listing = page.get(f"/surveys/{survey.pk}/invitations/").content.decode()
    assert f"?i={invitation.token}" in listing and decided.reference in listing
    # when the complainant opens it on a phone and answers
    url = f"/public/surveys/{survey.token}/?i={invitation.token}"
    form = client.get(url)
    assert form.status_code == 200 and form.context["invitation"] == invitation
    scale = q.questions.get(kind="scale")
    sent = client.post(url, {"nonce": form.context["form"]["nonce"].value(), f"q{scale.pk}": "2"})
    # then it counts for the complaint's unit, the invitation knows the day, the answer is not linked to it
    assert sent.status_code == 302 and f"i={invitation.token}" in sent["Location"]
    response = Response.objects.get()
    assert response.org_unit == org.b1s and not response.consent
    invitation.refresh_from_db()
    assert invitation.answered_on == dt.date(2026, 5, 12)
    assert not [f for f in Response._meta.get_fields() if getattr(f, "related_model", None) is Invitation]
    # when the link is used again, from another browser: refused kindly, nothing stored
    client.cookies.clear()
    again = client.get(url)
    assert again.context["answered"] is True
    repeat = client.post(url, {"nonce": again.context["form"]["nonce"].value(), f"q{scale.pk}": "5"})
    assert repeat.status_code == 409 and Response.objects.count() == 1
    # a made-up personal token is not a page
    assert client.get(f"/public/surveys/{survey.token}/?i=nothing").status_code == 404


def test_all_decided_since_a_day_and_bad_input(desk, org, other_branch_officer):
    officer, handler, q, survey = desk
    early = _complaint(handler, org.b1s, dt.date(2026, 3, 1))
    late = [_complaint(handler, org.b1o, dt.date(2026, 5, d)) for d in (2, 9)]
    _complaint(handler, org.b1o)  # not decided
    # when every complaint decided since April is invited (twice: nothing doubled)
    made = svc.invitations_create(actor=handler, survey=survey, decided_from=dt.date(2026, 4, 1))
    again = svc.invitations_create(actor=handler, survey=survey, decided_from=dt.date(2026, 4, 1))
    # then the two decided since then, once each
    assert {i.complaint for i in made} == set(late) and again == []
    assert Invitation.objects.count() == 2 and not Invitation.objects.filter(complaint=early).exists()
    # bad input: neither reference nor day, another branch's officer, a survey of customers
    with pytest.raises(DomainError) as exc:
        svc.invitations_create(actor=handler, survey=survey)
    assert "reference" in exc.value.fields
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.invitations_create(actor=other_branch_officer, survey=survey, reference=early.reference)
    customers = svc.survey_create(
        actor=officer,
        data={
            "title": "网点客户调查",
            "questionnaire": q.pk,
            "target": "outlet_customers",
            "org_unit": org.b1.code,
            "opens_on": dt.date(2026, 5, 1),
            "closes_on": dt.date(2026, 5, 31),
        },
    )
    with pytest.raises(DomainError):
        svc.invitations_create(actor=officer, survey=customers, reference=early.reference)
    assert Invitation.objects.count() == 2


def test_invitations_api(api_for, desk, org):
    _, handler, _, survey = desk
    decided = _complaint(handler, org.b1s, dt.date(2026, 5, 8))
    api = api_for(handler)
    # when the desk asks through the API
    made = api.post(
        f"/api/v1/surveys/{survey.pk}/invitations",
        {"complaint": decided.reference},
        content_type="application/json",
    )
    # then the link is returned and listed
    assert made.status_code == 201, made.content
    body = made.json()[0]
    assert body["complaint"] == decided.reference and body["public_path"].endswith(
        Invitation.objects.get().token
    )
    listed = api.get(f"/api/v1/surveys/{survey.pk}/invitations").json()
    assert [row["complaint"] for row in listed["items"]] == [decided.reference]
    bad = api.post(
        f"/api/v1/surveys/{survey.pk}/invitations", {"complaint": "NOPE"}, content_type="application/json"
    )
    assert bad.status_code == 422 and Invitation.objects.count() == 1


def test_results_page_queries_do_not_grow(client_for, desk, org):
    # given a survey answered at two units, then at many units with many text answers
    officer, _, q, survey = desk
    scale, text = list(q.questions.order_by("order"))
    page = client_for(officer)

    def answer(n, unit):
        svc.response_submit(
            survey=survey,
            answers={scale.pk: 1 + n % 5, text.pk: f"建议{n}"},
            nonce=f"n{n}",
            unit_code=unit.code,
        )

    for n, unit in enumerate([org.b1s, org.b1o]):
        answer(n, unit)
    with CaptureQueriesContext(connection) as few:
        assert page.get(f"/surveys/{survey.pk}/results/").status_code == 200
    for n in range(2, 40):
        answer(n, [org.b1, org.b1s, org.b1o][n % 3])
    with CaptureQueriesContext(connection) as many:
        assert page.get(f"/surveys/{survey.pk}/results/").status_code == 200
    # then the same number of queries, and few of them
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 20, "\n".join(q["sql"][:150] for q in many.captured_queries)
