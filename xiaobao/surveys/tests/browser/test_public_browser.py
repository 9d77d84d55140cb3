"""A customer answers a survey on the public page at 360 px (no login), sent twice is refused; the officer
sees the results. Screenshots in var/screenshots and /tmp/shots/surveys."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.surveys import services as svc
from xiaobao.surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
OUT = Path("/tmp/shots/surveys")


def test_answer_on_a_phone_then_results(new_context, login, shot, org):
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(dt.datetime(2026, 5, 12, 10, 0, tzinfo=SH), tick=True):
        officer = make_user("sv_browser", org.b1, ["branch_cp_officer"])
        q = svc.questionnaire_create(
            actor=officer,
            data={
                "title": "网点客户满意度调查问卷",
                "intro": "感谢您在本行办理业务，问卷匿名填写。",
                "org_unit": org.b1.code,
                "questions": [
                    {
                        "kind": "scale",
                        "text": "您对本次业务办理的整体满意度",
                        "counts_for_satisfaction": True,
                    },
                    {
                        "kind": "choice_many",
                        "text": "您认为哪些方面需要改进？",
                        "options": ["等候时间", "服务态度", "网点环境"],
                        "required": False,
                    },
                    {"kind": "scale", "text": "您向亲友推荐本行的可能性", "scale_min": 0, "scale_max": 10},
                    {"kind": "text", "text": "其他意见或建议", "required": False},
                ],
            },
        )
        survey = svc.survey_create(
            actor=officer,
            data={
                "title": "北京分行2026年网点客户满意度调查",
                "questionnaire": q.pk,
                "target": "outlet_customers",
                "org_unit": org.b1.code,
                "opens_on": "2026-05-01",
                "closes_on": "2026-05-31",
            },
        )
        svc.survey_set_status(actor=officer, survey=survey, status="open")

        # a customer scans the outlet's code on a phone: no login
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(f"/public/surveys/{survey.token}/?at={org.b1o.code}")
        expect(phone.get_by_test_id("answer-form")).to_be_visible()
        phone.get_by_test_id("send").click()  # nothing answered: field errors
        expect(phone.locator(".errorlist").first).to_be_visible()
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot(phone, "01-errors"), OUT / "01-errors.png")
        phone.locator("fieldset[data-testid=question]").nth(0).locator(
            "label.sv-scale-opt", has_text="5"
        ).click()
        phone.get_by_label("等候时间").check()
        phone.locator("fieldset[data-testid=question]").nth(2).locator(
            "label.sv-scale-opt", has_text="9"
        ).click()
        phone.locator("textarea").fill("大堂经理很热情")
        wide = phone.evaluate(
            "[...document.querySelectorAll('main *')]"
            ".filter(e => e.getBoundingClientRect().right > 361).length"
        )
        assert wide == 0
        shutil.copy(shot(phone, "02-filled"), OUT / "02-filled.png")
        phone.get_by_test_id("send").click()
        expect(phone.get_by_test_id("thanks")).to_be_visible()
        shutil.copy(shot(phone, "03-thanks"), OUT / "03-thanks.png")
        phone.goto(f"/public/surveys/{survey.token}/?at={org.b1o.code}")
        expect(phone.get_by_test_id("answered")).to_be_visible()
        shutil.copy(shot(phone, "04-answered"), OUT / "04-answered.png")
        r = Response.objects.get()
        assert r.org_unit == org.b1o and not r.consent

        # the officer sees the results
        desk = new_context().new_page()
        login(desk, officer.username)
        desk.goto(f"/surveys/{survey.pk}/")
        expect(desk.locator("[data-testid=survey-qr] svg")).to_be_visible()
        shutil.copy(shot(desk, "05-detail"), OUT / "05-detail.png")
        desk.goto(f"/surveys/{survey.pk}/results/")
        expect(desk.get_by_test_id("results-responses")).to_have_text("1")
        shutil.copy(shot(desk, "06-results"), OUT / "06-results.png")

        # every staff page in zh-Hans at 1280 px, and a complainant's personal link at 360 px
        from xiaobao.complaints.models import Complaint
        from xiaobao.surveys.models import Invitation
        from xiaobao.surveys.tests.test_invitations import _complaint

        handler = make_user("sv_desk", org.b1, ["complaint_handler"])
        complaints = svc.survey_create(
            actor=officer,
            data={
                "title": "北京分行投诉处理满意度回访",
                "questionnaire": q.pk,
                "target": "complainants",
                "org_unit": org.b1.code,
                "opens_on": "2026-05-01",
                "closes_on": "2026-06-30",
            },
        )
        svc.survey_set_status(actor=officer, survey=complaints, status="open")
        decided = _complaint(handler, org.b1s, dt.date(2026, 5, 8))
        assert Complaint.objects.filter(decided_on__isnull=False).count() == 1
        desk.set_viewport_size({"width": 1280, "height": 900})
        pages = [
            ("07-home", "/surveys/"),
            ("08-list", "/surveys/list/"),
            ("09-new", "/surveys/new/"),
            ("10-edit", f"/surveys/{survey.pk}/edit/"),
            ("11-questionnaires", "/surveys/questionnaires/"),
            ("12-questionnaire", f"/surveys/questionnaires/{q.pk}/"),
            ("13-question-edit", f"/surveys/questions/{q.questions.first().pk}/edit/"),
            ("14-poster", f"/surveys/{survey.pk}/poster/?at={org.b1o.code}"),
        ]
        for name, url in pages:
            desk.goto(url)
            assert "Traceback" not in desk.content()
            shutil.copy(shot(desk, name), OUT / f"{name}.png")
        # the statistics page's section and the home panel, on the real pages
        desk.goto("/statistics/?period=2026-05")
        section = desk.get_by_test_id("survey-figures")
        expect(section).to_contain_text("满意度调查 1 份")
        expect(section.locator("[data-chart=by_unit][data-ready='1'] svg")).to_be_visible()
        section.screenshot(path=str(OUT / "16-statistics-section.png"))
        desk.goto("/")
        panel = desk.get_by_test_id("surveys-home")
        expect(panel).to_be_visible()
        panel.screenshot(path=str(OUT / "17-home-panel.png"))
        desk.goto(f"/surveys/{complaints.pk}/")
        desk.get_by_test_id("invitations-link").click()
        desk.get_by_label("投诉编号").fill(decided.reference)
        desk.get_by_test_id("invite").click()
        expect(desk.get_by_test_id("invitation")).to_have_count(1)
        shutil.copy(shot(desk, "15-invitations"), OUT / "15-invitations.png")
        link = Invitation.objects.get()
        phone.goto(f"/public/surveys/{complaints.token}/?i={link.token}")
        expect(phone.get_by_test_id("invited")).to_be_visible()
        shutil.copy(shot(phone, "18-invited"), OUT / "18-invited.png")
