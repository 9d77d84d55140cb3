"""The statistics page's policy section (`Module.stats_section`): the banks' sentence
"制定制度 N 项、修订 M 项、废止 K 项" for the period with its change on the previous one,
policies in force by level and by owner department, the period's changes by kind, the policies due
for review and the articles no policy in force implements (per regulation). Every count links to the
catalogue (or the coverage report) filtered to what it counts.

"Of the unit" means the policies of the unit and the units below it (a branch's statistics count its own
policies, not the head office's it follows), among those the user sees. Coverage is the user's: an article
counts as implemented when a clause in force of a policy the user sees implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import in_subtree
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import unit_in_scope
from xiaobao.policies.models import IN_FORCE, VIEW, ChangeKind, Level, Policy, PolicyStatus, PolicyVersion
from xiaobao.policies.report_sections import sentence
from xiaobao.policies.selectors import change_counts, coverage, due_for_review

IN_FORCE_QUERY = [("status", PolicyStatus.IN_FORCE), ("status", PolicyStatus.REVISED)]


@dataclass
class Card:
    key: str
    label: str
    value: int
    url: str
    previous: int | None = None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / self.previous

    @property
    def change_class(self) -> str:
        """Changes of policies are neither good nor bad news: grey, or flat."""
        if self.change is None or round(100 * self.change, 2) == 0:
            return "flat"
        return "neutral"


@dataclass
class Line:
    name: str
    value: int
    url: str


def may_see(user: Any, unit: OrgUnit) -> bool:
    return bool(user.has_perm(VIEW)) and unit_in_scope(user, unit)


def catalogue_url(unit: OrgUnit, params: list[tuple[str, Any]]) -> str:
    query = QueryDict(mutable=True)
    if unit.parent_id is not None:
        query["unit"] = unit.code
    for key, value in params:
        query.appendlist(key, str(value))
    return reverse("policies:home") + "?" + query.urlencode()


def _policies(user: Any, unit: OrgUnit) -> QuerySet[Policy]:
    qs: QuerySet[Policy] = Policy.objects.visible_to(user)
    return in_subtree(qs, unit) if unit.parent_id is not None else qs


def _versions(user: Any, unit: OrgUnit, period: Period) -> QuerySet[PolicyVersion]:
    qs: QuerySet[PolicyVersion] = PolicyVersion.objects.visible_to(user).filter(
        approved_on__gte=period.start, approved_on__lte=period.end
    )
    return in_subtree(qs, unit, "policy__org_unit__path") if unit.parent_id is not None else qs


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The section's data (None when the user may not see policies or the unit)."""
    if not may_see(user, unit):
        return None
    policies = _policies(user, unit)
    previous_period = period.previous()
    counts = change_counts(_versions(user, unit, period))
    before = change_counts(_versions(user, unit, previous_period))
    span = [("changed_from", period.start.isoformat()), ("changed_to", period.end.isoformat())]
    kind_labels = dict(ChangeKind.choices)
    short = {
        ChangeKind.ENACT: _("Policies enacted"),
        ChangeKind.REVISE: _("Policies revised"),
        ChangeKind.REPEAL: _("Policies repealed"),
    }
    changes = [
        Card(
            key=kind,
            label=str(short[ChangeKind(kind)]),
            value=counts[kind],
            url=catalogue_url(unit, [("kind", kind), *span]),
            previous=before[kind],
        )
        for kind in ChangeKind.values
    ]
    in_force = policies.filter(status__in=IN_FORCE)
    levels = dict(Level.choices)
    by_level = [
        Line(
            str(levels.get(row["level"], row["level"])),
            row["n"],
            catalogue_url(unit, [*IN_FORCE_QUERY, ("level", row["level"])]),
        )
        for row in in_force.order_by("level").values("level").annotate(n=Count("pk"))
    ]
    by_owner = [
        Line(
            row["owner_department"],
            row["n"],
            catalogue_url(unit, [*IN_FORCE_QUERY, ("owner", row["owner_department"])]),
        )
        for row in in_force.order_by()
        .values("owner_department")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_department")
    ]
    due = due_for_review(policies)
    report = coverage(user=user)
    uncovered = [
        Line(
            r.regulation.name,
            len(r.uncovered),
            reverse("policies:coverage") + f"?regulation={r.regulation.code}&uncovered=1",
        )
        for r in report
        if r.uncovered
    ]
    total_articles = sum(r.total for r in report)
    uncovered_count = sum(line.value for line in uncovered)
    drafts = PolicyVersion.objects.filter(approved_at__isnull=True, policy__in=policies.values("pk")).count()
    cards = [
        *changes,
        Card(
            "in_force",
            _("Policies in force"),
            sum(line.value for line in by_level),
            catalogue_url(unit, IN_FORCE_QUERY),
        ),
        Card("due", _("Due for review"), len(due), catalogue_url(unit, [("due", "on")])),
        Card(
            "uncovered",
            _("Articles no policy implements"),
            uncovered_count,
            reverse("policies:coverage") + "?uncovered=1",
        ),
    ]
    return {
        "unit": unit,
        "period": period,
        "previous_period": previous_period,
        "sentence": sentence(counts),
        "previous_sentence": sentence(before),
        "cards": cards,
        "changes": [Line(str(kind_labels[c.key]), c.value, c.url) for c in changes],
        "by_level": by_level,
        "by_owner": by_owner,
        "due": due[:10],
        "due_count": len(due),
        "due_url": catalogue_url(unit, [("due", "on")]),
        "uncovered": uncovered,
        "uncovered_count": uncovered_count,
        "total_articles": total_articles,
        "drafts": drafts,
        "changes_url": reverse("policies:changes") + f"?year={period.end.year}",
        "charts": {
            "by_owner": {
                "labels": [line.name for line in by_owner],
                "values": [line.value for line in by_owner],
                "links": [line.url for line in by_owner],
            },
        },
    }
