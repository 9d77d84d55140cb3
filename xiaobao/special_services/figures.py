"""Special-group services figures (适老化与特殊群体服务): one definition for the figures page, its Excel
export, the statistics page's section, the report section and the registry's `figures`.

Scope: the user needs `special_services.view_special_services` and the analysed unit in their scope; the
analysed unit's subtree is counted, split by its direct children (the unit's own rows apart, "（本级）"), each
a drill-down to the same figures for that child.

Definitions:
- outlets: active outlets of the subtree (today); checked = with at least one item ticked in the register;
  fully equipped = every active checklist item ticked present; the equipped share = fully equipped ÷ outlets.
- home services (上门服务): services recorded with a date in the period at a unit of the subtree
  (counted where they were given, once); people served = distinct persons among them; by reason, by kind
  of service, by outcome.
- special-group complaints: complaints the user can see, responsible unit in the subtree, day of receipt in
  the period, flagged with at least one special group (complaints' `special_groups`: elderly, disabled,
  minor, low income, servicemember) — counted once each; by group a complaint with two groups counts in both.
  Shown only to users who may see complaints (`complaints.view_complaint`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import may_see_subtree, unit_subtree_q
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT, OrgUnitKind
from xiaobao.core.scoping import subtree_q
from xiaobao.special_services.models import (
    VIEW,
    FacilityItem,
    HomeService,
    Outcome,
    OutletFacility,
    ServiceKind,
    ServiceReason,
)

P = "special services"
COMPLAINTS_PERM = "complaints.view_complaint"


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent
    value: float | None
    url: str = ""


@dataclass
class Tally:
    outlets: int = 0
    outlets_checked: int = 0
    outlets_equipped: int = 0
    services: int = 0
    people: int = 0
    complaints: int = 0

    @property
    def equipped_share(self) -> float | None:
        return self.outlets_equipped / self.outlets if self.outlets else None


@dataclass
class Row:
    key: str
    name: str
    tally: Tally = field(default_factory=Tally)
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class CountRow:
    key: str
    name: str
    count: int
    url: str = ""


@dataclass
class SpecialFigures:
    unit: OrgUnit
    period: Period
    total: Tally
    by_unit: list[Row]
    by_reason: list[CountRow]
    by_service: list[CountRow]
    by_outcome: list[CountRow]
    by_group: list[CountRow]
    complaints_shown: bool
    figures: list[Figure]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def sentence(self) -> str:
        return sentence(self.total, complaints=self.complaints_shown)


def percent_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}".removesuffix(".0") + "%"


def sentence(t: Tally, *, complaints: bool = True) -> str:
    """The banks' sentence in the active language:
    网点 N 个，适老化设施配齐 M 个（X%）；上门服务 K 次、服务 P 人；特殊群体投诉 Q 件."""
    text = gettext(
        "%(outlets)s outlets, %(equipped)s fully equipped (%(share)s); %(services)s home services for "
        "%(people)s people"
    ) % {
        "outlets": f"{t.outlets:,}",
        "equipped": f"{t.outlets_equipped:,}",
        "share": percent_text(t.equipped_share),
        "services": f"{t.services:,}",
        "people": f"{t.people:,}",
    }
    if complaints:
        text += gettext("; %(n)s complaints from special groups") % {"n": f"{t.complaints:,}"}
    return text


def may_see(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW)


def _children(unit: OrgUnit) -> dict[str, tuple[str, str]]:
    rows = OrgUnit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).values_list(
        "path", "code", "name"
    )
    out = {path: (code, name) for path, code, name in rows}
    out[unit.path] = (unit.code, unit.name + "（" + gettext("own") + "）")
    return out


def _child_of(unit: OrgUnit) -> dict[int, str]:
    depth = len(unit.path) + PATH_SEGMENT
    return {
        pk: path[:depth]
        for pk, path in OrgUnit.objects.filter(subtree_q(unit.path)).values_list("pk", "path")
    }


def _query(**params: Any) -> str:
    q = QueryDict(mutable=True)
    q.update({k: str(v) for k, v in params.items() if v not in (None, "")})
    return q.urlencode()


def _local_midnight(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def _complaints(user: Any, unit: OrgUnit, period: Period) -> list[tuple[int, list[str]]]:
    from xiaobao.complaints.models import Complaint

    qs = (
        Complaint.objects.visible_to(user)
        .filter(unit_subtree_q(unit))
        .filter(
            receipt_date__gte=period.start,
            receipt_date__lte=period.end,
            received_at__gte=_local_midnight(period.start),
            received_at__lt=_local_midnight(period.end + dt.timedelta(days=1)),
        )
        .exclude(special_groups=[])
    )
    return [(u, g) for _pk, u, g in qs.values_list("pk", "org_unit_id", "special_groups") if g]


def compute(*, user: Any, unit: OrgUnit, period: Period) -> SpecialFigures:
    """The figures of the unit's subtree for the period (empty when the user may not see them)."""
    seen = may_see(user, unit)
    children = _children(unit)
    child_of = _child_of(unit) if seen else {}
    rows = {path: Row(key=code, name=name) for path, (code, name) in children.items()}
    total = Tally()
    reason_counts: Counter[int] = Counter()
    service_counts: Counter[int] = Counter()
    outcome_counts: Counter[str] = Counter()
    group_counts: Counter[str] = Counter()
    complaints_shown = seen and user.has_perm(COMPLAINTS_PERM)
    if seen:
        items = list(FacilityItem.objects.filter(active=True).values_list("pk", flat=True))
        outlets = list(
            OrgUnit.objects.filter(subtree_q(unit.path), kind=OrgUnitKind.OUTLET, is_active=True).values_list(
                "pk", flat=True
            )
        )
        state = {
            r["org_unit_id"]: r
            for r in OutletFacility.objects.filter(org_unit__in=outlets, item_id__in=items)
            .values("org_unit_id")
            .annotate(n=Count("pk"), n_present=Count("pk", filter=Q(present=True)))
        }
        for pk in outlets:
            t = rows[child_of[pk]].tally
            s = state.get(pk)
            t.outlets += 1
            t.outlets_checked += 1 if s else 0
            t.outlets_equipped += 1 if s and items and s["n_present"] == len(items) else 0
        services = HomeService.objects.visible_to(user).filter(
            unit_subtree_q(unit), served_on__gte=period.start, served_on__lte=period.end
        )
        people: dict[str, set[int]] = {}
        for unit_id, consumer_id, reason_id, service_id, outcome in services.values_list(
            "org_unit_id", "consumer_id", "reason_id", "service_id", "outcome"
        ):
            path = child_of.get(unit_id)
            if path is None:
                continue
            rows[path].tally.services += 1
            people.setdefault(path, set()).add(consumer_id)
            reason_counts[reason_id] += 1
            service_counts[service_id] += 1
            outcome_counts[outcome] += 1
        for path, persons in people.items():
            rows[path].tally.people = len(persons)
        total.people = len(set().union(*people.values())) if people else 0
        if complaints_shown:
            for unit_id, groups in _complaints(user, unit, period):
                path = child_of.get(unit_id)
                if path is None:
                    continue
                rows[path].tally.complaints += 1
                group_counts.update(set(groups))
    for r in rows.values():
        for name in ("outlets", "outlets_checked", "outlets_equipped", "services", "complaints"):
            setattr(total, name, getattr(total, name) + getattr(r.tally, name))
    for path, r in rows.items():
        own = path == unit.path
        if not own:
            r.urls["drill"] = (
                reverse("special_services:figures") + "?" + _query(unit=r.key, period=period.label)
            )
        r.urls["services"] = (
            reverse("special_services:home_services")
            + "?"
            + _query(unit=r.key, date_from=period.start, date_to=period.end)
        )
        r.urls["outlets"] = reverse("special_services:facilities") + "?" + _query(unit=r.key)
        if complaints_shown:
            r.urls["complaints"] = (
                reverse("complaints:list")
                + "?"
                + _query(unit=r.key, received_from=period.start, received_to=period.end)
            )
    by_unit = sorted(
        (
            r
            for p, r in rows.items()
            if p != unit.path or r.tally.services or r.tally.outlets or r.tally.complaints
        ),
        key=lambda r: (r.key != unit.code, r.key),
    )
    services_url = reverse("special_services:home_services")
    base = {"unit": unit.code, "date_from": period.start, "date_to": period.end}
    by_reason = [
        CountRow(
            r.code, r.name, reason_counts.get(r.pk, 0), services_url + "?" + _query(**base, reason=r.code)
        )
        for r in ServiceReason.objects.order_by("sort_order", "code")
        if r.active or reason_counts.get(r.pk)
    ]
    by_service = [
        CountRow(
            s.code, s.name, service_counts.get(s.pk, 0), services_url + "?" + _query(**base, service=s.code)
        )
        for s in ServiceKind.objects.order_by("sort_order", "code")
        if s.active or service_counts.get(s.pk)
    ]
    by_outcome = [
        CountRow(str(v), str(label), outcome_counts.get(v, 0), services_url + "?" + _query(**base, outcome=v))
        for v, label in Outcome.choices
    ]
    by_group: list[CountRow] = []
    if complaints_shown:
        from xiaobao.complaints.choices import SpecialGroup

        by_group = [CountRow(str(v), str(label), group_counts.get(v, 0)) for v, label in SpecialGroup.choices]
    urls = {
        "services": services_url + "?" + _query(**base),
        "outlets": reverse("special_services:facilities") + "?" + _query(unit=unit.code),
        "complaints": reverse("complaints:list")
        + "?"
        + _query(unit=unit.code, received_from=period.start, received_to=period.end)
        if complaints_shown
        else "",
    }
    figures = [
        Figure("outlets", pgettext_lazy(P, "Outlets"), "count", total.outlets, urls["outlets"]),
        Figure(
            "outlets_equipped", pgettext_lazy(P, "Fully equipped outlets"), "count", total.outlets_equipped
        ),
        Figure("equipped_share", pgettext_lazy(P, "Equipped share"), "percent", total.equipped_share),
        Figure("home_services", pgettext_lazy(P, "Home services"), "count", total.services, urls["services"]),
        Figure("people_served", pgettext_lazy(P, "People served at home"), "count", total.people),
    ]
    if complaints_shown:
        figures.append(
            Figure(
                "special_complaints",
                pgettext_lazy(P, "Complaints from special groups"),
                "count",
                total.complaints,
                urls["complaints"],
            )
        )
    return SpecialFigures(
        unit=unit,
        period=period,
        total=total,
        by_unit=by_unit,
        by_reason=by_reason,
        by_service=by_service,
        by_outcome=by_outcome,
        by_group=by_group,
        complaints_shown=complaints_shown,
        figures=figures,
    )


