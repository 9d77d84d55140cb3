"""The quarterly Word report, the disclosure table and the board figures: content and privacy."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest
from django.utils.translation import gettext as _
from docx import Document

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import Complaint
from xiaobao.reports.tests.helpers import build_file, read_xlsx

pytestmark = pytest.mark.django_db


def _docx_xml(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


@pytest.fixture
def flagged(complaints):
    """Two October complaints for the case library, with personal data in their descriptions."""
    a, b = complaints[1], complaints[6]
    Complaint.objects.filter(pk=a.pk).update(
        case_library=True,
        description=f"{a.complainant.name}称其信用卡年费被扣收，联系电话13900000001，身份证110108199003070016，要求退还。",
        status="closed",
        root_cause="年费减免规则未在系统中配置",
        liability="at_fault",
        redress_amount=200,
    )
    Complaint.objects.filter(pk=b.pk).update(
        is_major=True, description=f"{b.complainant.name}在营业厅与员工争执，账号6222020200112233445。"
    )
    return a, b


def test_quarterly_report_has_headings_figures_and_charts(flagged, org, hq_officer):
    # when head office generates the report for Q4 2026
    content = build_file("quarterly", hq_officer, org.ho, "2026-Q4")
    doc = Document(BytesIO(content))
    # then the sections are real Word headings
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for title in (
        _("Overview"),
        _("Distribution"),
        _("Top causes and hot spots"),
        _("Complaints forwarded by regulators"),
        _("On-time performance"),
        _("Typical cases"),
        _("Rectification"),
        _("Conclusions and next steps"),
    ):
        assert title in headings
    # the overview table's figures are the dashboard's
    figures = {f.key: f for f in stats.headline(user=hq_officer, unit=org.ho, period=Period.parse("2026-Q4"))}
    overview = doc.tables[0]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in overview.rows}
    q4 = Complaint.objects.filter(receipt_date__gte="2026-10-01", receipt_date__lte="2026-12-31").count()
    assert rows[str(figures["received"].label)][1] == str(q4) == "10"
    assert rows[str(figures["regulator_forwarded"].label)][1] == "3"
    # charts are embedded pictures (business type, cause, channel)
    assert len(doc.inline_shapes) == 3
    # the typical cases name the reference, codes and a scrubbed summary
    cases = next(t for t in doc.tables if t.rows[0].cells[0].text == _("Reference"))
    refs = [r.cells[0].text for r in cases.rows[1:]]
    assert refs == [flagged[0].reference, flagged[1].reference]
    # the rectification table counts the closed complaint with a root cause and the redress
    rect = next(t for t in doc.tables if t.rows[0].cells[0].text == _("Item"))
    values = {r.cells[0].text: r.cells[1].text for r in rect.rows[1:]}
    assert values[_("of which with a root cause recorded")] == "1"
    assert values[_("of which with redress recorded")] == "1"


def test_quarterly_report_has_no_personal_data(flagged, org, hq_officer):
    content = build_file("quarterly", hq_officer, org.ho, "2026-Q4")
    xml = _docx_xml(content)
    # no complainant names, phone, ID or account numbers anywhere in the document's XML
    for c in Complaint.objects.select_related("complainant"):
        assert c.complainant.name not in xml
    assert not re.search(r"1[3-9]\d{9}", xml)
    assert "110108199003070016" not in xml
    assert "6222020200112233445" not in xml
    assert "张伟" not in xml


def test_branch_quarterly_report_stays_in_the_branch(flagged, org, branch_officer):
    content = build_file("quarterly", branch_officer, org.b1, "2026-Q4")
    xml = _docx_xml(content)
    assert "上海" not in xml and "浦东" not in xml
    assert flagged[1].reference not in xml  # branch 2's major complaint


def test_disclosure_table(complaints, org, hq_officer):
    # given complaints received in 2026 (and one in 2025)
    wb = read_xlsx(build_file("disclosure", hq_officer, org.ho, "2026"))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    total = next(r[1] for r in rows if r[0] == _("Complaints received in the year"))
    expected = Complaint.objects.filter(receipt_date__year=2026).count()
    assert total == expected == 11
    totals = [r[2] for r in rows if r[1] == _("Total")]
    assert totals == [expected, expected]  # by business type and by region both add up
    regions = {r[0]: r for r in rows if r[0] in ("B1", "B2", "HO", "HO-CPD")}
    assert regions["B1"][2] == 7 and regions["B2"][2] == 3
    assert regions["B1"][4] == "110000"
    # the head-office department is not a region: its complaint counts under head office itself
    assert "HO-CPD" not in regions and regions["HO"][2] == 1


def test_board_figures(complaints, org, hq_officer):
    wb = read_xlsx(build_file("board", hq_officer, org.ho, "2026"))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    figures = {f.key: f for f in stats.headline(user=hq_officer, unit=org.ho, period=Period.parse("2026"))}
    received = next(r for r in rows if r[0] == str(figures["received"].label))
    # 11 complaints in 2026, one in 2025: +1000 % year on year
    assert received[1] == 11 and received[2] == 1
    assert received[3] == pytest.approx(10.0)
    assert figures["received"].year_ago == 1


def test_case_summaries_drop_names_however_spaced_and_honorifics():
    from xiaobao.reports.privacy import scrub

    text = "客户 Li  Ming 称，王先生多次致电，王女士要求退款。"
    out = scrub(text, ["Li Ming", "王小明"], limit=200)
    assert "Li" not in out and "王先生" not in out and "王女士" not in out
