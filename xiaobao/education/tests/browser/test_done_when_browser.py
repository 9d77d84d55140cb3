"""The issue's "Done when" for education, walked end to end in one browser session: head office opens
the 2026 金融知识普及月 with targets per branch; an outlet clerk records three activities with photos on a
phone (360 px), starting from the edition page's report button (the campaign preset); the branch's
consumer-protection officer approves them; head office sees plan vs actual move and downloads the regulator
table (Excel) and the campaign summary (Word) — both opened and checked: the institution's name, the branch
by name, the figures of the three activities. Time pinned (ticking). Screenshots in var/screenshots/ and
/tmp/shots/polish-education/."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.education.models import Activity, CampaignEdition
from xiaobao.education.tests.routes_activities import jpeg
from xiaobao.reports.builders import institution_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
OUT = Path("/tmp/shots/polish-education")


@pytest.fixture(autouse=True)
def _catalogue():
    """A transactional test flushes the data migration's catalogue: put it back."""
    from django.apps import apps

    importlib.import_module("xiaobao.education.migrations.0002_catalogue_presets").load(apps, None)


@pytest.fixture
def snap(shot):
    OUT.mkdir(parents=True, exist_ok=True)

    def _snap(page, name):
        shutil.copy(shot(page, name), OUT / f"done-when--{name}.png")

    return _snap


def _fits(page) -> None:
    """Nothing outside tables sticks out of a 360 px screen."""
    wide = page.evaluate(
        "[...document.querySelectorAll('main, main *')]"
        ".filter(e => e.getBoundingClientRect().right > 361"
        " && !e.closest('table, .table-scroll, .edu-scroll'))"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
    )
    assert wide == [], wide


