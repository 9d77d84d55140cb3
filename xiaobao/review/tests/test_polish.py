"""Review page polish: the pass steps offered disabled with the reason while must-change opinions are open
(the same function as the service's 409)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaobao.review.services import opinion_add, opinion_delete, review_transition
from xiaobao.review.tests.conftest import at

pytestmark = pytest.mark.django_db


def _in_review_with_opinions(make_review, reviewer):
    """Taken by the reviewer, opinions 1 (must change), 2 (suggestion), 3 (must change) written."""
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        for severity in ("must_change", "suggestion", "must_change"):
            opinion_add(
                actor=reviewer,
                review=review,
                data={"category": "marketing", "severity": severity, "body": "删除“保本保收益”"},
            )
    return review


def _button(html: str, code: str) -> str:
    match = re.search(rf'<(a|button)[^>]*data-testid="action-{code}"[^>]*>', html)
    assert match, f"no {code} step on the page"
    return match.group(0)


def test_pass_steps_are_disabled_with_the_reason_while_must_change_opinions_are_open(
    make_review, reviewer, client_for, api_for
):
    # given a review in review with must-change opinions 1 and 3 open
    review = _in_review_with_opinions(make_review, reviewer)
    c = client_for(reviewer)
    # when the reviewer opens the page
    with at("2026-03-04"):
        html = c.get(reverse("review:detail", args=[review.pk])).content.decode()
    # then both pass steps are there but disabled, the reason visible; reject stays a link
    for code in ("pass", "pass_with_changes"):
        button = _button(html, code)
        assert button.startswith("<button") and " disabled" in button
    assert _button(html, "reject").startswith("<a")
    assert '<p class="rv-pass-blocked small" id="pass-blocked" data-testid="pass-blocked">' in html
    assert "必须修改意见 1、3 尚未关闭或豁免" in html
    # and the step's own form says so instead of offering the button
    with at("2026-03-04"):
        form = c.get(reverse("review:action", args=[review.pk, "pass"]))
    assert form.status_code == 409 and "必须修改意见 1、3 尚未关闭或豁免" in form.content.decode()
    assert 'data-testid="action-submit"' not in form.content.decode()
    # and the API still answers 409 with the same message
    with at("2026-03-04"):
        refused = api_for(reviewer).post(
            f"/api/v1/reviews/{review.pk}/actions/pass", {}, content_type="application/json"
        )
    assert refused.status_code == 409
    assert refused.json()["message"].startswith("必须修改意见 1、3 尚未关闭或豁免")


def test_pass_steps_are_links_again_once_nothing_blocks(make_review, reviewer, client_for):
    # given the two must-change opinions taken back before they were sent
    review = _in_review_with_opinions(make_review, reviewer)
    with at("2026-03-03"):
        for number in (3, 1):
            opinion_delete(actor=reviewer, opinion=review.opinions.get(number=number))
    # when
    with at("2026-03-04"):
        html = client_for(reviewer).get(reverse("review:detail", args=[review.pk])).content.decode()
    # then
    assert _button(html, "pass").startswith("<a") and _button(html, "pass_with_changes").startswith("<a")
    assert 'data-testid="pass-blocked"' not in html


def test_approvals_read_the_recorded_time(make_review, reviewer):
    """Entering past facts (`recording_at`, the demo's year) — the issue, the expiry job and the state as of
    "today" all use the recorded moment, not the machine's clock."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from xiaobao.core.clock import recording_at
    from xiaobao.review.approvals import approvals_expire, effective_state, live_approvals

    cst = ZoneInfo("Asia/Shanghai")
    review = make_review()
    issued = dt.datetime(2026, 3, 10, 15, 30, tzinfo=cst)
    # given a pass recorded on 10 March 2026, entered a year later (the machine's clock)
    with at("2027-03-06"), recording_at(issued):
        review = review_transition(actor=reviewer, review=review, action="claim")
        review = review_transition(
            actor=reviewer, review=review, action="pass", data={"valid_until": dt.date(2026, 3, 31)}
        )
        approval = review.approvals.get()
        # then it is issued at the recorded moment and in force on the recorded day
        assert approval.issued_at == issued and approval.number.startswith("XB-SC-2026-")
        assert effective_state(approval) == "active" and live_approvals().filter(pk=approval.pk).exists()
    # when the expiry job runs as of 1 April (recorded), while the machine's clock says 20 March
    with at("2026-03-20"):
        assert effective_state(approval) == "active"
        with recording_at(dt.datetime(2026, 4, 1, 1, 0, tzinfo=cst)):
            assert effective_state(approval) == "expired"
            report = approvals_expire()
    # then the approval expired
    assert report.expired == 1
    approval.refresh_from_db()
    assert approval.state == "expired"


def test_approval_withdrawal_reads_che_hui_everywhere(reviewer, client_for):
    """An approval's withdrawal is 撤回 / 已撤回 (never 已撤销, the word for closing a unit); the
    register's link in the review sub-navigation reads 审查批准."""
    from django.utils import translation

    from xiaobao.review.choices import ApprovalState
    from xiaobao.review.models import Approval

    # given / when
    with translation.override("zh-hans"):
        state = str(ApprovalState.WITHDRAWN.label)
        fields = [str(Approval._meta.get_field(f).verbose_name) for f in ("withdrawn_at", "withdrawn_reason")]
    with at("2026-03-04"):
        html = client_for(reviewer).get(reverse("review:approvals")).content.decode()
    # then
    assert state == "已撤回"
    assert fields == ["撤回时间", "撤回原因"]
    assert '<option value="withdrawn">已撤回</option>' in html and "撤销" not in html
    assert f'<a href="{reverse("review:approvals")}">审查批准</a>' in html


def test_the_timeline_names_rules_instead_of_showing_their_codes(make_review, reviewer, client_for):
    from xiaobao.casework.models import DeadlineRule
    from xiaobao.checker.models import CheckFinding, CheckRule
    from xiaobao.review.services import review_finding_decide

    # given a submitted review (its deadline rule recorded) and a checker finding the reviewer confirmed
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        version = review.documents.get().versions.get()
        finding = CheckFinding.objects.filter(object_id=version.pk).order_by("start").first()
        review_finding_decide(actor=reviewer, review=review, finding=finding, decision="confirmed")
    deadline = DeadlineRule.objects.get(code=review.rule.code)
    checker_rule = CheckRule.objects.get(code=finding.rule_code)
    # when
    with at("2026-03-04"):
        html = client_for(reviewer).get(reverse("review:detail", args=[review.pk])).content.decode()
    timeline = html.split('data-testid="timeline"', 1)[1]
    # then the rules are named, their codes not shown
    assert f"时限规则: {deadline.name}" in timeline and deadline.code not in timeline
    assert f"审查规则: {checker_rule.title}" in timeline and checker_rule.code not in timeline


def test_the_register_links_its_excel_export_with_the_current_filters(make_review, reviewer, client_for):
    import html as html_lib
    import io

    import openpyxl

    # given a marketing review and a contract review
    make_review(title="宣传单审查")
    make_review(title="合同审查", kind="contract")
    c = client_for(reviewer)
    # when the register is filtered (a full page and an HTMX refresh of the results)
    with at("2026-03-04"):
        page = c.get(reverse("review:list"), {"kind": "marketing", "page": "1"}).content.decode()
        partial = c.get(reverse("review:list"), {"kind": "contract"}, HTTP_HX_REQUEST="true").content.decode()
    # then the export link carries the filters (not the page number)
    match = re.search(
        r'<a class="btn small" href="([^"]+)" data-testid="export" download>导出 Excel</a>', page
    )
    assert match, "no export link"
    href = html_lib.unescape(match.group(1))
    assert href == reverse("review:export") + "?kind=marketing"
    assert f'href="{reverse("review:export")}?kind=contract"' in partial
    # and following it gives the filtered register as a workbook
    with at("2026-03-04"):
        response = c.get(href)
    assert response.status_code == 200
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    ]
    assert any("宣传单审查" in v for v in cells) and not any("合同审查" in v for v in cells)


