"""The review clock: by track (normal 10, urgent 3 working days), paused while the submitter answers, met by
the conclusion, stopped by a withdrawal; the shared sweeper breaches an overdue review and tells the
reviewer; the home panel lists what waits for the user."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.casework.models import Notification
from xiaobao.casework.sweeper import sweep_clocks
from xiaobao.review.models import ReviewClock
from xiaobao.review.selectors import home_panel
from xiaobao.review.services import opinion_add, review_transition
from xiaobao.review.tests.conftest import at

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def test_urgent_track_has_three_working_days(make_review):
    review = make_review(track="urgent")
    clock = review.clocks.get()
    assert (clock.rule.code, clock.due_date) == ("review-urgent-3wd", dt.date(2026, 3, 5))


def test_draft_has_no_clock_and_withdrawal_stops_it(make_review, submitter):
    draft = make_review(submit=False)
    assert not draft.clocks.exists() and draft.due_date is None
    review = make_review()
    with at("2026-03-04"):
        review_transition(actor=submitter, review=review, action="withdraw", data={"reason": "产品暂缓上线"})
    assert review.clocks.get().state == "stopped"


def test_overdue_review_is_breached_and_the_reviewer_told(make_review, reviewer):
    # given a review taken by the reviewer, due 2026-03-16
    review = make_review()
    with at("2026-03-03"):
        review_transition(actor=reviewer, review=review, action="claim")
    # when the sweeper runs on 03-18
    sweep_clocks(now=dt.datetime(2026, 3, 18, 9, 0, tzinfo=TZ), models=[ReviewClock])
    # then
    review.refresh_from_db()
    assert ReviewClock.objects.get().state == "breached" and review.clock_state == "breached"
    assert Notification.objects.filter(user=reviewer, kind="sla_breach").exists()


def test_home_panel_lists_answers_and_reviews_waiting(make_review, submitter, reviewer):
    review = make_review()
    make_review()
    # a reviewer sees two unclaimed reviews
    with at("2026-03-03"):
        assert home_panel(reviewer)["unclaimed"] == 2
        review = review_transition(actor=reviewer, review=review, action="claim")
        opinion_add(
            actor=reviewer,
            review=review,
            data={"category": "marketing", "severity": "suggestion", "body": "x"},
        )
        review_transition(actor=reviewer, review=review, action="issue_opinions")
        panel = home_panel(submitter)
    # the submitter has one review to answer; the submitter's own reviews are not "unclaimed" for them
    assert [r.pk for r in panel["to_answer"]] == [review.pk]
    assert panel["unclaimed"] == 0


def test_home_page_shows_the_panel(make_review, reviewer, client_for):
    make_review()
    with at("2026-03-03"):
        page = client_for(reviewer).get("/")
    assert page.status_code == 200
    assert 'data-testid="review-unclaimed"' in page.content.decode()
