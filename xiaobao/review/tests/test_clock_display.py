"""How the register and the review page show a review's clock: a concluded review says how late it was
concluded (working days from the due date to the conclusion) or nothing when on time, an ended review is
never counted to today, and a paused review clock reads as waiting for the submitter's answers (not
complaints' 中止 wording, which complaints keep)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaobao.complaints.views.common import due_info
from xiaobao.review.services import opinion_add, review_transition
from xiaobao.review.tests.conftest import at, zh

pytestmark = pytest.mark.django_db

# Submitted Monday 2026-03-02 on the normal track (10 working days): due Monday 2026-03-16.
DUE = dt.date(2026, 3, 16)


def _answering(make_review, reviewer):
    """Claimed 03-03, opinions sent 03-04: the clock pauses while the submitter answers."""
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        opinion_add(
            actor=reviewer,
            review=review,
            data={"category": "marketing", "severity": "must_change", "body": "删除“保本保收益”"},
        )
    with at("2026-03-04"):
        return review_transition(actor=reviewer, review=review, action="issue_opinions")


def _concluded(make_review, reviewer, day):
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
    with at(day):
        return review_transition(
            actor=reviewer, review=review, action="reject", data={"reason": "宣传单违规"}
        )


def test_register_and_page_say_how_late_a_review_was_concluded(make_review, reviewer, client_for):
    # given a review due 03-16 and concluded on Friday 03-20: four working days late (17, 18, 19, 20)
    review = _concluded(make_review, reviewer, "2026-03-20")
    c = client_for(reviewer)
    # when the register and the page are opened months later
    with at("2026-09-01"):
        register = c.get(reverse("review:list")).content.decode()
        page = c.get(review.get_absolute_url()).content.decode()
    # then both say it was concluded four working days late, and neither counts to today
    assert "逾期 4 个工作日办结" in register and "逾期 4 个工作日办结" in page
    assert "已超期" not in register and "已超期" not in page
    assert DUE.isoformat() in register


def test_a_review_concluded_on_time_shows_no_lateness(make_review, reviewer, client_for):
    # given a review due 03-16 concluded on 03-16
    _concluded(make_review, reviewer, "2026-03-16")
    # when the register is opened months later
    with at("2026-09-01"):
        register = client_for(reviewer).get(reverse("review:list")).content.decode()
    # then the due date is shown without any lateness
    assert DUE.isoformat() in register
    assert "已超期" not in register and "办结" not in register.split('data-testid="review-list"')[1]


def test_a_withdrawn_review_is_not_counted_to_today(make_review, reviewer, submitter, client_for):
    # given a review withdrawn after its due date
    review = make_review()
    with at("2026-03-18"):
        review_transition(actor=submitter, review=review, action="withdraw", data={"reason": "产品暂缓上线"})
    # when its page is opened months later
    with at("2026-09-01"):
        page = client_for(reviewer).get(review.get_absolute_url()).content.decode()
    # then nothing counts to today
    assert "已超期" not in page
    assert zh("Stopped") in page


def test_a_paused_review_clock_waits_for_the_submitter(make_review, reviewer, client_for):
    # given a review whose opinions were sent on 03-04
    review = _answering(make_review, reviewer)
    c = client_for(reviewer)
    # when the register and the page are opened while the submitter answers
    with at("2026-03-05"):
        register = c.get(reverse("review:list")).content.decode()
        page = c.get(review.get_absolute_url()).content.decode()
    # then the clock reads as paused for the submitter's answers, not with complaints' 中止 wording
    assert "暂停（待提交人答复）" in register and "暂停（待提交人答复）" in page
    assert "已中止" not in register and "已中止" not in page


def test_complaints_keep_their_wording_for_a_paused_clock():
    # when complaints' due helper words a paused clock
    with at("2026-03-05"):
        from django.utils import translation

        with translation.override("zh-hans"):
            text = due_info(dt.date(2026, 3, 20), "paused", dt.date(2026, 3, 5)).text
    # then it is still complaints' 中止 wording
    assert text.startswith("已中止 · ")
