"""The monthly statistics table: totals reconcile with an independent count and with the dashboard."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import Complaint
from xiaobao.core.scoping import subtree_q
from xiaobao.reports.tests.helpers import build_file, grid_table, read_xlsx

pytestmark = pytest.mark.django_db

DIMENSION_SHEETS = (1, 2, 3)  # channel, business type, cause (sheet 0 is the summary)


def _orm_count(unit, start="2026-10-01", end="2026-10-31") -> int:
    return Complaint.objects.filter(
        subtree_q(unit.path, "org_unit__path"), receipt_date__gte=start, receipt_date__lte=end
    ).count()


def _check_sheet(ws, expected_total: int) -> tuple[list[str], list[list]]:
    codes, rows = grid_table(ws)
    total_row = rows[-1]
    assert total_row[1] == _("Total")
    assert total_row[-1] == expected_total
    # the child columns (and the unit's own column) add up to the total column, on every numeric row
    for row in rows:
        if row[-1] is not None:
            assert sum(v or 0 for v in row[2:-1]) == row[-1], row
    # the detail rows (not subtotals/headers) add up to the grand total
    detail = [
        r
        for r in rows[:-1]
        if r[-1] is not None and not str(r[1]).startswith(_("Subtotal: %(name)s") % {"name": ""})
    ]
    assert sum(r[-1] for r in detail) == expected_total
    return codes, rows


def test_head_office_table_counts_everything(complaints, org, hq_officer):
    # given nine complaints received in October 2026 across two branches and head office
    expected = _orm_count(org.ho)
    assert expected == 9
    # when head office generates the October table
    wb = read_xlsx(build_file("monthly", hq_officer, org.ho, "2026-10"))
    # then every dimension sheet totals 9, with a column per child unit of head office
    for index in DIMENSION_SHEETS:
        codes, _rows = _check_sheet(wb.worksheets[index], expected)
        assert codes == ["B1", "B2", "HO-CPD", "HO", "TOTAL"]


def test_branch_table_contains_only_its_subtree(complaints, org, branch_officer):
    # given the same complaints; when branch 1's officer generates branch 1's table
    content = build_file("monthly", branch_officer, org.b1, "2026-10")
    wb = read_xlsx(content)
    # then only branch 1's six complaints are counted, by its sub-branches and its own
    for index in DIMENSION_SHEETS:
        codes, _rows = _check_sheet(wb.worksheets[index], _orm_count(org.b1))
        assert codes == ["B1-S1", "B1-S2", "B1", "TOTAL"]
    assert _orm_count(org.b1) == 6
    texts = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert not any("B2" in t or "上海" in t for t in texts)


def test_business_type_rows_subtotal_sub_codes(complaints, org, hq_officer):
    # given: B02 贷款 has one complaint at B0201 and one coded at B02 itself
    wb = read_xlsx(build_file("monthly", hq_officer, org.ho, "2026-10"))
    _codes, rows = grid_table(wb.worksheets[2])
    by = {(r[0], r[1]): r for r in rows}
    # then the loan group lists the sub-code, the not-subdivided one and a subtotal of both
    assert by[("B0201", "个人住房贷款")][-1] == 1
    assert by[("B02", _("%(name)s (not subdivided)") % {"name": "贷款"})][-1] == 1
    assert by[("B02", _("Subtotal: %(name)s") % {"name": "贷款"})][-1] == 2
    # and 银行卡/信用卡 (B0303) counts three, two in branch 1 (B1 column) and one in branch 2
    credit = by[("B0303", "信用卡")]
    assert credit[-1] == 3


def test_summary_sheet_splits_sources(complaints, org, hq_officer):
    wb = read_xlsx(build_file("monthly", hq_officer, org.ho, "2026-10"))
    _codes, rows = grid_table(wb.worksheets[0], first=_("Item"))
    by = {r[0]: r for r in rows}
    assert by[_("Total received")][-1] == 9
    assert by[_("Forwarded by regulators")][-1] == 3
    assert by[str(dict(Complaint._meta.get_field("source").choices)["direct"])][-1] == 6


def test_total_equals_dashboard_received(complaints, org, branch_officer, hq_officer):
    for user, unit in ((hq_officer, org.ho), (branch_officer, org.b1), (hq_officer, org.b2)):
        wb = read_xlsx(build_file("monthly", user, unit, "2026-10"))
        _codes, rows = grid_table(wb.worksheets[2])
        figures = {f.key: f for f in stats.headline(user=user, unit=unit, period=Period.parse("2026-10"))}
        assert rows[-1][-1] == figures["received"].value


def test_one_query_per_dimension(complaints, org, hq_officer):
    from xiaobao.reports.builders import BuildContext
    from xiaobao.reports.builders.monthly import grids

    ctx = BuildContext(user=hq_officer, unit=org.ho, period=Period.parse("2026-10"))
    qs = stats.scoped_complaints(user=hq_officer, unit=org.ho, period=ctx.period)
    with CaptureQueriesContext(connection) as queries:
        grids(qs, ctx)
    # summary: sources + clocks (+ child units); each dimension: counts + codes + child units
    assert len(queries) <= 3 + 3 * 3
