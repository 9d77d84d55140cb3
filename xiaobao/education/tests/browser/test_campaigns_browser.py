"""In the browser: head office opens the 2026 金融知识普及月 with its dates, theme and reporting
deadline, sets the targets per branch in the grid (a bad cell refused, then corrected), and sees plan and
silent outlets on the edition page; a branch officer opens the same page on a phone (360 px) five days
before the deadline and sees their own outlets still missing, highlighted. Time pinned (ticking).
Screenshots in var/screenshots/ and /tmp/shots/edu-campaigns/ (looked at)."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.services.org import org_unit_create
from xiaobao.education.models import CampaignEdition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp/shots/edu-campaigns")


@pytest.fixture(autouse=True)
def _catalogue():
    """A transactional test flushes the data migration's catalogue: put it back."""
    from django.apps import apps

    importlib.import_module("xiaobao.education.migrations.0002_catalogue_presets").load(apps, None)


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_head_office_opens_the_literacy_month_with_targets(new_context, login, shot, org):
    hq = make_user("hq_edu", org.cpd, ["hq_cp_officer"])
    officer = make_user("b1_edu", org.b1, ["branch_cp_officer"])
    org_unit_create(actor=None, code="B1-S1-O2", name="五道口网点", kind="outlet", parent=org.b1s)
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
        desk.locator("#id_org_unit").select_option(org.ho.code)
        _keep(shot(desk, "01-open-form"))
        desk.get_by_test_id("edition-save").click()
        expect(desk.get_by_test_id("targets-grid")).to_be_visible()
        edition = CampaignEdition.objects.get(year=2026, campaign__code="financial_literacy_month")

        # a negative cell is refused, the typed numbers stay
        desk.locator(f"input[name=t-{org.b1.pk}-activities]").fill("-5")
        desk.locator(f"input[name=t-{org.b2.pk}-activities]").fill("20")
        desk.get_by_test_id("edition-save").click()
        expect(desk.locator(".errorlist").first).to_be_visible()
        expect(desk.locator(f"input[name=t-{org.b2.pk}-activities]")).to_have_value("20")
        _keep(shot(desk, "02-grid-error"))
        assert not edition.targets.exists()

        desk.locator(f"input[name=t-{org.b1.pk}-activities]").fill("30")
        desk.locator(f"input[name=t-{org.b1.pk}-people_reached]").fill("3000")
        desk.locator(f"input[name=t-{org.b1.pk}-leaflets]").fill("5000")
        desk.locator(f"input[name=t-{org.b2.pk}-people_reached]").fill("2000")
        desk.get_by_test_id("edition-save").click()
        expect(desk.get_by_test_id("edition-detail")).to_be_visible()
        expect(desk.get_by_test_id("silent-outlet")).to_have_count(2)
        _keep(shot(desk, "03-edition-page"))
        rows = {t.org_unit.code: (t.activities, t.people_reached, t.leaflets) for t in edition.targets.all()}
        assert rows == {"B1": (30, 3000, 5000), "B2": (20, 2000, 0)}

    with time_machine.travel(dt.datetime(2026, 10, 5, 9, 30, tzinfo=SH), tick=True):
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        login(phone, officer.username)
        phone.goto(f"/education/editions/{edition.pk}/")
        expect(phone.get_by_test_id("silent-state")).to_contain_text("5")
        expect(phone.locator(".edu-silent.due_soon")).to_be_visible()
        expect(phone.get_by_test_id("silent-outlet")).to_have_count(2)
        _keep(shot(phone, "04-phone-edition"))
        phone.goto("/education/")
        expect(phone.get_by_test_id("edu-current-row")).to_have_count(1)
        _keep(shot(phone, "05-phone-home"))
