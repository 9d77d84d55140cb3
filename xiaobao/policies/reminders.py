"""Review reminders (`Module.periodic`, run by `xiaobao sweep`): every policy in force not reviewed for its
level's period (`ReviewRule.months`, data) is due; the owner unit's policy officers (users holding
`manage_policies` in the policy's unit or a department of it, else in the nearest unit above that has any)
are told once per due date (dedupe key `policy-review:<id>:<due date>`: a review or revision moves the due
date, and the next period brings one new reminder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.casework.notifications import notify
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.models import OrgUnit, User
from xiaobao.policies.models import Policy
from xiaobao.policies.selectors import due_for_review


@dataclass
class ReminderReport:
    due: int = 0
    told: int = 0

    def __str__(self) -> str:
        return f"due={self.due} told={self.told}"


def officers_of(unit: OrgUnit) -> list[int]:
    """Active users with `manage_policies` in the unit or its departments (head office's consumer-protection
    department), else in the nearest unit above with any."""
    perm = Permission.objects.filter(content_type__app_label="policies", codename="manage_policies")
    holders = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .values_list("pk", "org_unit_id")
        .distinct()
    )
    by_unit: dict[int, set[int]] = {}
    for pk, unit_id in holders:
        by_unit.setdefault(unit_id, set()).add(pk)
    current: Any = unit
    while current is not None:
        departments = OrgUnit.objects.filter(parent=current, kind="department").values_list("pk", flat=True)
        found = set(by_unit.get(current.pk, set())).union(*(by_unit.get(d, set()) for d in departments))
        if found:
            return sorted(found)
        current = current.parent
    return []


def review_reminders(*, now: dt.datetime | None = None) -> ReminderReport:
    today = timezone.localdate(now or recorded_now())
    report = ReminderReport()
    for policy in due_for_review(Policy.objects.all(), today=today):
        report.due += 1
        due: dt.date = policy.review_due  # type: ignore[attr-defined]
        users = officers_of(policy.org_unit)
        if not users:
            continue
        message = _("Policy %(number)s “%(title)s” is due for review (last reviewed %(last)s).") % {
            "number": policy.number,
            "title": policy.title,
            "last": (policy.last_reviewed_on or policy.effective_on),
        }
        report.told += notify(
            users=users,
            subject=policy,
            kind="policy_review",
            message=message,
            key=f"policy-review:{policy.pk}:{due.isoformat()}",
        )
    return report
