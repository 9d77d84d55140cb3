"""The policy catalogue's read side, each starting from what the user sees (`visible_to`): the catalogue with
its filters, the coverage of the regulations' articles by clauses of policies in force, the yearly 废改立
list, the policies due for review, the home panel and the figures for reports."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from xiaobao.casework.scoping import in_subtree
from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.policies.models import (
    APPROVE,
    IN_FORCE,
    MANAGE,
    VIEW,
    ChangeKind,
    ClauseArticle,
    Policy,
    PolicyVersion,
    Regulation,
    RegulationArticle,
    ReviewRule,
)

DEFAULT_REVIEW_MONTHS = 12


def policy_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Policy]:
    filters = filters or {}
    qs: QuerySet[Policy] = Policy.objects.visible_to(user).select_related(
        "org_unit", "current_version", "regulation"
    )
    if filters.get("status"):
        qs = qs.filter(
            status__in=filters["status"] if isinstance(filters["status"], list) else [filters["status"]]
        )
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("owner"):
        qs = qs.filter(owner_department__icontains=filters["owner"])
    if filters.get("unit"):
        qs = in_subtree(qs, filters["unit"])
    if filters.get("regulation"):
        qs = qs.filter(regulation=filters["regulation"])
    if filters.get("kind") or filters.get("changed_from") or filters.get("changed_to"):
        # policies with a version (of the kind) approved in the range: the statistics page's drill-down
        changed = PolicyVersion.objects.filter(approved_on__isnull=False)
        if filters.get("kind"):
            changed = changed.filter(kind=filters["kind"])
        if filters.get("changed_from"):
            changed = changed.filter(approved_on__gte=filters["changed_from"])
        if filters.get("changed_to"):
            changed = changed.filter(approved_on__lte=filters["changed_to"])
        qs = qs.filter(pk__in=changed.values("policy_id"))
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(document_number__icontains=q)
            | Q(higher_rule__icontains=q)
        )
    return qs.order_by("org_unit__path", "number")


def policy_detail(*, user: Any, pk: int) -> Policy | None:
    return (
        Policy.objects.visible_to(user)
        .select_related("org_unit", "current_version", "regulation", "created_by")
        .filter(pk=pk)
        .first()
    )


def version_detail(*, user: Any, pk: int) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.visible_to(user)
        .select_related("policy", "policy__org_unit", "created_by", "approved_by")
        .filter(pk=pk)
        .first()
    )


def versions_of(policy: Policy) -> list[PolicyVersion]:
    return list(policy.versions.select_related("created_by", "approved_by").order_by("-number"))


def clause_diff(old: list[Any], new: list[Any]) -> list[dict[str, Any]]:
    """Clause by clause (matched on the number): added, removed, changed or the same."""
    before = {c.number: c.text for c in old}
    after = {c.number: c.text for c in new}
    rows = []
    for c in new:
        if c.number not in before:
            rows.append({"number": c.number, "state": "added", "old": "", "new": c.text})
        elif before[c.number] != c.text:
            rows.append({"number": c.number, "state": "changed", "old": before[c.number], "new": c.text})
        else:
            rows.append({"number": c.number, "state": "same", "old": c.text, "new": c.text})
    for c in old:
        if c.number not in after:
            rows.append({"number": c.number, "state": "removed", "old": c.text, "new": ""})
    return rows


# --- coverage ---------------------------------------------------------------------------------------------


@dataclass
class ArticleCoverage:
    article: RegulationArticle
    clauses: list[ClauseArticle] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.clauses)


@dataclass
class RegulationCoverage:
    regulation: Regulation
    articles: list[ArticleCoverage]

    @property
    def total(self) -> int:
        return len(self.articles)

    @property
    def covered(self) -> int:
        return sum(1 for a in self.articles if a.covered)

    @property
    def uncovered(self) -> list[ArticleCoverage]:
        return [a for a in self.articles if not a.covered]

    @property
    def rate(self) -> float | None:
        return self.covered / self.total if self.total else None


def in_force_mappings(user: Any) -> QuerySet[ClauseArticle]:
    """Mappings of clauses in the current version of policies in force that the user sees."""
    from xiaobao.policies.models import policy_scope_q

    q = policy_scope_q(user, "clause__version__policy__")
    qs = ClauseArticle.objects.filter(
        clause__version__policy__status__in=IN_FORCE,
        clause__version__policy__current_version=F("clause__version"),
    )
    return qs if q is None else qs.filter(q)


def coverage(*, user: Any, regulation: Regulation | None = None) -> list[RegulationCoverage]:
    """Every article (of one regulation or all active ones) and the clauses in force that implement it."""
    regs = (
        Regulation.objects.filter(active=True)
        if regulation is None
        else Regulation.objects.filter(pk=regulation.pk)
    )
    regs = regs.prefetch_related(
        Prefetch("articles", queryset=RegulationArticle.objects.order_by("sort_order", "pk"))
    )
    links: dict[int, list[ClauseArticle]] = {}
    for link in (
        in_force_mappings(user)
        .select_related(
            "clause", "clause__version", "clause__version__policy", "clause__version__policy__org_unit"
        )
        .order_by("clause__version__policy__number", "clause__sort_order")
    ):
        links.setdefault(link.article_id, []).append(link)
    return [
        RegulationCoverage(reg, [ArticleCoverage(a, links.get(a.pk, [])) for a in reg.articles.all()])
        for reg in regs
    ]


# --- the yearly 废改立 list ----------------------------------------------------------------------------


def yearly_changes(*, user: Any, year: int) -> QuerySet[PolicyVersion]:
    """Every version approved in the year (by approval date), in order: its kind, policy, reason."""
    return (
        PolicyVersion.objects.visible_to(user)
        .filter(approved_on__year=year)
        .select_related("policy", "policy__org_unit", "approved_by")
        .order_by("approved_on", "policy__number", "number")
    )


def change_counts(versions: Any) -> dict[str, int]:
    counts = {k: 0 for k in ChangeKind.values}
    for row in versions.order_by().values("kind").annotate(n=Count("pk")):
        counts[row["kind"]] = row["n"]
    return counts


def change_years(user: Any) -> list[int]:
    years = {
        d.year
        for d in PolicyVersion.objects.visible_to(user)
        .filter(approved_on__isnull=False)
        .dates("approved_on", "year")
    }
    years.add(localdate().year)
    return sorted(years, reverse=True)


# --- review due ---------------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_months() -> dict[str, int]:
    return dict(ReviewRule.objects.values_list("level", "months"))


def review_due_on(policy: Policy, months: dict[str, int]) -> dt.date | None:
    start = policy.last_reviewed_on or policy.effective_on
    if start is None or policy.status not in IN_FORCE:
        return None
    return add_months(start, months.get(policy.level, DEFAULT_REVIEW_MONTHS))


def due_for_review(qs: QuerySet[Policy], *, today: dt.date | None = None) -> list[Policy]:
    """Policies in force whose last review (or approval) is a review period or more ago, oldest first."""
    today = today or localdate()
    months = review_months()
    out = []
    for p in qs.filter(status__in=IN_FORCE).select_related("org_unit"):
        due = review_due_on(p, months)
        if due is not None and due <= today:
            p.review_due = due  # type: ignore[attr-defined]
            out.append(p)
    return sorted(out, key=lambda p: p.review_due)  # type: ignore[attr-defined]


def awaiting_approval(user: Any) -> QuerySet[PolicyVersion]:
    return (
        PolicyVersion.objects.visible_to(user)
        .filter(approved_at__isnull=True)
        .select_related("policy", "policy__org_unit")
        .order_by("created_at")
    )


# --- home panel and figures ---------------------------------------------------------------------------------


def home_panel(user: Any) -> dict[str, Any]:
    """Officers' card: policies of their subtree due for review, drafts awaiting approval."""
    if not user.has_perm(VIEW) or not (user.has_perm(MANAGE) or user.has_perm(APPROVE)):
        return {}
    from xiaobao.core.scoping import scope_q

    own = Policy.objects.visible_to(user)
    q = scope_q(user, "org_unit__path")
    if q is not None:
        own = own.filter(q)
    due = due_for_review(own)
    drafts = awaiting_approval(user)
    if q is not None:
        drafts = drafts.filter(scope_q(user, "policy__org_unit__path"))
    drafts_list = list(drafts[:6])
    return {"due": due[:5], "due_count": len(due), "drafts": drafts_list[:5], "drafts_count": drafts.count()}