def test_the_reviewer_edits_an_opinion_before_sending_it(make_review, reviewer, client_for):
    from xiaobao.core.models import AuditEvent

    # given opinions 1–3 written, not sent
    review = _in_review_with_opinions(make_review, reviewer)
    c = client_for(reviewer)
    url = reverse("review:detail", args=[review.pk])
    # when the reviewer opens opinion 2 for editing
    with at("2026-03-04"):
        page = c.get(url, {"edit": "2"}).content.decode()
    # then the page's opinion form is prefilled with it and posts to the edit
    assert f'action="{reverse("review:opinion_edit", args=[review.pk, 2])}"' in page
    assert "修改第 2 条意见" in page and 'data-testid="opinion-edit"' in page
    form = page.split('data-testid="opinion-edit-form"', 1)[1].split("</form>", 1)[0]
    assert '<option value="suggestion" selected>' in form and "删除“保本保收益”</textarea>" in form
    # when it is saved as a must-change opinion with another text
    with at("2026-03-04"):
        bad = c.post(reverse("review:opinion_edit", args=[review.pk, 2]), {"category": "marketing"})
        saved = c.post(
            reverse("review:opinion_edit", args=[review.pk, 2]),
            {
                "category": "disclosure",
                "severity": "must_change",
                "body": "补充“理财非存款”提示",
                "location": "第2段",
            },
        )
    # then a bad form shows the errors on the page (the edit form still open), the good one is saved
    assert bad.status_code == 400 and 'data-testid="opinion-edit-form"' in bad.content.decode()
    assert saved.status_code == 302
    opinion = review.opinions.get(number=2)
    assert (opinion.category, opinion.severity, opinion.body, opinion.location) == (
        "disclosure",
        "must_change",
        "补充“理财非存款”提示",
        "第2段",
    )
    assert review.opinions.count() == 3  # edited in place, no new number
    assert review.events.filter(action="opinion_edited", data__opinion=2).count() == 1
    assert (
        AuditEvent.objects.filter(object_type="review.reviewopinion", object_id=str(opinion.pk)).count() == 2
    )


