"""When a pending checker rule takes effect, every live approved material is checked again with it.

Periodic (`xiaobao sweep`, declared in the review module): for each rule the checker reports as having taken
effect and not yet rechecked (`checker.services.rules_taking_effect`), the text of every document version
with an approval in force is run through that rule alone; findings not stored on the version before (same
rule, same place) are added as undecided `CheckFinding` rows, and the review's submitter (the material's
owner) is told once per rule version and review — the message names references, no personal data. Then the
rule is marked rechecked. The other findings of a version are left as they are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.core.clock import now as recorded_now
from xiaobao.review.approvals import active_versions
from xiaobao.review.models import DocumentVersion, Review

MESSAGE = _(
    "Checker rule %(rule)s took effect: %(count)d new finding(s) in the approved material of review %(ref)s."
)


@dataclass
class RecheckReport:
    rules: int = 0
    versions: int = 0
    findings: int = 0
    notified: int = 0

    def __str__(self) -> str:
        return (
            f"rules={self.rules} versions={self.versions} findings={self.findings} notified={self.notified}"
        )


def _recheck_rule(rule: Any, versions: list[DocumentVersion], report: RecheckReport) -> None:
    from xiaobao.checker.models import CheckFinding
    from xiaobao.checker.services import check_text, rule_to_spec

    spec = rule_to_spec(rule)
    ct = ContentType.objects.get_for_model(DocumentVersion)
    new_by_review: dict[int, int] = defaultdict(int)
    reviews: dict[int, Review] = {}
    for version in versions:
        review = version.document.review
        if not version.text:
            continue
        findings = check_text(
            version.text,
            product_kind=review.product_kind.checker_kind,
            material=review.material,
            blocks=version.blocks or None,
            rules=[spec],
        )
        if not findings:
            continue
        known = set(
            CheckFinding.objects.filter(
                content_type=ct, object_id=version.pk, rule_code=rule.code
            ).values_list("start", "end")
        )
        fresh = [f for f in findings if (f.start, f.end) not in known]
        if not fresh:
            continue
        CheckFinding.objects.bulk_create(
            CheckFinding(
                rule=rule,
                rule_code=rule.code[:64],
                label=f.label,
                severity=f.severity,
                start=f.start,
                end=f.end,
                excerpt=f.excerpt[:500],
                source=f.source[:500],
                suggestion=f.suggestion[:2000],
                content_type=ct,
                object_id=version.pk,
            )
            for f in fresh
        )
        report.versions += 1
        report.findings += len(fresh)
        new_by_review[review.pk] += len(fresh)
        reviews[review.pk] = review
    for review_id, count in new_by_review.items():
        review = reviews[review_id]
        owner = review.submitted_by or review.created_by
        if owner is None:
            continue
        notify_on_commit(
            users=[owner],
            subject=review,
            kind="review_recheck",
            message=str(MESSAGE % {"rule": rule.title or rule.code, "count": count, "ref": review.reference})[
                :300
            ],
            key=f"review:recheck:{rule.code}:v{rule.version}:{review.pk}",
        )
        report.notified += 1


def recheck_on_rule_activation(*, now: dt.datetime | None = None) -> RecheckReport:
    """The periodic job: recheck live approved material with each rule that has just taken effect."""
    from xiaobao.checker.services import rules_mark_rechecked, rules_taking_effect

    now = now or recorded_now()
    today = timezone.localdate(now)
    report = RecheckReport()
    rules = rules_taking_effect(today)
    if not rules:
        return report
    versions = list(active_versions(today).select_related("document__review__submitted_by"))
    for rule in rules:
        with transaction.atomic():
            _recheck_rule(rule, versions, report)
            rules_mark_rechecked([rule], at=now)
        report.rules += 1
    return report
