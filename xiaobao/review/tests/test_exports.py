"""The register's Excel export (`/reviews/export.xlsx`) on the fixed set of test_figures_fixtures.py."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.core.models import AuditEvent
from xiaobao.review.exports import register_workbook
from xiaobao.review.models import Review
from xiaobao.review.tests.test_figures_fixtures import b1_figures_user, build_review_set, hq_figures_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def review_set(org):
    return build_review_set(org)


@pytest.fixture
def hq_viewer(org):
    return hq_figures_user(org)


@pytest.fixture
def b1_viewer(org):
    return b1_figures_user(org)


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _all_text(wb):
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_branch_export_has_its_reviews_and_issued_opinions_only(review_set, b1_viewer, client_for):
    # given the Beijing officer
    # when
    wb = _book(client_for(b1_viewer).get(reverse("review:export")))
    # then three sheets: summary, reviews, opinions
    assert wb.sheetnames == ["汇总", "审查事项", "审查意见"]
    reviews = _rows(wb["审查事项"])
    refs = {r[0] for r in reviews[1:]}
    s = review_set
    assert refs == {x.reference for x in (s.r1, s.r2, s.r4, s.r5, s.r6, s.r7)}  # not Shanghai's R3
    opinions = _rows(wb["审查意见"])
    assert len(opinions) - 1 == 6  # R1: 2, R2: 3, R4: 1 — R1's unissued draft is left out
    assert s.r3.reference not in _all_text(wb)


def test_rows_carry_names_not_codes_and_no_people(review_set, hq_viewer, client_for):
    # given head office
    # when
    wb = _book(client_for(hq_viewer).get(reverse("review:export")))
    # then the R2 row names its unit, kind, product kind and conclusion; days and counts are numbers
    header, *rows = _rows(wb["审查事项"])
    row = dict(zip(header, next(r for r in rows if r[0] == review_set.r2.reference), strict=True))
    assert row["提交机构"] == "海淀支行"
    assert row["产品类别"] == "理财"
    assert row["审查类型"] not in ("new_product", "") and row["审查结论"] not in ("pass_with_changes", "")
    assert row["按期率"] == "否"  # concluded after its due date
    assert row["工作日"] == 14
    assert (row["意见数"], row["必须修改"], row["已采纳"], row["未采纳"]) == (3, 1, 2, 1)
    text = _all_text(wb)
    for person in ("fig_b1_product", "fig_hq_reviewer", "hq_figures"):
        assert person not in text  # no user names anywhere


def test_summary_has_the_sentence_of_the_rows_exported(review_set, hq_viewer, client_for):
    # given the register filtered to March's conclusions, as on the statistics page's link
    params = {"concluded_from": "2026-03-01", "concluded_to": "2026-03-31", "unit": "HO"}
    # when
    wb = _book(client_for(hq_viewer).get(reverse("review:export"), params))
    # then
    summary = _all_text(wb)
    assert "审查 3 项，提出意见 6 条，采纳率 80%" in summary
    assert {r[0] for r in _rows(wb["审查事项"])[1:]} == {
        review_set.r1.reference,
        review_set.r2.reference,
        review_set.r3.reference,
    }


def test_filters_as_on_the_list_page(review_set, hq_viewer, client_for):
    # given / when
    wb = _book(
        client_for(hq_viewer).get(reverse("review:export"), {"kind": "marketing", "status": "rejected"})
    )
    # then
    assert [r[0] for r in _rows(wb["审查事项"])[1:]] == [review_set.r3.reference]


def test_print_setup_a4_landscape_with_the_institution(review_set, hq_viewer, client_for, settings):
    # given a configured institution name
    settings.INSTITUTION_NAME = "晓宝银行"
    # when
    wb = _book(client_for(hq_viewer).get(reverse("review:export")))
    # then every sheet prints A4 landscape, the institution in the page header
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert "晓宝银行" in (ws.oddHeader.center.text or "")
    assert wb["审查事项"].print_title_rows == "$1:$1"
    assert wb["汇总"]["A1"].value == "晓宝银行"


def test_bad_filter_is_a_400_naming_the_field(review_set, hq_viewer, client_for):
    # given / when
    response = client_for(hq_viewer).get(reverse("review:export"), {"concluded_from": "2026-13-45"})
    # then
    assert response.status_code == 400
    assert "concluded_from" in response.content.decode()


def test_export_is_audited(review_set, hq_viewer, client_for):
    # given / when
    client_for(hq_viewer).get(reverse("review:export"), {"kind": "marketing"})
    # then
    event = AuditEvent.objects.filter(object_type="review.review", action="export").latest("pk")
    assert event.actor_id == hq_viewer.pk
    assert event.changes["filters"]["kind"] == "marketing"


def test_without_view_permission_403(review_set, org, client_for):
    # given
    nobody = make_user("fig_nobody", org.b1, [])
    # when / then
    assert client_for(nobody).get(reverse("review:export")).status_code == 403


def test_formula_like_text_is_neutralised(review_set, hq_viewer, client_for):
    # given a title a spreadsheet would run
    Review.objects.filter(pk=review_set.r1.pk).update(title='=HYPERLINK("http://x")')
    # when
    wb = _book(client_for(hq_viewer).get(reverse("review:export")))
    # then
    titles = [r[1] for r in _rows(wb["审查事项"])[1:]]
    assert '\'=HYPERLINK("http://x")' in titles


def test_workbook_streams_many_reviews(review_set, hq_viewer, org):
    # given 600 more concluded reviews in Beijing
    from xiaobao.review.tests.test_figures_fixtures import make_review

    for i in range(600):
        make_review(
            unit=org.b1, kind="marketing", submitted="2026-03-02", concluded="2026-03-09 10:00",
            due="2026-03-16", conclusion="pass", by=review_set.b1_submitter, title=f"批量 {i}",
        )  # fmt: skip
    # when
    content = register_workbook(Review.objects.visible_to(hq_viewer), unit=org.ho, institution="晓宝银行")
    # then
    wb = load_workbook(BytesIO(content), read_only=True)
    assert sum(1 for _r in wb["审查事项"].iter_rows()) == 1 + 7 + 600


def test_a_register_past_the_limit_keeps_the_newest_and_says_so(review_set, hq_viewer, org, monkeypatch):
    # given a limit of three reviews per file
    from xiaobao.review import exports

    monkeypatch.setattr(exports, "EXPORT_LIMIT", 3)
    # when
    content = register_workbook(Review.objects.visible_to(hq_viewer), unit=org.ho, institution="晓宝银行")
    # then the three newest submissions, and a note on the summary sheet
    wb = load_workbook(BytesIO(content))
    refs = [r[0] for r in _rows(wb["审查事项"])[1:]]
    s = review_set
    assert refs == [s.r5.reference, s.r7.reference, s.r6.reference]  # submitted 03-25, 03-24, 03-05
    assert "本文件仅包含前 3 项审查。" in _all_text(wb)
