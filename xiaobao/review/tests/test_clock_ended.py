"""An ended review's clock stays as it ended: a conclusion or a withdrawal while the submitter is answering
ends the pause that day, so recomputing it on any later day gives the same due date and state."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.review.models import Review, ReviewClock
from xiaobao.review.services import opinion_add, review_recompute_clocks, review_transition
from xiaobao.review.tests.conftest import at

pytestmark = pytest.mark.django_db


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
        review = review_transition(actor=reviewer, review=review, action="issue_opinions")
    return review


def _clock_on(review, day):
    review = Review.objects.get(pk=review.pk)
    review_recompute_clocks(review, today=day)
    k = ReviewClock.objects.get(item=review)
    return (k.due_date, k.state, k.paused_days, k.met_on, review.due_date, review.clock_state)


def test_rejection_while_answering_ends_the_pause(make_review, reviewer):
    # given a review rejected on 03-06 while the submitter was answering (paused since 03-04)
    review = _answering(make_review, reviewer)
    with at("2026-03-06"):
        review_transition(actor=reviewer, review=review, action="reject", data={"reason": "宣传单违规"})
    # when its clock is recomputed on two later days
    in_april = _clock_on(review, dt.date(2026, 4, 1))
    in_september = _clock_on(review, dt.date(2026, 9, 15))
    # then both give the same: paused two days (03-04 → 03-06), due 03-18, met on 03-06
    assert in_april == in_september
    assert in_april == (dt.date(2026, 3, 18), "met", 2, dt.date(2026, 3, 6), dt.date(2026, 3, 18), "met")


def test_withdrawal_while_answering_ends_the_pause(make_review, reviewer, submitter):
    # given a review withdrawn on 03-09 while the submitter was answering (paused since 03-04)
    review = _answering(make_review, reviewer)
    with at("2026-03-09"):
        review_transition(actor=submitter, review=review, action="withdraw", data={"reason": "产品暂缓上线"})
    # when its clock is recomputed on two later days
    in_april = _clock_on(review, dt.date(2026, 4, 1))
    in_december = _clock_on(review, dt.date(2026, 12, 1))
    # then both give the same: paused five days, due 03-21 rolled forward to Monday 03-23, stopped
    assert in_april == in_december
    assert in_april[:3] == (dt.date(2026, 3, 23), "stopped", 5)
