"""The policy chapter of reports (`Module.report_sections`): "制定制度 N 项、修订 M 项、废止 K 项" for the
report's period, with the list of changes and the articles no policy implements, computed as the requester."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.casework.scoping import in_subtree
from xiaobao.policies.models import VIEW, Policy, PolicyVersion
from xiaobao.policies.selectors import change_counts, coverage


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)


def sentence(counts: dict[str, int]) -> str:
    return _("%(e)d policies enacted, %(r)d revised and %(x)d repealed.") % {
        "e": counts.get("enact", 0),
        "r": counts.get("revise", 0),
        "x": counts.get("repeal", 0),
    }


def policies_section(ctx: Any) -> ReportSection | None:
    user, unit, period = ctx.user, getattr(ctx, "unit", None), ctx.period
    if not user.has_perm(VIEW):
        return None
    versions: QuerySet[PolicyVersion] = PolicyVersion.objects.visible_to(user).filter(
        approved_on__gte=period.start, approved_on__lte=period.end
    )
    if unit is not None:
        versions = in_subtree(versions, unit, "policy__org_unit__path")
    versions = versions.select_related("policy", "policy__org_unit").order_by("approved_on", "policy__number")
    rows = list(versions)
    # no change in the period and no catalogue kept at all: nothing to report (uncovered articles alone would
    # list every article of every regulation) — checked before the coverage report is computed
    if not rows and not Policy.objects.visible_to(user).exists():
        return None
    report = coverage(user=user)
    uncovered = [(r.regulation, a.article) for r in report for a in r.uncovered]
    if not rows and not uncovered:
        return None
    counts = change_counts(versions)
    total = sum(r.total for r in report)
    paragraphs = [
        sentence(counts),
        _("%(c)d of %(t)d articles of the regulations in the catalogue are implemented by a policy in force.")
        % {"c": total - len(uncovered), "t": total},
    ]
    tables = [
        SectionTable(
            _("Policy changes"),
            [_("Kind of change"), _("Policy"), _("Unit"), _("Reason"), _("Approved on")],
            [
                [
                    v.get_kind_display(),
                    f"{v.policy.number} {v.title}",
                    v.policy.org_unit.name,
                    v.reason,
                    str(v.approved_on),
                ]
                for v in rows
            ],
            [2.5, 5, 3, 5, 2.5],
        )
    ]
    if uncovered:
        tables.append(
            SectionTable(
                _("Articles no policy implements"),
                [_("Regulation"), _("Article"), pgettext("policies", "Summary")],
                [[reg.name, a.number, a.summary] for reg, a in uncovered],
                [5, 2.5, 10],
            )
        )
    return ReportSection("policies", _("Policy catalogue"), paragraphs, tables)
