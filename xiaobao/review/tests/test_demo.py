"""The review demo: a small year through the services — every review status and opinion state, approvals
issued, expired and withdrawn, documents with the checker's findings and second versions, recusal kept,
clocks as the events say; and the `demo_load` command loads it once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from xiaobao.core.demo import demo_load
from xiaobao.review.choices import OpinionState, Status
from xiaobao.review.demo import review_demo_load
from xiaobao.review.models import Approval, DocumentVersion, Review, ReviewEvent, ReviewOpinion
from xiaobao.review.workflow import WORKFLOW

pytestmark = pytest.mark.django_db

NOW = "2026-06-17 18:30 +0800"  # a Wednesday evening
TODAY = dt.date(2026, 6, 17)


def test_demo_year():
    """One small year (loading takes a few seconds), checked from several sides."""
    # given the demo bank; when a small year of reviews is loaded on a pinned day
    with time_machine.travel(NOW, tick=False):
        demo_load(consumers=0)
        year = review_demo_load(seed=3, count=40, today=TODAY)
    # then
    _check_states(year)
    _check_recusal()
    _check_documents_and_approvals()
    _check_dates_and_clocks()


def _check_states(year):
    # then every status of a review and every state of an opinion is there, upheld escalations too
    assert set(Review.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(ReviewOpinion.objects.values_list("state", flat=True)) == set(OpinionState.values)
    assert ReviewOpinion.objects.filter(decision="uphold").exists()
    assert ReviewOpinion.objects.filter(decision="waive", state="waived").exists()
    assert set(ReviewOpinion.objects.values_list("response", flat=True)) >= {
        "adopted",
        "partly_adopted",
        "not_adopted",
    }
    assert Review.objects.count() == 40 == sum(year.statuses.values())
    assert Review.objects.filter(track="urgent").exists()
    kinds = set(Review.objects.values_list("kind", flat=True))
    assert len(kinds) >= 5


def _check_recusal():
    # then nobody reviewed, decided or concluded a request they submitted; heads were not the reviewers
    for review in Review.objects.exclude(handler=None):
        assert review.handler_id not in (review.submitted_by_id, review.created_by_id)
        assert review.concluded_by_id in (None, review.handler_id)
    for opinion in ReviewOpinion.objects.exclude(decided_by=None).select_related("review"):
        assert opinion.decided_by_id not in (
            opinion.review.handler_id,
            opinion.review.submitted_by_id,
        )
    submitters = set(Review.objects.values_list("submitted_by__username", flat=True)) - {None}
    assert {"retail_responder", "wealth_responder", "card_responder"} & submitters
    assert any(name.startswith("branch") for name in submitters)


def _check_documents_and_approvals():
    from xiaobao.checker.models import CheckFinding

    # then documents are Word files with text, the checker found problems and second versions exist
    assert DocumentVersion.objects.filter(number=1, original_name__endswith=".docx").exists()
    assert DocumentVersion.objects.filter(number=2).exists()
    assert not DocumentVersion.objects.exclude(extraction_error="").filter(text="").exists()
    assert (
        CheckFinding.objects.filter(label="guarantee").exists()
        or CheckFinding.objects.filter(label="no_risk").exists()
    )
    assert "confirmed" in set(CheckFinding.objects.values_list("decision", flat=True))
    if any(f.name == "finding" for f in ReviewOpinion._meta.get_fields()):
        assert ReviewOpinion.objects.exclude(finding=None).exists()
    # approvals for every passed review, bound to a version of its own, some expired and withdrawn
    passed = Review.objects.filter(status__in=["passed", "passed_with_changes"])
    assert passed.exists()
    for review in passed:
        approvals = list(review.approvals.select_related("version__document"))
        assert approvals and all(a.version.document.review_id == review.pk for a in approvals)
        assert all(a.sha256 == a.version.sha256 for a in approvals)
    assert not Approval.objects.exclude(review__status__in=["passed", "passed_with_changes"]).exists()
    assert set(Approval.objects.values_list("state", flat=True)) >= {"active", "expired", "withdrawn"}
    assert Review.objects.exclude(launched_on=None).exists()


def _check_dates_and_clocks():
    from xiaobao.review.services import compute_clock

    # then everything happened in the year before the pinned day
    first = ReviewEvent.objects.order_by("at").first().at.date()
    last = ReviewEvent.objects.order_by("-at").first().at.date()
    assert TODAY - dt.timedelta(days=366) <= first and last <= TODAY
    assert Review.objects.filter(created_at__date__lt=TODAY - dt.timedelta(days=90)).exists()
    # the clocks of open reviews are what the events say as of today; some are overdue
    for review in Review.objects.filter(status__in=WORKFLOW.group("live")).select_related("rule"):
        events = list(review.events.order_by("at", "id"))
        result = compute_clock(review, events, TODAY)
        assert (review.due_date, review.clock_state) == (result.due_date, result.state), review.reference
    assert Review.objects.filter(status__in=WORKFLOW.group("live"), clock_state="breached").exists()
    # concluded ones were met, a few late; withdrawn ones stopped
    concluded = set(
        Review.objects.filter(status__in=WORKFLOW.group("concluded")).values_list("clock_state", flat=True)
    )
    assert concluded <= {"met", "breached"} and "met" in concluded
    assert set(Review.objects.filter(status="withdrawn").values_list("clock_state", flat=True)) == {"stopped"}


def test_demo_load_command_loads_reviews_once(capsys):
    # given the demo bank and a day pinned
    with time_machine.travel(NOW, tick=False):
        # when demo_load runs twice with a few reviews and no other module's data
        options = {
            "complaints": 0,
            "inspections": 0,
            "reviews": 20,
            "sales_recording": 0,
            "training": 0,
            "exams": 0,
        }
        call_command("demo_load", **options)
        first = Review.objects.count()
        call_command("demo_load", **options)
    # then
    out = capsys.readouterr().out
    assert first >= 20 and Review.objects.count() == first
    assert "Demo reviews already loaded." in out
    assert "wealth_responder" in out and "branch1_product" in out and "hq_reviewer" in out
