"""Approvals as services: issued on a pass (number, code, hash), superseded by the next approval of the same
document, withdrawn with a reason, expired by the periodic job, checked by code, number or file hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_user
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import AuditEvent
from xiaobao.review import approvals as svc
from xiaobao.review.models import Approval, DocumentVersion
from xiaobao.review.tests.test_approvals_fixtures import on, passed_review, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(org):
    return people(org)


def test_a_pass_issues_one_approval_bound_to_the_file(pair):
    # given a submitter and a reviewer / when the review passes
    submitter, reviewer = pair
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer, valid_until=dt.date(2027, 3, 1))
    # then one active approval binds the leaflet's exact bytes
    (approval,) = review.approvals.all()
    version = review.documents.get().versions.get()
    assert re.fullmatch(r"XB-SC-2026-\d{4}", approval.number)
    assert len(approval.code) == 8 and set(approval.code) <= set(svc.ALPHABET)
    assert not set(approval.code) & set("01OIL")
    with version.file.open("rb") as stored:
        assert approval.sha256 == version.sha256 == hashlib.sha256(stored.read()).hexdigest()
    assert approval.version == version and approval.product_name == "稳盈1号理财产品"
    assert approval.state == "active" and approval.valid_until == dt.date(2027, 3, 1)
    assert approval.issued_by == reviewer
    assert AuditEvent.objects.filter(object_type="review.approval", object_id=str(approval.pk)).exists()


def test_numbers_run_on_within_the_year(pair):
    # given two passes in one year
    submitter, reviewer = pair
    with on("2026-03-02"):
        first = passed_review(submitter, reviewer).approvals.get()
        second = passed_review(submitter, reviewer, title="第二份").approvals.get()
    # then the second number follows the first
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1
    assert first.code != second.code


def test_a_new_approval_of_the_same_document_supersedes_the_old_one(pair):
    # given a passed review whose document then gets a version 2 that is approved in turn
    submitter, reviewer = pair
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer)
        old = review.approvals.get()
        document = review.documents.get()
        v1 = document.versions.get()
        v2 = DocumentVersion.objects.create(
            document=document,
            number=2,
            file=v1.file.name,
            original_name="leaflet-v2.docx",
            content_type=v1.content_type,
            size=v1.size,
            sha256="ab" * 32,
            text=v1.text,
            uploaded_by=submitter,
        )
        # when
        (new,) = svc.issue_for(review, by=reviewer)
    # then the old approval is superseded, the new one binds version 2
    old.refresh_from_db()
    assert old.state == "superseded"
    assert new.state == "active" and new.version == v2 and new.sha256 == "ab" * 32
    assert svc.verify(old.code).state == "superseded"
    assert not svc.verify(old.code).valid


def test_withdrawal_needs_the_permission_and_a_reason(pair, org, branch_officer):
    submitter, reviewer = pair
    with on("2026-03-02"):
        approval = passed_review(submitter, reviewer).approvals.get()
    # a branch officer (no manage_approval) may not
    with pytest.raises(PermissionDenied):
        svc.approval_withdraw(approval, by=branch_officer, reason="下架")
    # the head-office reviewer may, with a reason
    with pytest.raises(DomainError) as err:
        svc.approval_withdraw(approval, by=reviewer, reason="  ")
    assert "reason" in err.value.fields
    with on("2026-05-06"):
        done = svc.approval_withdraw(approval, by=reviewer, reason="产品已停售，宣传单下架")
    assert done.state == "withdrawn" and done.withdrawn_by == reviewer
    assert done.withdrawn_reason == "产品已停售，宣传单下架"
    assert svc.verify(approval.code).state == "withdrawn"
    # and not twice
    with pytest.raises(Conflict):
        svc.approval_withdraw(done, by=reviewer, reason="再次")


def test_withdrawal_tells_the_submitter_once_with_the_reference(pair, django_capture_on_commit_callbacks):
    from xiaobao.casework.models import Notification

    submitter, reviewer = pair
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer)
    approval = review.approvals.get()
    # when
    with django_capture_on_commit_callbacks(execute=True), on("2026-05-06"):
        svc.approval_withdraw(approval, by=reviewer, reason="下架")
    # then the submitter has one notice naming the approval and the review, nothing personal
    notes = Notification.objects.filter(user=submitter, kind="approval_withdrawn")
    assert notes.count() == 1
    assert approval.number in notes.get().message and review.reference in notes.get().message


def test_another_branchs_manager_cannot_withdraw(pair, org):
    # given an approval of a branch-1 review and a branch-2 user with manage_approval
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    submitter, reviewer = pair
    with on("2026-03-02"):
        approval = passed_review(submitter, reviewer).approvals.get()
    outsider = make_user("b2_manager", org.b2, ["branch_cp_officer"])
    outsider.user_permissions.add(Permission.objects.get(codename="manage_approval"))
    outsider = User.objects.get(pk=outsider.pk)
    # when / then
    with pytest.raises(PermissionDenied):
        svc.approval_withdraw(approval, by=outsider, reason="下架")
    assert Approval.objects.get(pk=approval.pk).state == "active"


def test_the_periodic_job_expires_approvals_past_their_date(pair):
    submitter, reviewer = pair
    with on("2026-03-02"):
        lasting = passed_review(submitter, reviewer).approvals.get()
        short = passed_review(
            submitter, reviewer, title="短期", valid_until=dt.date(2026, 6, 30)
        ).approvals.get()
    # on its last day it is still in force
    with on("2026-06-30"):
        assert str(svc.approvals_expire()) == "expired=0"
        assert svc.verify(short.code).valid
    # the day after, the check says expired even before the job has run, and the job marks it
    with on("2026-07-01"):
        assert svc.verify(short.code).state == "expired"
        report = svc.approvals_expire()
    assert report.expired == 1
    assert Approval.objects.get(pk=short.pk).state == "expired"
    assert Approval.objects.get(pk=lasting.pk).state == "active"


def test_the_expiry_job_is_declared_for_the_sweep():
    from xiaobao.casework.registry import modules

    periodic = [p for r in modules() if r.label == "review" for p in r.module.periodic]
    assert "xiaobao.review.approvals.approvals_expire" in periodic
    assert "xiaobao.review.recheck.recheck_on_rule_activation" in periodic


def test_verify_by_code_number_and_file(pair):
    submitter, reviewer = pair
    with on("2026-03-02"):
        approval = passed_review(submitter, reviewer).approvals.get()
        with approval.version.file.open("rb") as stored:
            sha = hashlib.sha256(stored.read()).hexdigest()
        dashed = f"{approval.code[:4].lower()}-{approval.code[4:].lower()}"
        # by code, however typed, and by number
        assert svc.verify(dashed).approval == approval
        assert svc.verify(approval.number.lower()).approval == approval
        # with the right file, the wrong file, and the file alone
        assert svc.verify(approval.code, sha).file_matches is True
        wrong = svc.verify(approval.code, hashlib.sha256(b"changed").hexdigest())
        assert wrong.found and wrong.file_matches is False and not wrong.valid
        alone = svc.verify(None, sha)
        assert alone.approval == approval and alone.valid
        # unknown code, unknown file, nonsense
        assert svc.verify("ZZZZ-ZZZZ").state == "not_found"
        assert not svc.verify(None, hashlib.sha256(b"x").hexdigest()).found
        assert not svc.verify("'; drop table --").found


def test_public_facts_hold_nothing_internal(pair):
    submitter, reviewer = pair
    with on("2026-03-02"):
        approval = passed_review(submitter, reviewer).approvals.get()
    facts = svc.public_facts(approval)
    assert set(facts) == {
        "number",
        "code",
        "product_name",
        "file_name",
        "sha256",
        "issued_on",
        "valid_until",
        "withdrawn_on",
    }
    shown = " ".join(str(v) for v in facts.values())
    assert approval.review.reference not in shown and reviewer.username not in shown