def test_literacy_month_from_targets_to_the_regulator_documents(new_context, login, snap, org, tmp_path):
    hq = make_user("dw_hq", org.cpd, ["hq_cp_officer"])
    officer = make_user("dw_b1", org.b1, ["branch_cp_officer"])
    clerk = make_user("dw_clerk", org.b1o, ["complaint_handler"])

    # head office opens the 2026 普及月 with targets for both branches (a month before it starts)
    with time_machine.travel(dt.datetime(2026, 8, 20, 9, 30, tzinfo=SH), tick=True):
        desk = new_context().new_page()
        login(desk, hq.username)
        desk.goto("/education/editions/new/")
        desk.locator("#id_campaign").select_option("financial_literacy_month")
        desk.locator("#id_year").fill("2026")
        desk.locator("#id_theme").fill("金融为民谱新篇 守护权益防风险")
        desk.locator("#id_starts_on").fill("2026-09-01")
        desk.locator("#id_ends_on").fill("2026-09-30")
        desk.locator("#id_report_by").fill("2026-10-10")
        desk.locator("#id_remind_days").fill("10")
        desk.locator("#id_org_unit").select_option(org.ho.code)
        desk.get_by_test_id("edition-save").click()
        expect(desk.get_by_test_id("targets-grid")).to_be_visible()
        for unit, (acts, people, leaflets) in ((org.b1, (3, 150, 200)), (org.b2, (2, 100, 100))):
            desk.locator(f"input[name=t-{unit.pk}-activities]").fill(str(acts))
            desk.locator(f"input[name=t-{unit.pk}-people_reached]").fill(str(people))
            desk.locator(f"input[name=t-{unit.pk}-leaflets]").fill(str(leaflets))
        desk.get_by_test_id("edition-save").click()
        expect(desk.get_by_test_id("edition-detail")).to_be_visible()
        expect(desk.get_by_test_id("plan-row")).to_have_count(2)
        snap(desk, "01-hq-edition-with-targets")
        edition = CampaignEdition.objects.get(year=2026, campaign__code="financial_literacy_month")
        assert edition.remind_days == 10 and edition.targets.count() == 2

    # the outlet clerk reports three activities with photos on a phone during the month
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, 0, tzinfo=SH), tick=True):
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        login(phone, clerk.username)
        phone.goto(f"/education/editions/{edition.pk}/")
        _fits(phone)
        snap(phone, "02-clerk-edition-phone")
        plans = [("community", 8, 40, 10), ("campus", 12, 0, 60), ("village", 16, 30, 20)]
        for n, (venue, day, elderly, students) in enumerate(plans, start=1):
            phone.goto(f"/education/editions/{edition.pk}/")
            phone.get_by_role("link", name="报送活动").click()
            expect(phone.get_by_test_id("activity-form")).to_be_visible()
            expect(phone.locator("#id_campaign")).to_have_value("financial_literacy_month")
            phone.locator("#id_held_on").fill(f"2026-09-{day:02d}")
            phone.locator(f"input[name=venue][value={venue}]").check()
            phone.locator("#id_place").fill(f"海淀区第{n}宣传点")
            phone.locator("input[name=topics][value=telecom_fraud]").check()
            phone.locator("#id_audience_elderly").fill(str(elderly))
            phone.locator("#id_audience_students").fill(str(students))
            expect(phone.locator("#id_people_reached")).to_have_value(str(elderly + students))
            phone.locator("#id_leaflets").fill(str(50 * n))
            photo = tmp_path / f"dw{n}.jpg"
            photo.write_bytes(jpeg(dt.date(2026, 9, day), size=(320, 240), color="#16a34a"))
            phone.locator("#id_photos").set_input_files(str(photo))
            if n == 1:
                _fits(phone)
                snap(phone, "03-clerk-form-phone")
            phone.get_by_test_id("activity-submit").click()
            expect(phone.get_by_test_id("activity-detail")).to_be_visible()
            expect(phone.get_by_test_id("photo")).to_have_count(1)
        _fits(phone)
        snap(phone, "04-clerk-third-reported")
        assert Activity.objects.filter(edition=edition, status="submitted", org_unit=org.b1o).count() == 3

        # the branch officer approves them (from the awaiting list)
        b1 = new_context().new_page()
        b1.set_viewport_size(PHONE)
        login(b1, officer.username)
        b1.goto("/education/activities/?awaiting=true")
        expect(b1.get_by_test_id("activity-cards").locator("li")).to_have_count(3)
        snap(b1, "05-branch-awaiting")
        for item in Activity.objects.filter(edition=edition).order_by("pk"):
            b1.goto(f"/education/activities/{item.pk}/")
            b1.get_by_test_id("action-approve").click()
            b1.get_by_test_id("action-submit").click()
            expect(b1.get_by_test_id("status")).to_have_text("已通过")
        snap(b1, "06-branch-approved")
        assert Activity.objects.filter(edition=edition, status="approved").count() == 3

        # head office: plan vs actual has moved; both documents download and hold the figures
        desk = new_context().new_page()
        login(desk, hq.username)
        desk.goto(f"/education/editions/{edition.pk}/")
        row = desk.locator("[data-testid=plan-row][data-unit=B1]")
        expect(row).to_contain_text("100")
        snap(desk, "07-hq-plan-vs-actual")
        with desk.expect_download() as got:
            desk.get_by_test_id("edition-table").click()
        table = load_workbook(BytesIO(Path(got.value.path()).read_bytes())).active
        with desk.expect_download() as got:
            desk.get_by_test_id("edition-summary").click()
        summary = Document(BytesIO(Path(got.value.path()).read_bytes()))

    assert institution_name() in table["A1"].value and "金融知识普及月" in table["A1"].value
    rows = {r[0]: r for r in table.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["北京分行"][1:3] == (3, 160)
    text = "\n".join(p.text for p in summary.paragraphs)
    assert summary.paragraphs[0].text == institution_name() and "2026 金融知识普及月" in text
    cells = [c.text for t in summary.tables for r in t.rows for c in r.cells]
    assert "北京分行" in cells and "B1" not in cells
