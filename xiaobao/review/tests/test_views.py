"""Review pages: the register (filters, bounded queries), the submission form with files, the detail page
(findings marked, opinions, answer form), the steps, uploads (a bad file stores nothing), the diff."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from xiaobao.review.models import DocumentVersion, Review, ReviewDocument
from xiaobao.review.services import opinion_add, review_transition
from xiaobao.review.tests.conftest import LEAFLET, LEAFLET_V2, at, docx, review_data

pytestmark = pytest.mark.django_db


def _in_answering(make_review, reviewer):
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        opinion_add(
            actor=reviewer,
            review=review,
            data={"category": "marketing", "severity": "must_change", "body": "删除“保本保收益”"},
        )
        review = review_transition(actor=reviewer, review=review, action="issue_opinions")
    return review


def test_register_lists_and_filters_with_bounded_queries(
    make_review, reviewer, client_for, django_assert_max_num_queries
):
    # given three reviews
    for _ in range(3):
        make_review()
    c = client_for(reviewer)
    # when / then
    with at("2026-03-04"), django_assert_max_num_queries(20):
        page = c.get(reverse("review:list"), {"kind": "marketing", "product_kind": "wealth"})
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="review-row"') == 3
    with at("2026-03-04"):
        bad = c.get(reverse("review:list"), {"submitted_from": "2026-03-05", "submitted_to": "2026-03-01"})
    assert bad.status_code == 400


def test_submit_form_with_a_document(org, submitter, client_for):
    c = client_for(submitter)
    data = {**review_data(org), "files": [io.BytesIO(b"")]}
    data["files"] = docx(LEAFLET)
    data["files"].name = "leaflet.docx"
    # when
    with at("2026-03-02"):
        response = c.post(reverse("review:create"), data)
    # then
    assert response.status_code == 302
    review = Review.objects.get()
    assert (
        review.status == "submitted" and review.documents.get().versions.get().original_name == "leaflet.docx"
    )


def test_submit_form_refuses_a_bad_file_and_stores_nothing(org, submitter, client_for):
    c = client_for(submitter)
    bad = io.BytesIO(b"PK\x03\x04 this is not a real docx")
    bad.name = "leaflet.docx"
    # when
    with at("2026-03-02"):
        response = c.post(reverse("review:create"), {**review_data(org), "files": bad})
    # then
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Review.objects.exists() and not DocumentVersion.objects.exists()


def test_detail_shows_opinions_and_the_answer_form(make_review, reviewer, submitter, client_for):
    review = _in_answering(make_review, reviewer)
    # when the submitter opens the page
    with at("2026-03-04"):
        page = client_for(submitter).get(review.get_absolute_url())
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="answer-form"' in html and 'data-testid="opinion"' in html
    assert "保本保收益" in html


def test_answer_from_the_page_needs_a_reason_for_not_adopted(make_review, reviewer, submitter, client_for):
    review = _in_answering(make_review, reviewer)
    c = client_for(submitter)
    url = reverse("review:answer", args=[review.pk])
    # when "not adopted" comes without a reason
    with at("2026-03-04"):
        refused = c.post(url, {"version": review.version, "response_1": "not_adopted", "note_1": ""})
    assert refused.status_code == 400
    # then with a reason it goes back to the reviewer
    with at("2026-03-04"):
        done = c.post(
            url, {"version": review.version, "response_1": "not_adopted", "note_1": "已在说明书披露"}
        )
    assert done.status_code == 302
    assert Review.objects.get(pk=review.pk).status == "in_review"


def test_upload_new_version_and_diff(make_review, reviewer, submitter, client_for):
    review = _in_answering(make_review, reviewer)
    document = ReviewDocument.objects.get(review=review)
    c = client_for(submitter)
    f = docx(LEAFLET_V2)
    f.name = "leaflet-v2.docx"
    # when
    with at("2026-03-04"):
        response = c.post(
            reverse("review:upload", args=[review.pk]), {"document": document.pk, "file": f, "note": "删改"}
        )
    assert response.status_code == 302
    # then the diff shows the change
    with at("2026-03-04"):
        diff = client_for(reviewer).get(reverse("review:diff", args=[review.pk, document.pk, 2]))
    html = diff.content.decode()
    assert diff.status_code == 200 and "<del>" in html and "<ins>" in html
    with at("2026-03-04"):
        missing = client_for(reviewer).get(reverse("review:diff", args=[review.pk, document.pk, 1]))
    assert missing.status_code == 404


def test_recusal_message_on_the_page(make_review, org, reviewer, client_for):
    review = make_review(actor=reviewer, org_unit=org.cpd.code)
    with at("2026-03-03"):
        page = client_for(reviewer).post(
            reverse("review:action", args=[review.pk, "claim"]), {"version": review.version}
        )
    assert page.status_code == 403
    assert "回避" in page.content.decode() or "Recusal" in page.content.decode()
