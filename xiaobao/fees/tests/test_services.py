"""Fee catalogue services: items and drafts, who may prepare which fees, publication superseding the fee
before it (dates), the fee review's conclusion reaching the catalogue, publishing under a passed review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.errors import Conflict
from xiaobao.fees.models import FeeItem, FeeVersion
from xiaobao.fees.services import (
    fee_change_discard,
    fee_change_draft,
    fee_change_publish,
    fee_change_submit,
    fee_item_create,
)
from xiaobao.fees.tests.factories import draft_item, publish_change, published_item, version_data

pytestmark = pytest.mark.django_db


def _conclude(reviewer, review, conclusion, django_capture_on_commit_callbacks, note=""):
    """The reviewer takes the review and concludes it; the signal reaches the catalogue on commit."""
    from xiaobao.review.services import review_conclude, review_transition

    with django_capture_on_commit_callbacks(execute=True):
        review = review_transition(actor=reviewer, review=review, action="claim", data={})
        return review_conclude(actor=reviewer, review=review, conclusion=conclusion, note=note)


# --- items and drafts ----------------------------------------------------------------------------------


def test_a_new_item_starts_with_a_draft_fee(org, responder):
    # when
    item = draft_item(responder, code="ZH-001", unit=org.ho, fee="每笔5元", since="2026-04-01", amount="5")
    # then
    version = item.versions.get()
    assert (version.number, version.status, version.fee) == (1, "draft", "每笔5元")
    assert version.amount == 5 and version.effective_from == dt.date(2026, 4, 1)
    assert item.institution_wide


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(org, responder):
    # given an item with the code ZH-001
    draft_item(responder, code="ZH-001", unit=org.ho)
    data = {
        "code": "ZH-001",
        "name": "",
        "category": "lottery",
        "org_unit": "NOPE",
        **version_data("x" * 201, "2026-02-30", basis="free", amount="-1"),
    }
    # when
    with pytest.raises(ValidationError) as exc:
        fee_item_create(actor=responder, data=data)
    # then
    assert set(exc.value.message_dict) == {
        "code",
        "name",
        "category",
        "org_unit",
        "fee",
        "effective_from",
        "basis",
        "amount",
    }
    assert FeeItem.objects.count() == 1 and FeeVersion.objects.count() == 1


def test_an_amount_with_more_than_two_decimals_is_refused(org, responder):
    with pytest.raises(ValidationError) as exc:
        draft_item(responder, code="ZH-002", unit=org.ho, amount="1.005")
    assert "amount" in exc.value.message_dict


def test_a_branch_officer_prepares_the_own_branch_fees_not_the_head_office_ones(org, b1_officer):
    # when / then: the own branch
    assert draft_item(b1_officer, code="B1-001", unit=org.b1s).org_unit == org.b1s
    # the head office's institution-wide fees and another branch's are refused
    for unit in (org.ho, org.b2):
        with pytest.raises(ValidationError) as exc:
            draft_item(b1_officer, code=f"X-{unit.code}", unit=unit)
        assert "org_unit" in exc.value.message_dict


def test_head_office_staff_prepare_institution_wide_fees_and_a_change_of_them(org, responder, b1_officer):
    # given an institution-wide fee in force
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    # when the head office's product department drafts a change
    version = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    # then
    assert version.status == "draft" and version.number == 2
    # and a branch officer may not change it
    with pytest.raises(PermissionDenied):
        fee_change_draft(actor=b1_officer, item=item, data=version_data("免费", "2026-06-01"))


def test_without_the_permission_nothing_is_prepared(org, no_role_user):
    with pytest.raises(PermissionDenied):
        draft_item(no_role_user, code="ZH-001", unit=org.b1)


def test_one_change_at_a_time_drafting_again_edits_the_draft(org, responder):
    # given an item with a fee in force and a draft change
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    first = fee_change_draft(actor=responder, item=item, data=version_data("每笔3元", "2026-05-01"))
    # when
    again = fee_change_draft(actor=responder, item=item, data=version_data("每笔2元", "2026-06-01"))
    # then
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.fee, again.effective_from) == ("每笔2元", dt.date(2026, 6, 1))
    assert item.versions.count() == 2


def test_a_change_must_take_effect_after_the_fee_it_replaces(org, responder):
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    with pytest.raises(ValidationError) as exc:
        fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-01-01"))
    assert "effective_from" in exc.value.message_dict


def test_a_draft_can_be_discarded_but_not_a_change_in_review(org, responder):
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    draft = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    # when
    fee_change_discard(actor=responder, version=draft)
    # then
    assert list(item.versions.values_list("number", flat=True)) == [1]
    again = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    fee_change_submit(actor=responder, version=again)
    with pytest.raises(Conflict):
        fee_change_discard(actor=responder, version=again)


# --- publication and its dates ----------------------------------------------------------------------------


def test_publishing_supersedes_the_previous_fee_the_day_before(org, responder):
    # given a fee in force since 1 January
    item = published_item(responder, code="ZH-001", unit=org.ho, fee="每笔5元", since="2026-01-01")
    # when a change from 1 July is published (announced in March)
    new = publish_change(responder, item, fee="每笔3元", since="2026-07-01")
    # then the old fee ends on 30 June and is superseded; each day has exactly one fee in force
    old = item.versions.get(number=1)
    assert (old.status, old.effective_to) == ("superseded", dt.date(2026, 6, 30))
    assert (new.status, new.effective_from, new.effective_to) == ("published", dt.date(2026, 7, 1), None)
    assert new.published_at is not None and new.published_by == responder
    assert [v.number for v in item.versions.all() if v.in_force_on(dt.date(2026, 6, 30))] == [1]
    assert [v.number for v in item.versions.all() if v.in_force_on(dt.date(2026, 7, 1))] == [2]
    assert not any(v.in_force_on(dt.date(2025, 12, 31)) for v in item.versions.all())


def test_three_versions_keep_contiguous_dates(org, responder):
    item = published_item(responder, code="DZ-001", unit=org.ho, fee="每月2元", since="2019-01-01")
    publish_change(responder, item, fee="每月1元", since="2021-07-01")
    publish_change(responder, item, fee="免收", since="2024-01-01")
    rows = list(item.versions.order_by("number").values_list("status", "effective_from", "effective_to"))
    assert rows == [
        ("superseded", dt.date(2019, 1, 1), dt.date(2021, 6, 30)),
        ("superseded", dt.date(2021, 7, 1), dt.date(2023, 12, 31)),
        ("published", dt.date(2024, 1, 1), None),
    ]


# --- the fee review ---------------------------------------------------------------------------------------


def test_submitting_opens_a_fee_review_in_the_submitters_name(org, responder):
    # given a draft change of an institution-wide fee
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    draft = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    # when
    version = fee_change_submit(actor=responder, version=draft, note="减费让利")
    # then
    review = version.review
    assert version.status == "in_review" and version.submitted_by == responder
    assert (review.kind, review.status, review.created_by, review.org_unit) == (
        "fee_change",
        "submitted",
        responder,
        responder.org_unit,
    )
    assert "ZH-001" in review.title and "免费" in review.description and "减费让利" in review.description
    assert review.planned_launch == dt.date(2026, 5, 1)
    # and while it is in review no other change is drafted
    with pytest.raises(Conflict):
        fee_change_draft(actor=responder, item=item, data=version_data("每笔1元", "2026-06-01"))


def test_a_passed_fee_review_publishes_the_change(
    org, responder, reviewer, django_capture_on_commit_callbacks
):
    # given a change in its fee review
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    draft = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    version = fee_change_submit(actor=responder, version=draft)
    # when the reviewer passes it
    _conclude(reviewer, version.review, "pass", django_capture_on_commit_callbacks)
    # then it is published from its date and the old fee ends the day before
    version.refresh_from_db()
    old = item.versions.get(number=1)
    assert (version.status, version.published_by) == ("published", reviewer)
    assert (old.status, old.effective_to) == ("superseded", dt.date(2026, 4, 30))


def test_pass_after_changes_publishes_too(org, responder, reviewer, django_capture_on_commit_callbacks):
    item = draft_item(responder, code="ZH-001", unit=org.ho, since="2026-04-01")
    version = fee_change_submit(actor=responder, version=item.versions.get())
    _conclude(reviewer, version.review, "pass_with_changes", django_capture_on_commit_callbacks, "注明优惠")
    version.refresh_from_db()
    assert (version.status, version.decision_note) == ("published", "注明优惠")


def test_a_rejected_fee_review_rejects_the_change_and_a_new_one_can_follow(
    org, responder, reviewer, django_capture_on_commit_callbacks
):
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    draft = fee_change_draft(actor=responder, item=item, data=version_data("每笔8元", "2026-05-01"))
    version = fee_change_submit(actor=responder, version=draft)
    # when
    _conclude(reviewer, version.review, "reject", django_capture_on_commit_callbacks, "涨价未提前公示")
    # then
    version.refresh_from_db()
    assert (version.status, version.decision_note) == ("rejected", "涨价未提前公示")
    assert item.versions.get(number=1).status == "published"
    again = fee_change_draft(actor=responder, item=item, data=version_data("每笔6元", "2026-08-01"))
    assert (again.number, again.status) == (3, "draft")


def test_a_withdrawn_fee_review_returns_the_change_to_draft(org, responder):
    from xiaobao.review.services import review_transition

    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    draft = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-05-01"))
    version = fee_change_submit(actor=responder, version=draft)
    review_transition(actor=responder, review=version.review, action="withdraw", data={"reason": "重新测算"})
    # when the preparer drafts again
    again = fee_change_draft(actor=responder, item=item, data=version_data("免费", "2026-06-01"))
    # then it is the same change, a draft again, and can be sent to a new review
    assert again.pk == version.pk and again.status == "draft"
    resent = fee_change_submit(actor=responder, version=again)
    assert resent.status == "in_review" and resent.review_id != version.review_id


def test_publishing_under_a_passed_fee_review(org, responder, reviewer, django_capture_on_commit_callbacks):
    # given a fee review that passed (the year's fee schedule) and another item's draft change
    first = draft_item(responder, code="ZH-001", unit=org.ho, since="2026-04-01")
    passed = fee_change_submit(actor=responder, version=first.versions.get()).review
    _conclude(reviewer, passed, "pass", django_capture_on_commit_callbacks)
    passed.refresh_from_db()
    other = draft_item(responder, code="ZH-002", unit=org.ho, since="2026-04-01")
    draft = other.versions.get()
    # when the head office publishes it under that review
    version = fee_change_publish(actor=reviewer, version=draft, review=passed)
    # then
    assert (version.status, version.review) == ("published", passed)


def test_publishing_needs_the_permission_and_a_passed_fee_review(org, responder, reviewer):
    item = draft_item(responder, code="ZH-001", unit=org.ho, since="2026-04-01")
    draft = item.versions.get()
    # the responder has no publish permission
    with pytest.raises(PermissionDenied):
        fee_change_publish(actor=responder, version=draft, review=None)
    # a review that has not passed is refused
    open_review = fee_change_submit(actor=responder, version=draft).review
    with pytest.raises(ValidationError):
        fee_change_publish(actor=reviewer, version=draft, review=open_review)
    draft.refresh_from_db()
    assert draft.status == "in_review"


def test_a_late_publication_moves_the_date_past_a_fee_published_meanwhile(org, responder):
    from xiaobao.fees.services import fee_publish_recorded

    # given a fee from 1 January, a change from 1 June published, and a change drafted for 15 April before
    # that one was published (its date stored as it was then)
    item = published_item(responder, code="ZH-001", unit=org.ho, since="2026-01-01")
    publish_change(responder, item, fee="B", since="2026-06-01")
    late = fee_change_draft(actor=responder, item=item, data=version_data("C", "2026-07-01"))
    FeeVersion.objects.filter(pk=late.pk).update(effective_from=dt.date(2026, 4, 15))
    # when it is published
    published = fee_publish_recorded(actor=responder, version=FeeVersion.objects.get(pk=late.pk))
    # then it starts the day after the latest published fee, and its note says so
    assert published.effective_from == dt.date(2026, 6, 2)
    assert "2026-06-02" in published.decision_note
    assert item.versions.get(number=2).effective_to == dt.date(2026, 6, 1)


# --- who sees what ---------------------------------------------------------------------------------------


def test_institution_wide_fees_are_visible_to_every_branch_branch_fees_only_in_their_subtree(
    org, responder, b1_officer, other_branch_officer, auditor
):
    from xiaobao.core.models import User

    ho_item = draft_item(responder, code="ZH-001", unit=org.ho)
    b1_item = draft_item(b1_officer, code="B1-001", unit=org.b1s)
    b2_user = User.objects.get(pk=other_branch_officer.pk)
    assert set(FeeItem.objects.visible_to(b2_user)) == {ho_item}
    assert set(FeeItem.objects.visible_to(b1_officer)) == {ho_item, b1_item}
    assert set(FeeItem.objects.visible_to(auditor)) == {ho_item, b1_item}
