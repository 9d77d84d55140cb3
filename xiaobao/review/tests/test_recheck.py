"""When a pending checker rule takes effect, live approved material is checked again with it: new findings
are stored on the approved version, its owner is told once, the rule is marked rechecked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from xiaobao.casework.models import Notification
from xiaobao.checker.models import CheckFinding, CheckRule
from xiaobao.checker.services import rule_save
from xiaobao.review import approvals as svc
from xiaobao.review.models import DocumentVersion
from xiaobao.review.recheck import recheck_on_rule_activation
from xiaobao.review.tests.test_approvals_fixtures import on, passed_review, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        kept = passed_review(submitter, reviewer, title="在用宣传单")
        withdrawn = passed_review(submitter, reviewer, title="已撤回宣传单")
        svc.approval_withdraw(withdrawn.approvals.get(), by=reviewer, reason="下架")
        rule = rule_save(
            rule=None,
            data={
                "code": "brand-steady-gain",
                "title": "“稳盈”字样暗示收益稳定",
                "label": "misleading",
                "kind": "terms",
                "terms": ["稳盈"],
                "status": "active",
                "effective_from": "2026-04-01",
                "suggestion": "删除暗示收益稳定的产品简称",
            },
            by=reviewer,
        )
    return submitter, kept, withdrawn, rule


def _findings(review, code):
    version = review.documents.get().versions.get()
    ct = ContentType.objects.get_for_model(DocumentVersion)
    return CheckFinding.objects.filter(content_type=ct, object_id=version.pk, rule_code=code)


def test_nothing_happens_before_the_rule_takes_effect(live):
    _submitter, kept, _withdrawn, rule = live
    with on("2026-03-31"):
        report = recheck_on_rule_activation()
    assert str(report) == "rules=0 versions=0 findings=0 notified=0"
    assert not _findings(kept, rule.code).exists()
    assert CheckRule.objects.get(pk=rule.pk).rechecked_at is None


def test_on_the_day_live_material_is_rechecked_and_its_owner_told_once(
    live, django_capture_on_commit_callbacks
):
    submitter, kept, withdrawn, rule = live
    other_before = set(
        CheckFinding.objects.exclude(rule_code=rule.code).values_list("pk", flat=True)
    )  # what the upload's check stored
    # when the job runs on the rule's first day
    with on("2026-04-01"), django_capture_on_commit_callbacks(execute=True):
        report = recheck_on_rule_activation()
    # then the live material has the new finding, the withdrawn one is left alone
    found = list(_findings(kept, rule.code))
    assert found and all(f.decision == "pending" and "稳盈" in f.excerpt for f in found)
    assert not _findings(withdrawn, rule.code).exists()
    assert report.rules == 1 and report.versions == 1 and report.notified == 1
    # the version's other findings are kept as they were
    assert other_before <= set(CheckFinding.objects.values_list("pk", flat=True))
    # the owner is told once, by reference
    notes = Notification.objects.filter(user=submitter, kind="review_recheck")
    assert notes.count() == 1
    assert (
        kept.reference in notes.get().message and rule.title in notes.get().message
    )  # its name, not its code
    assert rule.code not in notes.get().message
    assert CheckRule.objects.get(pk=rule.pk).rechecked_at is not None
    # and a second run changes nothing
    with on("2026-04-02"), django_capture_on_commit_callbacks(execute=True):
        again = recheck_on_rule_activation()
    assert again.rules == 0
    assert Notification.objects.filter(user=submitter, kind="review_recheck").count() == 1
    assert _findings(kept, rule.code).count() == len(found)


def test_expired_material_is_not_rechecked(org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        short = passed_review(submitter, reviewer, valid_until=dt.date(2026, 3, 31))
        rule_save(
            rule=None,
            data={
                "code": "brand-steady-gain-2",
                "title": "稳盈",
                "label": "misleading",
                "kind": "terms",
                "terms": ["稳盈"],
                "status": "active",
                "effective_from": "2026-04-01",
            },
            by=reviewer,
        )
    with on("2026-04-01"):
        report = recheck_on_rule_activation()
    assert report.rules == 1 and report.findings == 0
    assert not _findings(short, "brand-steady-gain-2").exists()
