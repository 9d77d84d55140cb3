"""The shared scoping: statistics see a unit's subtree exactly as the user's list does."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user
from xiaobao.casework.scoping import in_subtree, subtree_visible, unit_subtree_q, visible_q
from xiaobao.complaints.filtersets import apply_filters
from xiaobao.complaints.models import Assistance, Complaint, ComplaintCode
from xiaobao.core.services.consumers import consumer_create

pytestmark = pytest.mark.django_db


def _complaint(org, user, ref: str, unit, **extra) -> Complaint:
    codes = {
        d: ComplaintCode.objects.filter(dimension=d).first() for d in ("channel", "business_type", "cause")
    }
    consumer = consumer_create(actor=None, org_unit=unit, name="赵六", id_number="", phone="")
    return Complaint.objects.create(
        reference=ref, status="in_progress", channel=codes["channel"], business_type=codes["business_type"],
        cause=codes["cause"], received_at=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC),
        receipt_date=dt.date(2026, 3, 2), registered_by=user, registering_unit=unit, org_unit=unit,
        complainant=consumer, request="退还年费", description="年费争议", created_by=user, **extra,
    )  # fmt: skip


@pytest.fixture
def widened(org, branch_officer):
    """Complaints branch 1's officer sees for every reason `visible_to` knows, and one not at all."""
    other = make_user("sc_b2", org.b2s, ["complaint_handler"])
    own = _complaint(org, other, "SC-OWN", org.b1s)
    pending = _complaint(org, other, "SC-PENDING", org.b2s, pending_unit=org.b1s)
    handled = _complaint(org, other, "SC-HANDLED", org.ho, handler=branch_officer)
    asked = _complaint(org, other, "SC-ASKED", org.b2s)
    Assistance.objects.create(complaint=asked, unit=org.b1s, requested_by=other, question="请协助核实")
    hidden = _complaint(org, other, "SC-HIDDEN", org.b2s)
    return {"own": own, "pending": pending, "handled": handled, "asked": asked, "hidden": hidden}


def _refs(qs) -> set[str]:
    return set(qs.values_list("reference", flat=True))


def test_statistics_see_a_subtree_as_the_list_does(org, branch_officer, widened):
    # given complaints visible through every widening of visible_to
    visible = Complaint.objects.visible_to(branch_officer)
    assert _refs(visible) == {"SC-OWN", "SC-PENDING", "SC-HANDLED", "SC-ASKED"}
    for unit in (org.b1, org.b1s, org.ho, org.b2):
        # when the statistics' rows and the list filtered to the unit are read
        stats = subtree_visible(Complaint.objects.all(), user=branch_officer, unit=unit)
        listed = apply_filters(visible, {"unit": unit.code}, branch_officer)
        # then they are the same complaints (nothing outside the user's scope: head office, branch 2)
        assert _refs(stats) == _refs(listed), unit.code
    assert _refs(subtree_visible(Complaint.objects.all(), user=branch_officer, unit=org.b1)) == {"SC-OWN"}


def test_head_office_sees_every_subtree_whole(org, hq_officer, widened):
    for unit in (org.ho, org.b2, org.b1s):
        stats = subtree_visible(Complaint.objects.all(), user=hq_officer, unit=unit)
        assert _refs(stats) == _refs(in_subtree(Complaint.objects.all(), unit))


def test_without_the_permission_nothing(org, no_role_user, widened):
    assert not subtree_visible(Complaint.objects.all(), user=no_role_user, unit=org.ho).exists()
    q = visible_q(no_role_user, permission="complaints.view_complaint")
    assert q is not None and not Complaint.objects.filter(q).exists()


def test_the_root_needs_no_filter(org):
    assert unit_subtree_q(org.ho) == unit_subtree_q(org.ho, "unit") and not unit_subtree_q(org.ho)
