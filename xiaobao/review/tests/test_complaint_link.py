"""Complaints linked to the review of their product: the generic panel hook (`Module.panels` and
`{% module_panels obj %}`), linking by reference with both sides scoped, and each side's panel."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from conftest import make_user
from xiaobao.casework.registry import Module, panel_templates
from xiaobao.core.models import AuditEvent
from xiaobao.review import complaint_link
from xiaobao.review.models import ComplaintReviewLink
from xiaobao.review.tests.test_approvals_fixtures import complaint, on, passed_review, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer)
        b2_review = passed_review(
            make_user("b2_product", org.b2, ["business_responder"]), reviewer, title="沪"
        )
        item = complaint(org)
    return review, b2_review, item


def _handler_b1(org):
    """A branch-1 consumer-protection officer: handles complaints, conducts reviews, sees both in branch 1."""
    return make_user("b1_cp_link", org.b1, ["branch_cp_officer", "complaint_handler"])


# --- the hook ---------------------------------------------------------------------------------------------


def test_modules_declare_panels_and_the_registry_lists_them():
    assert "review/_complaint_block.html" in panel_templates("complaints.complaint")
    assert "review/_linked_complaints.html" in panel_templates("review.Review")
    assert panel_templates("nobody.nothing") == []
    assert Module().panels == {}


def test_the_tag_renders_each_declared_panel_with_the_object(org, world):
    review, _b2, item = world
    user = _handler_b1(org)
    ComplaintReviewLink.objects.create(complaint=item, review=review, linked_by=user)
    request = RequestFactory().get("/")
    request.user = user
    # when the tag runs on a review (its page) and on something without panels
    html = Template("{% load casework_panels %}{% module_panels obj %}").render(
        Context({"obj": review, "request": request})
    )
    nothing = Template("{% load casework_panels %}[{% module_panels obj %}]").render(
        Context({"obj": user, "request": request})
    )
    # then the review's panel lists the linked complaint; nothing else is drawn
    assert 'data-testid="review-complaints"' in html and item.reference in html
    assert nothing == "[]"


# --- linking ----------------------------------------------------------------------------------------------


def test_the_complaint_page_shows_the_panel_and_links_a_review(client_for, org, world):
    review, _b2, item = world
    user = _handler_b1(org)
    client = client_for(user)
    with on("2026-03-03"):
        page = client.get(reverse("complaints:detail", args=[item.pk])).content.decode()
        assert 'data-testid="complaint-reviews"' in page and 'data-testid="link-review-form"' in page
        response = client.post(
            reverse("review:complaint_link", args=[item.pk]), {"reference": review.reference.lower()}
        )
        after = client.get(reverse("complaints:detail", args=[item.pk])).content.decode()
    assert response.status_code == 302
    link = ComplaintReviewLink.objects.get(complaint=item, review=review)
    assert link.linked_by == user
    assert AuditEvent.objects.filter(
        object_type="review.complaintreviewlink", object_id=str(link.pk)
    ).exists()
    assert review.reference in after and review.approvals.get().number in after


def test_a_review_the_user_cannot_see_cannot_be_linked(org, world):
    _review, b2_review, item = world
    user = _handler_b1(org)
    # when the branch-1 user names branch 2's review
    with pytest.raises(Exception) as err:
        complaint_link.link_create(by=user, complaint=item, reference=b2_review.reference)
    # then it is "not found", and nothing is stored
    assert getattr(err.value, "fields", {}).get("reference")
    assert not ComplaintReviewLink.objects.exists()


def test_a_complaint_the_user_cannot_see_is_404(client_for, org, world):
    review, _b2, item = world
    outsider = make_user("b2_cp_link", org.b2, ["branch_cp_officer", "complaint_handler"])
    with on("2026-03-03"):
        response = client_for(outsider).post(
            reverse("review:complaint_link", args=[item.pk]), {"reference": review.reference}
        )
    assert response.status_code == 404
    assert not ComplaintReviewLink.objects.exists()


def test_linking_needs_a_working_role(client_for, org, world, auditor):
    review, _b2, item = world
    with on("2026-03-03"):
        response = client_for(auditor).post(
            reverse("review:complaint_link", args=[item.pk]), {"reference": review.reference}
        )
    assert response.status_code == 403
    assert not complaint_link.can_link(auditor)
    assert not ComplaintReviewLink.objects.exists()


def test_twice_is_refused_and_a_link_can_be_removed(client_for, org, world):
    review, _b2, item = world
    user = _handler_b1(org)
    link = complaint_link.link_create(by=user, complaint=item, reference=review.reference)
    with pytest.raises(Exception) as err:
        complaint_link.link_create(by=user, complaint=item, reference=review.reference)
    assert "reference" in getattr(err.value, "fields", {})
    with on("2026-03-03"):
        response = client_for(user).post(reverse("review:complaint_unlink", args=[item.pk, link.pk]))
    assert response.status_code == 302 and not ComplaintReviewLink.objects.exists()


def test_a_viewer_sees_only_the_reviews_they_may_see(org, world):
    review, b2_review, item = world
    hq = make_user("hq_link", org.cpd, ["hq_cp_officer", "complaint_handler"])
    complaint_link.link_create(by=hq, complaint=item, reference=review.reference)
    complaint_link.link_create(by=hq, complaint=item, reference=b2_review.reference)
    # head office sees both links, a branch-1 user only branch 1's review
    assert set(complaint_link.linked_reviews(user=hq, complaint=item)) == {review, b2_review}
    assert complaint_link.linked_reviews(user=_handler_b1(org), complaint=item) == [review]


def test_the_review_panel_offers_a_rule_proposal_for_a_marketing_complaint(client_for, org, world):
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    _review, _b2, item = world  # cause C04 营销方式和手段
    user = _handler_b1(org)
    user.user_permissions.add(Permission.objects.get(codename="manage_rules"))
    user = User.objects.get(pk=user.pk)
    with on("2026-03-03"):
        page = client_for(user).get(reverse("complaints:detail", args=[item.pk])).content.decode()
    assert 'data-testid="propose-rule"' in page
    assert reverse("review:rule_proposal", args=[item.pk]) in page