@dataclass
class Figure:
    key: str
    label: Any
    kind: str
    value: float | None
    url: str = ""


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: versions approved from start to end by kind, policies in force, articles no
    policy implements."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    if not user.has_perm(VIEW):
        return []
    versions: QuerySet[PolicyVersion] = PolicyVersion.objects.visible_to(user).filter(
        approved_on__gte=start, approved_on__lte=end
    )
    policies: QuerySet[Policy] = Policy.objects.visible_to(user)
    if unit is not None:
        versions = in_subtree(versions, unit, "policy__org_unit__path")
        policies = in_subtree(policies, unit)
    counts = change_counts(versions)
    link = reverse("policies:changes") + f"?year={start.year}"
    uncovered = sum(len(r.uncovered) for r in coverage(user=user))
    return [
        Figure("policies_enacted", _("Policies enacted"), "count", counts["enact"], link),
        Figure("policies_revised", _("Policies revised"), "count", counts["revise"], link),
        Figure("policies_repealed", _("Policies repealed"), "count", counts["repeal"], link),
        Figure(
            "policies_in_force",
            _("Policies in force"),
            "count",
            policies.filter(status__in=IN_FORCE).count(),
            reverse("policies:home") + "?status=in_force&status=revised",
        ),
        Figure(
            "articles_uncovered",
            _("Articles no policy implements"),
            "count",
            uncovered,
            reverse("policies:coverage") + "?uncovered=1",
        ),
    ]