def test_a_sent_opinion_cannot_be_edited(make_review, reviewer, api_for, client_for):
    # given opinions sent to the submitter
    review = _in_review_with_opinions(make_review, reviewer)
    with at("2026-03-03"):
        review_transition(actor=reviewer, review=review, action="issue_opinions")
    body = {"category": "other", "severity": "suggestion", "body": "改写"}
    # when the reviewer tries through the API and the page
    with at("2026-03-04"):
        api = api_for(reviewer).put(
            f"/api/v1/reviews/{review.pk}/opinions/1", body, content_type="application/json"
        )
        page = client_for(reviewer).get(reverse("review:detail", args=[review.pk]), {"edit": "1"})
    # then 409 from the API, no edit form or button on the page, the opinion as sent
    assert api.status_code == 409 and api.json()["code"] == "issued"
    assert 'data-testid="opinion-edit' not in page.content.decode()
    assert review.opinions.get(number=1).body == "删除“保本保收益”"


def test_the_api_edits_an_opinion_not_yet_sent(make_review, reviewer, api_for):
    review = _in_review_with_opinions(make_review, reviewer)
    # when
    with at("2026-03-04"):
        response = api_for(reviewer).put(
            f"/api/v1/reviews/{review.pk}/opinions/3",
            {"category": "pricing", "severity": "suggestion", "body": "建议列明费率"},
            content_type="application/json",
        )
        refused = api_for(reviewer).put(
            f"/api/v1/reviews/{review.pk}/opinions/3",
            {"category": "nonsense", "severity": "suggestion", "body": ""},
            content_type="application/json",
        )
    # then
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["category"]) == (3, "pricing")
    assert refused.status_code == 422 and {"category", "body"} <= set(refused.json()["fields"])
    assert review.opinions.get(number=3).body == "建议列明费率"
