"""Suggestions for targeted anti-fraud campaigns, and the complaints before and after such an activity.

**How it decides.** The early-warning module's spike rule works per top-level business type (贷款 B02 as a
whole), so it has no alert for fraud or impersonated loans as such. This module therefore counts itself, over
the complaints the user can see (`complaints.view_complaint`, the user's scope):

- a *fraud-related complaint* is one whose business type is 冒名贷款/冒名担保 (`B0204`) or whose description
  mentions 诈骗, 冒名, 电诈 or 非法集资 (`FRAUD_CODES`, `FRAUD_WORDS`);
- per branch (each unit of kind branch in the user's scope, with the units below it), the count of the last
  30 days (`RECENT_DAYS`, today included) is compared with the 90 days before (`BASE_DAYS`), scaled to 30
  days: the branch is suggested when the recent count is at least `MIN_RECENT` (3) and at least
  `RISE_FACTOR` (1.5) times that rate (a branch with none before and 3 now is suggested too);
- the branch's open early warnings (spikes in the 贷款 category, or watch words) of the same 30 days are shown
  beside the suggestion as corroboration, with a link — they are not required.

A suggestion links to the activity form with the branch and the anti-fraud topics preset
(`education:activity_new?org_unit=<code>&topics=<code>…`).

**Before and after.** For each approved activity with a fraud topic (`Topic.fraud`) held in the last 180
days in a suggested branch (or, on a branch's own page, that branch), the fraud-related complaints of the
branch's subtree in the `WINDOW_DAYS` (30) before `held_on` and in the same number of days after it (the day
itself in neither); an "after" window not yet over is marked as partial with the days elapsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import subtree_q

FRAUD_CODES = ("B0204",)
FRAUD_WORDS = ("诈骗", "冒名", "电诈", "非法集资")
RECENT_DAYS = 30
BASE_DAYS = 90
MIN_RECENT = 3
RISE_FACTOR = 1.5
WINDOW_DAYS = 30
LOOKBACK_DAYS = 180
MAX_ACTIVITIES = 10
COMPLAINTS_PERM = "complaints.view_complaint"


def fraud_q(prefix: str = "") -> Q:
    q = Q(**{f"{prefix}business_type__code__in": FRAUD_CODES})
    for word in FRAUD_WORDS:
        q |= Q(**{f"{prefix}description__contains": word})
    return q


@dataclass
class BeforeAfter:
    activity: Any
    before: int
    after: int
    after_days: int  # days of the after-window already passed (== WINDOW_DAYS when complete)

    @property
    def partial(self) -> bool:
        return self.after_days < WINDOW_DAYS

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass
class Suggestion:
    branch: OrgUnit
    recent: int
    before: int  # the 90 days before
    rate_before: float  # scaled to 30 days
    warnings: list[Any] = field(default_factory=list)
    report_url: str = ""
    complaints_url: str = ""
    activities: list[BeforeAfter] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return _(
            "%(recent)s fraud-related complaints in the last %(days)s days against %(rate).1f per %(days)s "
            "days in the %(base)s days before (suggested at %(min)s or more and %(factor)s× the earlier rate)"
        ) % {
            "recent": self.recent,
            "days": RECENT_DAYS,
            "rate": self.rate_before,
            "base": BASE_DAYS,
            "min": MIN_RECENT,
            "factor": RISE_FACTOR,
        }


def _url(name: str, params: list[tuple[str, str]]) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    q = QueryDict(mutable=True)
    for k, v in params:
        q.appendlist(k, v)
    return f"{base}?{q.urlencode()}"


def _complaints(user: Any) -> Any:
    from xiaobao.complaints.models import Complaint

    if not user.has_perm(COMPLAINTS_PERM):
        return Complaint.objects.none()
    return Complaint.objects.visible_to(user).filter(fraud_q()).order_by()


def _branches(user: Any, unit: OrgUnit | None) -> list[OrgUnit]:
    units = OrgUnit.objects.visible_to(user).filter(kind=OrgUnitKind.BRANCH, is_active=True)
    if unit is not None:
        units = units.filter(subtree_q(unit.path))
        if unit.kind != OrgUnitKind.BRANCH:  # a sub-branch or outlet: the branch above it, when visible
            above = [
                b
                for b in OrgUnit.objects.visible_to(user).filter(kind=OrgUnitKind.BRANCH)
                if unit.path.startswith(b.path)
            ]
            if above:
                return [max(above, key=lambda b: len(b.path))]
    # nested branches (二级分行 under 一级分行): the deepest branch a complaint's unit lies in counts it
    return list(units.order_by("path"))


def _branch_of(path: str, branches: list[OrgUnit]) -> OrgUnit | None:
    best = None
    for b in branches:
        if path.startswith(b.path) and (best is None or len(b.path) > len(best.path)):
            best = b
    return best


def suggestions(user: Any, *, unit: OrgUnit | None = None, today: dt.date | None = None) -> list[Suggestion]:
    """The branches of the user's scope (or of `unit`'s subtree, or the branch above `unit`) where
    fraud-related complaints rose, with the before/after of their recent anti-fraud activities."""
    from xiaobao.early_warning.models import EarlyWarning
    from xiaobao.education.models import Activity, Topic

    today = today or localdate()
    branches = _branches(user, unit)
    if not branches:
        return []
    recent_from = today - dt.timedelta(days=RECENT_DAYS - 1)
    base_from = recent_from - dt.timedelta(days=BASE_DAYS)
    grouped = (
        _complaints(user)
        .filter(receipt_date__gte=base_from, receipt_date__lte=today)
        .values("org_unit__path")
        .annotate(
            recent=Count("pk", filter=Q(receipt_date__gte=recent_from)),
            before=Count("pk", filter=Q(receipt_date__lt=recent_from)),
        )
    )
    counts: dict[int, list[int]] = {}
    for row in grouped:
        b = _branch_of(row["org_unit__path"], branches)
        if b is not None:
            c = counts.setdefault(b.pk, [0, 0])
            c[0] += row["recent"]
            c[1] += row["before"]
    topics = list(Topic.objects.filter(fraud=True, active=True).order_by("sort_order", "code"))
    preset = [t.code for t in topics if t.code in ("impersonated_loans", "telecom_fraud")] or [
        t.code for t in topics[:2]
    ]
    out: list[Suggestion] = []
    for b in branches:
        recent, before = counts.get(b.pk, [0, 0])
        rate = before * RECENT_DAYS / BASE_DAYS
        if recent < MIN_RECENT or recent < RISE_FACTOR * rate:
            continue
        out.append(
            Suggestion(
                branch=b,
                recent=recent,
                before=before,
                rate_before=rate,
                report_url=_url(
                    "education:activity_new", [("org_unit", b.code), *[("topics", c) for c in preset]]
                ),
                complaints_url=_url(
                    "complaints:list",
                    [
                        ("unit", b.code),
                        ("received_from", recent_from.isoformat()),
                        ("received_to", today.isoformat()),
                    ],
                ),
            )
        )
    if not out:
        return out
    warnings = (
        EarlyWarning.objects.visible_to(user)
        .open()
        .filter(period_end__gte=recent_from, kind__in=["spike", "watch_word"])
        .filter(Q(category_code__startswith="B02") | Q(kind="watch_word"))
        .select_related("org_unit")
        .order_by("-period_end")[:200]
    )
    for w in warnings:
        for s in out:
            if w.org_unit.path.startswith(s.branch.path) or s.branch.path.startswith(w.org_unit.path):
                s.warnings.append(w)
    held = (
        Activity.objects.visible_to(user)
        .filter(status="approved", topics__fraud=True, held_on__gte=today - dt.timedelta(days=LOOKBACK_DAYS))
        .filter(held_on__lte=today)
        .select_related("org_unit")
        .distinct()
        .order_by("-held_on", "-pk")
    )
    for s in out:
        acts = list(held.filter(subtree_q(s.branch.path, "org_unit__path"))[:MAX_ACTIVITIES])
        s.activities = before_after(user, s.branch, acts, today=today)
    return out


def before_after(user: Any, branch: OrgUnit, activities: list[Any], *, today: dt.date) -> list[BeforeAfter]:
    """The fraud-related complaints of the branch's subtree in the WINDOW_DAYS before and after each
    activity's day (one query per activity, at most MAX_ACTIVITIES)."""
    out = []
    base = _complaints(user).filter(subtree_q(branch.path, "org_unit__path"))
    for a in activities:
        start = a.held_on - dt.timedelta(days=WINDOW_DAYS)
        end = a.held_on + dt.timedelta(days=WINDOW_DAYS)
        row = base.filter(receipt_date__gte=start, receipt_date__lte=end).aggregate(
            before=Count("pk", filter=Q(receipt_date__lt=a.held_on)),
            after=Count("pk", filter=Q(receipt_date__gt=a.held_on)),
        )
        days = max(0, min(WINDOW_DAYS, (today - a.held_on).days))
        out.append(
            BeforeAfter(activity=a, before=row["before"] or 0, after=row["after"] or 0, after_days=days)
        )
    return out
