"""Reads of inspection plans for the acting user: the list (one filter form shared by the page and the API),
one plan with its sample and tasks, the year's calendar, and the choices the plan form offers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import ALL, subtree_q, user_scope
from xiaobao.inspections.choices import PlanKind, PlanStatus, Status
from xiaobao.inspections.models import ChecklistTemplate, Inspection, InspectionPlan
from xiaobao.inspections.plans import COMPLAINT_WINDOW_DAYS, CONDUCT, can_manage, sample_replay
from xiaobao.inspections.sampling import Reason

REASON_LABELS = {
    Reason.OVERDUE: _("Not inspected for a year"),
    Reason.RISK: _("Drawn, weighted by complaints per customer"),
    Reason.RANDOM: _("Drawn at random"),
}


class PlanFilter(forms.Form):
    """Filters of the plan list (page and API)."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *PlanKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *PlanStatus.choices], required=False)
    unit = forms.CharField(label=_("Units inspected (code, with sub-units)"), required=False, max_length=32)


# Kinds whose visits must not be announced: the units inspected do not see these plans (only the inspecting
# side does), so a sampled outlet cannot learn of a mystery shopper or an unannounced visit from the plan.
COVERT = (PlanKind.MYSTERY_SHOPPING, PlanKind.UNANNOUNCED)


def plans_visible(user: Any) -> QuerySet[InspectionPlan]:
    """`InspectionPlan.visible_to(user)` less the covert plans the user sees only as one of the inspected."""
    qs = InspectionPlan.objects.visible_to(user)
    scope = user_scope(user)
    if scope == ALL or scope is None:
        return qs
    own_side = subtree_q(scope.path, "inspecting_unit__path")  # type: ignore[union-attr]
    return qs.filter(own_side | ~Q(kind__in=COVERT))


def plan_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[InspectionPlan]:
    """Plans the user may see, in period order; the stored sample is not read (it can be large)."""
    data = filters or {}
    qs = (
        plans_visible(user)
        .select_related("template", "inspecting_unit", "scope_unit")
        .defer("sample")
        .annotate(
            tasks=Count("inspections"),
            done=Count("inspections", filter=Q(inspections__status=Status.SUBMITTED)),
        )
    )
    if data.get("year"):
        y = int(data["year"])
        qs = qs.filter(period_start__lte=dt.date(y, 12, 31), period_end__gte=dt.date(y, 1, 1))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "scope_unit__path")) if unit else qs.none()
    return qs.order_by("period_start", "kind", "id")


def plan_get(*, user: Any, pk: int) -> InspectionPlan | None:
    return (
        plans_visible(user)
        .select_related("template", "inspecting_unit", "scope_unit", "created_by")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class MonthPlans:
    month: dt.date  # the first day
    plans: list[InspectionPlan]


def plan_calendar(plans: list[InspectionPlan], year: int) -> list[MonthPlans]:
    """The year's twelve months, each with the plans whose period touches it (a plan spans its months)."""
    out = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        last = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        out.append(MonthPlans(first, [p for p in plans if p.period_start <= last and p.period_end >= first]))
    return out


@dataclass(frozen=True)
class PickRow:
    rank: int
    outlet_id: int
    code: str
    name: str
    reason: str
    reason_label: str
    last_inspected: str | None
    complaints: int
    customers: int | None
    rate: float
    weight: float


def sample_rows(plan: InspectionPlan) -> list[PickRow]:
    """The stored sample, one row per outlet in draw order, with each outlet's current name."""
    picks = (plan.sample or {}).get("picks") or []
    names = dict(OrgUnit.objects.filter(pk__in=[p["outlet"] for p in picks]).values_list("pk", "name"))
    return [
        PickRow(
            rank=p["rank"],
            outlet_id=p["outlet"],
            code=p.get("code", ""),
            name=names.get(p["outlet"], ""),
            reason=p["reason"],
            reason_label=str(REASON_LABELS.get(p["reason"], p["reason"])),
            last_inspected=p.get("last_inspected"),
            complaints=p.get("complaints", 0),
            customers=p.get("customers"),
            rate=p.get("rate", 0.0),
            weight=p.get("weight", 1.0),
        )
        for p in picks
    ]


def _full_name(username: str | None) -> str:
    """The person's full name for a stored login name (the login name if they have none or are gone)."""
    if not username:
        return ""
    full = User.objects.filter(username=username).values_list("full_name", flat=True).first()
    return full or username


def sample_summary(plan: InspectionPlan) -> dict[str, Any]:
    """What the draw recorded besides the picks (without the candidates' inputs), and whether it replays."""
    s = plan.sample or {}
    if not s.get("picks"):
        return {}
    return {
        "as_of": s.get("as_of"),
        "drawn_at": s.get("drawn_at"),
        "drawn_by": s.get("drawn_by"),
        "drawn_by_name": _full_name(s.get("drawn_by")),
        "eligible": s.get("eligible", 0),
        "excluded": len(s.get("excluded") or []),
        "candidates": len(s.get("inputs") or []),
        "risk_factor": s.get("risk_factor"),
        "replays": sample_replay(plan),
    }


def plan_tasks(*, user: Any, plan: InspectionPlan) -> QuerySet[Inspection]:
    """The plan's inspections the user may see, in the sample's order."""
    return (
        Inspection.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("org_unit", "handler")
        .order_by("pk")
    )


def task_complaints(*, user: Any, tasks: list[Inspection]) -> dict[int, int] | None:
    """Complaints the user may see, received in the last 12 months, per outlet of the tasks (one grouped
    query); None when the user may not see complaints at all."""
    from xiaobao.complaints.models import Complaint

    if not user.has_perm("complaints.view_complaint"):
        return None
    since = localdate() - dt.timedelta(days=COMPLAINT_WINDOW_DAYS)
    rows = (
        Complaint.objects.visible_to(user)
        .filter(org_unit_id__in={t.org_unit_id for t in tasks}, receipt_date__gte=since)
        .values("org_unit_id")
        .annotate(n=Count("id"))
    )
    return {r["org_unit_id"]: r["n"] for r in rows}


def plan_actions(user: Any, plan: InspectionPlan) -> list[str]:
    """The plan actions the user may take now."""
    if not can_manage(user, plan):
        return []
    if plan.status == PlanStatus.DRAFT:
        return ["draw", "publish"] if (plan.sample or {}).get("picks") else ["draw"]
    if plan.status == PlanStatus.PUBLISHED:
        return ["close"]
    return []


def plan_form_choices(user: Any) -> dict[str, Any]:
    """What the plan form offers: current checklists, units in scope, inspectors in scope."""
    from django.contrib.auth.models import Permission

    units = OrgUnit.objects.visible_to(user).active().exclude(kind="outlet").order_by("path")
    perm = Permission.objects.filter(content_type__app_label="inspections", codename=CONDUCT.split(".")[1])
    inspectors = (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .filter(Q(user_permissions__in=perm) | Q(groups__permissions__in=perm))
        .distinct()
        .order_by("username")
    )
    return {
        "templates": ChecklistTemplate.objects.filter(is_current=True).order_by("code"),
        "units": units,
        "inspectors": inspectors,
    }
