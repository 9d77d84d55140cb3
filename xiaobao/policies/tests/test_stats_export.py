"""The statistics page's policy section (its figures equal the catalogue rows its links open) and the
catalogue's Excel export (A4, institution name, names not codes, the user's scope)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.analytics.periods import Period
from xiaobao.policies.models import Level
from xiaobao.policies.services import repeal_draft, revision_draft, version_approve
from xiaobao.policies.stats import stats_section
from xiaobao.policies.tests.routes import approver_for, make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        yield


@pytest.fixture
def catalogue(hq_officer, other_branch_officer, org):
    # head office: A enacted 2025, revised 2026; B enacted and repealed 2026; branch 2: X enacted 2026
    a = make_policy(hq_officer, "HO", "P-A", "甲办法", approved_on=dt.date(2025, 6, 1))
    b = make_policy(hq_officer, "HO", "P-B", "乙办法", approved_on=dt.date(2026, 2, 1))
    data = {"reason": "按新规修订", "effective_on": "2026-05-01"}
    r = revision_draft(actor=hq_officer, policy=a, data=data)
    version_approve(actor=approver_for("HO"), version=r, approved_on=dt.date(2026, 4, 20))
    x = repeal_draft(actor=hq_officer, policy=b, data={"reason": "并入甲办法", "effective_on": "2026-06-01"})
    version_approve(actor=approver_for("HO"), version=x, approved_on=dt.date(2026, 5, 30))
    make_policy(other_branch_officer, "B2", "B2-X", "上海分行细则", approved_on=dt.date(2026, 3, 1))
    return a, b


def _rows(client, url: str) -> int:
    return client.get(url).content.decode().count('data-testid="policy-row"')


def test_the_statistics_section_counts_and_drills_down(catalogue, hq_officer, client_for, org):
    # when head office reads 2026's section for the whole bank
    section = stats_section(user=hq_officer, unit=org.ho, period=Period.year(2026))
    # then the period's changes, the previous period's, policies in force by level
    cards = {c.key: c for c in section["cards"]}
    assert [cards[k].value for k in ("enact", "revise", "repeal")] == [2, 1, 1]
    assert [cards[k].previous for k in ("enact", "revise", "repeal")] == [1, 0, 0]
    assert cards["in_force"].value == 2
    levels = {str(Level.HEAD_OFFICE.label): 1, str(Level.BRANCH.label): 1}
    assert {line.name: line.value for line in section["by_level"]} == levels
    assert "2" in section["sentence"]
    # and every card and table count opens the catalogue filtered to exactly those policies
    client = client_for(hq_officer)
    for key in ("enact", "revise", "repeal", "in_force", "due"):
        assert _rows(client, cards[key].url) == cards[key].value, key
    for line in [*section["by_level"], *section["by_owner"]]:
        assert _rows(client, line.url) == line.value, line.name
    assert urlsplit(cards["uncovered"].url).path == reverse("policies:coverage")
    assert cards["uncovered"].value == sum(line.value for line in section["uncovered"]) > 0


def test_the_statistics_section_follows_scope(catalogue, branch_officer, hq_officer, client_for, org):
    # a branch sees no section for another branch, and its own branch's counts exclude head office's
    assert stats_section(user=branch_officer, unit=org.b2, period=Period.year(2026)) is None
    own = stats_section(user=branch_officer, unit=org.b1, period=Period.year(2026))
    assert [c.value for c in own["cards"] if c.key in ("enact", "in_force")] == [0, 0]
    # and the statistics page shows the section
    page = client_for(hq_officer).get(reverse("analytics:dashboard") + "?period=2026")
    assert page.status_code == 200 and 'data-testid="policies-stats"' in page.content.decode()


def test_the_catalogue_export(catalogue, hq_officer, branch_officer, client_for, settings, org):
    settings.INSTITUTION_NAME = "晓宝银行"
    # when head office exports the policies in force
    url = reverse("policies:export") + "?status=in_force&status=revised"
    resp = client_for(hq_officer).get(url)
    ws = load_workbook(BytesIO(resp.content)).active
    # then A4, the institution's name, the filter, one row per policy with names not codes
    assert resp.status_code == 200 and ws.page_setup.paperSize in (9, "9")
    assert "晓宝银行" in ws["A1"].value
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    assert sorted(r[1] for r in rows) == ["B2-X", "P-A"]
    assert {r[5] for r in rows} == {org.ho.name, org.b2.name}
    # and a branch officer's export holds head office's policies it follows, never branch 2's
    mine = load_workbook(BytesIO(client_for(branch_officer).get(reverse("policies:export")).content)).active
    numbers = {r[1] for r in mine.iter_rows(min_row=4, values_only=True)}
    assert numbers == {"P-A", "P-B"}
    # and a bad filter is refused
    assert client_for(hq_officer).get(reverse("policies:export") + "?changed_from=x").status_code == 400