def count_tables(data: SpecialFigures) -> list[tuple[str, list[CountRow]]]:
    """The small tables under the figures: home services by reason, kind and outcome; complaints by group."""
    out = [
        (str(pgettext_lazy(P, "Home services by reason")), data.by_reason),
        (str(pgettext_lazy(P, "Home services by kind")), data.by_service),
        (str(pgettext_lazy(P, "Home services by outcome")), data.by_outcome),
    ]
    if data.complaints_shown:
        out.append((str(pgettext_lazy(P, "Complaints by special group")), data.by_group))
    return out


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline figures of the user's scope (or `unit`) from start to end."""
    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    if not may_see(user, unit):
        return []
    return compute(user=user, unit=unit, period=Period(start, end)).figures


def home_panel(user: Any) -> dict[str, Any]:
    """The officers' home card: outlets of the scope whose register is incomplete or disagrees with the
    latest facilities inspection count is left to the facilities page; here: outlets not fully equipped,
    outlets never checked, and this month's home services."""
    from xiaobao.core.clock import localdate

    if not user.has_perm(VIEW):
        return {}
    unit = OrgUnit.objects.visible_to(user).order_by("path").first()
    if unit is None:
        return {}
    today = localdate()
    data = compute(user=user, unit=unit, period=Period.month(today.year, today.month))
    t = data.total
    return {
        "unit": unit,
        "outlets": t.outlets,
        "not_equipped": t.outlets - t.outlets_equipped,
        "unchecked": t.outlets - t.outlets_checked,
        "services_month": t.services,
        "sentence": data.sentence,
        "month": today.strftime("%Y-%m"),
    }
