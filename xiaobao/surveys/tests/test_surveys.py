"""Surveys: questionnaires frozen once answered, the public page (anonymous, consent, repeats, throttling,
closed), results per question and unit, figures, bad input refused with field errors and nothing stored."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.surveys import services as svc
from xiaobao.surveys.figures import compute, figures
from xiaobao.surveys.models import Answer, Response, Survey
from xiaobao.surveys.public_views import COOKIE
from xiaobao.surveys.results import survey_results

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SH)
QUESTIONS = [
    {"kind": "scale", "text": "整体满意度", "counts_for_satisfaction": True},
    {
        "kind": "choice_many",
        "text": "需要改进",
        "options": ["等候时间", "服务态度", "环境"],
        "required": False,
    },
    {"kind": "scale", "text": "推荐可能性", "scale_min": 0, "scale_max": 10},
    {"kind": "text", "text": "其他建议", "required": False},
]


@pytest.fixture(autouse=True)
def _clock():
    cache.clear()
    with time_machine.travel(DAY, tick=False):
        yield
    cache.clear()


@pytest.fixture
def world(org):
    officer = make_user("sv_b1", org.b1, ["branch_cp_officer"])
    q = svc.questionnaire_create(
        actor=officer, data={"title": "满意度问卷", "org_unit": org.b1.code, "questions": QUESTIONS}
    )
    survey = svc.survey_create(
        actor=officer,
        data={
            "title": "北京分行满意度调查",
            "questionnaire": q.pk,
            "target": "outlet_customers",
            "org_unit": org.b1.code,
            "opens_on": dt.date(2026, 5, 1),
            "closes_on": dt.date(2026, 5, 31),
        },
    )
    svc.survey_set_status(actor=officer, survey=survey, status="open")
    return officer, q, survey


def _qs(q):
    return list(q.questions.order_by("order"))


def _post(client, survey, data, at=""):
    url = f"/public/surveys/{survey.token}/" + (f"?at={at}" if at else "")
    page = client.get(url)
    nonce = page.context["form"]["nonce"].value()
    return client.post(url, {"nonce": nonce, **data})


def test_public_answer_anonymous_then_repeat_refused(client, world, org):
    # given an open survey and a visitor without login at the outlet's link
    _, q, survey = world
    overall, improve, recommend, text = _qs(q)
    opts = list(improve.options.all())
    # when they answer
    page = client.get(f"/public/surveys/{survey.token}/?at={org.b1o.code}")
    assert page.status_code == 200 and COOKIE in page.cookies
    assert b"<svg" not in page.content and "整体满意度" in page.content.decode()
    nonce = page.context["form"]["nonce"].value()
    data = {
        "nonce": nonce,
        f"q{overall.pk}": "5",
        f"q{improve.pk}": [str(opts[0].pk), str(opts[2].pk)],
        f"q{recommend.pk}": "9",
        f"q{text.pk}": "柜员很好，我的电话13812345678",
    }
    done = client.post(f"/public/surveys/{survey.token}/?at={org.b1o.code}", data)
    # then it is stored for the outlet, anonymous, the phone in the text masked
    assert done.status_code == 302 and "done=1" in done["Location"]
    response = Response.objects.get()
    assert response.org_unit == org.b1o and not response.consent and not response.contact_phone
    assert response.browser and len(response.browser) == 64
    assert Answer.objects.filter(response=response).count() == 5
    assert Answer.objects.get(question=text).text == "柜员很好，我的电话138****5678"
    # when the same form is sent again: refused kindly, nothing stored
    again = client.post(f"/public/surveys/{survey.token}/?at={org.b1o.code}", data)
    assert again.status_code == 409
    assert "已提交过" in again.content.decode()
    assert Response.objects.count() == 1
    # and the same browser with a fresh form: told it answered, a post refused
    page = client.get(f"/public/surveys/{survey.token}/")
    assert page.context["answered"] is True
    assert _post(client, survey, {f"q{overall.pk}": "4", f"q{recommend.pk}": "8"}).status_code == 409
    assert Response.objects.count() == 1


def test_shared_tablet_accepts_several_but_never_the_same_form_twice(client, world):
    officer, q, survey = world
    svc.survey_update(actor=officer, survey=survey, data={"one_per_browser": False})
    overall, _, recommend, _ = _qs(q)
    answers = {f"q{overall.pk}": "3", f"q{recommend.pk}": "6"}
    assert _post(client, survey, answers).status_code == 302
    assert _post(client, survey, answers).status_code == 302
    assert Response.objects.count() == 2 and not Response.objects.exclude(browser="").exists()


def test_consent_keeps_the_contact_sealed_and_masked(client, world):
    _, q, survey = world
    overall, _, recommend, _ = _qs(q)
    base = {f"q{overall.pk}": "2", f"q{recommend.pk}": "3", "consent": "on"}
    # given consent without a valid number: field errors, nothing stored
    bad = _post(client, survey, {**base, "contact_name": "", "contact_phone": "12"})
    assert bad.status_code == 422
    assert set(bad.context["form"].errors) >= {"contact_name", "contact_phone"}
    assert not Response.objects.exists()
    # when valid
    assert (
        _post(client, survey, {**base, "contact_name": "张三", "contact_phone": "13912345678"}).status_code
        == 302
    )
    r = Response.objects.get()
    assert r.consent and str(r.contact_phone) == "139****5678" and r.contact_phone.reveal() == "13912345678"
    assert str(r.contact_name) == "张*"


def test_bad_answers_give_field_errors_and_store_nothing(client, world):
    _, q, survey = world
    overall, improve, recommend, text = _qs(q)
    response = _post(
        client, survey, {f"q{overall.pk}": "9", f"q{improve.pk}": "999999", f"q{text.pk}": "x" * 3000}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {f"q{overall.pk}", f"q{improve.pk}", f"q{recommend.pk}", f"q{text.pk}"} <= set(errors)
    assert "请回答此题" in response.content.decode() or "Please answer" in response.content.decode()
    # a forged nonce
    forged = client.post(
        f"/public/surveys/{survey.token}/", {"nonce": "abc", f"q{overall.pk}": "4", f"q{recommend.pk}": "5"}
    )
    assert forged.status_code == 400 and not Response.objects.exists()
    # a password in a text answer is refused
    c3 = _post(
        client, survey, {f"q{overall.pk}": "4", f"q{recommend.pk}": "5", f"q{text.pk}": "我的密码是123456"}
    )
    assert c3.status_code == 422 and not Response.objects.exists()


def test_closed_unknown_and_throttled(client, world, settings):
    officer, q, survey = world
    overall, _, recommend, _ = _qs(q)
    assert client.get("/public/surveys/nope/").status_code == 404
    # throttled per address
    import xiaobao.surveys.public_views as pv

    old, pv.PER_MINUTE = pv.PER_MINUTE, 1
    try:
        svc.survey_update(actor=officer, survey=survey, data={"one_per_browser": False})
        assert _post(client, survey, {f"q{overall.pk}": "4", f"q{recommend.pk}": "5"}).status_code == 302
        assert _post(client, survey, {f"q{overall.pk}": "4", f"q{recommend.pk}": "5"}).status_code == 429
    finally:
        pv.PER_MINUTE = old
    # closed: the page says so, a post is refused
    svc.survey_set_status(actor=officer, survey=survey, status="closed")
    page = client.get(f"/public/surveys/{survey.token}/")
    assert page.context["accepting"] is False and 'data-testid="answer-form"' not in page.content.decode()
    assert client.post(f"/public/surveys/{survey.token}/", {"nonce": "x"}).status_code == 409
    assert Response.objects.count() == 1


def test_frozen_once_answered_and_copy_to_edit(world, org):
    officer, q, survey = world
    svc.question_update(actor=officer, question=_qs(q)[0], data={"text": "本次服务整体满意度"})
    overall, _, recommend, _ = _qs(q)
    svc.response_submit(survey=survey, answers={overall.pk: 5, recommend.pk: 10}, nonce="n1")
    with pytest.raises(Conflict):
        svc.question_update(actor=officer, question=overall, data={"text": "改"})
    with pytest.raises(Conflict):
        svc.question_add(actor=officer, questionnaire=q, data={"kind": "text", "text": "新"})
    copy = svc.questionnaire_copy(actor=officer, questionnaire=q)
    assert copy.version == 2 and copy.questions.count() == 4 and not copy.is_frozen
    svc.question_add(actor=officer, questionnaire=copy, data={"kind": "text", "text": "新问题"})
    assert q.questions.count() == 4 and copy.questions.count() == 5


def test_bad_questions_and_surveys_refused(world, org, other_branch_officer):
    officer, q, _ = world
    for data, field in [
        ({"kind": "choice_one", "text": "一个选项", "options": ["只有一个"]}, "options"),
        ({"kind": "scale", "text": "刻度", "scale_max": 20}, "scale_max"),
        ({"kind": "scale", "text": "刻度", "satisfied_from": 7}, "satisfied_from"),
        ({"kind": "nope", "text": "?"}, "kind"),
        ({"kind": "text", "text": ""}, "text"),
    ]:
        with pytest.raises(DomainError) as exc:
            svc.question_add(actor=officer, questionnaire=q, data=data)
        assert field in exc.value.fields
    assert q.questions.count() == 4
    with pytest.raises(DomainError) as exc:
        svc.survey_create(
            actor=officer,
            data={
                "title": "x",
                "questionnaire": q.pk,
                "target": "other",
                "org_unit": org.b2.code,
                "opens_on": "2026-05-01",
                "closes_on": "2026-04-01",
            },
        )
    assert "org_unit" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        svc.survey_create(
            actor=other_branch_officer,
            data={
                "title": "x",
                "questionnaire": q.pk,
                "target": "other",
                "org_unit": org.b2.code,
                "opens_on": "2026-05-01",
                "closes_on": "2026-05-02",
            },
        )
    assert "questionnaire" in exc.value.fields
    assert Survey.objects.count() == 1


def test_results_per_question_and_unit_and_figures(world, org, hq_officer, other_branch_officer):
    # given answers at the outlet and the branch: ratings 5, 4, 2 on the satisfaction question
    _officer, q, survey = world
    overall, improve, recommend, text = _qs(q)
    opts = list(improve.options.all())
    for n, (value, unit, picked) in enumerate([(5, org.b1o, [0, 1]), (4, org.b1o, [0]), (2, org.b1, [])]):
        svc.response_submit(
            survey=survey,
            answers={
                overall.pk: value,
                improve.pk: [opts[i].pk for i in picked],
                recommend.pk: 10 - n,
                text.pk: "好" if n == 0 else "",
            },
            nonce=f"n{n}",
            unit_code=unit.code,
        )
    # when
    r = survey_results(survey)
    # then per question
    assert r.responses == 3 and r.rated == 3 and r.satisfied == 2
    assert abs(r.satisfaction - 2 / 3) < 1e-9
    res = {x.question.pk: x for x in r.questions}
    assert [o.count for o in res[overall.pk].options] == [0, 1, 0, 1, 1]
    assert res[overall.pk].average == pytest.approx(11 / 3)
    assert res[improve.pk].answered == 2 and [o.count for o in res[improve.pk].options] == [2, 1, 0]
    assert res[improve.pk].options[0].share == 1.0
    assert res[recommend.pk].satisfaction == pytest.approx(2 / 3)  # 10, 9 ≥ 9; 8 not
    assert res[text.pk].texts == ["好"]
    # per unit: the branch's own answer apart, the sub-branch rolled up
    units = {u.unit.code: u for u in r.units}
    assert units[org.b1.code].own and units[org.b1.code].responses == 1
    assert units[org.b1s.code].responses == 2 and units[org.b1s.code].satisfied == 2
    # the outlet's subtree only
    sub = survey_results(survey, org.b1s)
    assert sub.responses == 2 and sub.satisfaction == 1.0
    # figures: head office sees all, the other branch nothing; the sentence
    data = compute(user=hq_officer, unit=org.ho, period=Period.month(2026, 5))
    assert data.total.responses == 3 and data.total.surveys == 1
    assert data.sentence == "满意度调查 3 份，满意率 66.7%。"
    other = figures(other_branch_officer, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert other[0].value == 0
    assert compute(user=other_branch_officer, unit=org.b1, period=Period.month(2026, 5)).total.responses == 0
    assert compute(user=hq_officer, unit=org.ho, period=Period.month(2026, 4)).total.responses == 0


def test_results_page_and_export(client_for, world, org, django_assert_max_num_queries):
    officer, q, survey = world
    overall, _, recommend, _ = _qs(q)
    for n in range(5):
        svc.response_submit(
            survey=survey,
            answers={overall.pk: 4, recommend.pk: 7},
            nonce=f"e{n}",
            unit_code=org.b1o.code,
            consent=n == 0,
            contact_name="李四",
            contact_phone="13712345678",
        )
    c = client_for(officer)
    with django_assert_max_num_queries(20):
        page = c.get(f"/surveys/{survey.pk}/results/")
    assert page.status_code == 200 and "100.00%" in page.content.decode()
    export = c.get(f"/surveys/{survey.pk}/results.xlsx")
    wb = load_workbook(BytesIO(export.content))
    assert len(wb.sheetnames) == 4
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert "137****5678" in cells and "13712345678" not in " ".join(cells)
    assert int(wb.worksheets[0].page_setup.paperSize) == 9  # A4
    with django_assert_max_num_queries(20):
        assert c.get("/surveys/list/").status_code == 200


def test_demo_loads(org, hq_officer):
    # given head office's officer (username hq_cp, as in the demo bank)
    from xiaobao.surveys.demo import surveys_demo_load

    counts = surveys_demo_load(today=dt.date(2026, 5, 12))
    assert counts["surveys"] == 3 and counts["responses"] > 300
    r = survey_results(Survey.objects.filter(target="outlet_customers").first())
    assert r.responses >= 180 and 0.5 < (r.satisfaction or 0) < 1


def test_a_branch_runs_the_questionnaire_head_office_department_keeps(org, hq_officer, branch_officer):
    # given head office's consumer-protection department keeps the standard questionnaire
    q = svc.questionnaire_create(
        actor=hq_officer, data={"title": "标准满意度问卷", "org_unit": org.cpd.code, "questions": QUESTIONS}
    )
    # when a branch officer starts a survey on it
    survey = svc.survey_create(
        actor=branch_officer,
        data={
            "title": "北京分行网点满意度调查",
            "questionnaire": q.pk,
            "target": "outlet_customers",
            "org_unit": org.b1.code,
            "opens_on": dt.date(2026, 6, 1),
            "closes_on": dt.date(2026, 6, 30),
        },
    )
    # then it uses it; another branch's own questionnaire stays out of reach
    assert survey.questionnaire_id == q.pk
    other = svc.questionnaire_create(
        actor=make_user("sv_b2", org.b2, ["branch_cp_officer"]),
        data={"title": "上海分行问卷", "org_unit": org.b2.code, "questions": QUESTIONS},
    )
    with pytest.raises(DomainError) as exc:
        svc.survey_create(
            actor=branch_officer,
            data={
                "title": "x",
                "questionnaire": other.pk,
                "target": "outlet_customers",
                "org_unit": org.b1.code,
                "opens_on": dt.date(2026, 6, 1),
                "closes_on": dt.date(2026, 6, 30),
            },
        )
    assert "questionnaire" in exc.value.fields
