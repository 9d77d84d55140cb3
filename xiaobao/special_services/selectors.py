"""Read side: every query starts from the caller's scope (`visible_to`, `OrgUnit.objects.visible_to`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.scoping import unit_subtree_q
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.special_services.models import (
    VIEW,
    FacilityCheck,
    FacilityItem,
    HomeService,
    Outcome,
    OutletFacility,
    Place,
    ServiceKind,
    ServiceReason,
)

HISTORY_ROWS = 30


def active_items() -> list[FacilityItem]:
    return list(FacilityItem.objects.filter(active=True).order_by("sort_order", "code"))


def visible_outlets(user: Any, unit: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    if not user.has_perm(VIEW):
        return OrgUnit.objects.none()
    qs = OrgUnit.objects.visible_to(user).filter(kind=OrgUnitKind.OUTLET, is_active=True)
    if unit is not None:
        qs = qs.filter(unit_subtree_q(unit, "pk")) if unit.parent_id else qs
    return qs.order_by("path")


@dataclass
class OutletRow:
    unit: OrgUnit
    present: int = 0
    missing: int = 0
    total: int = 0
    last_checked: dt.date | None = None
    disagreements: int = 0

    @property
    def unchecked(self) -> int:
        return self.total - self.present - self.missing

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.present == self.total


def outlet_rows(user: Any, unit: OrgUnit | None = None) -> list[OutletRow]:
    """Every visible active outlet (in `unit`'s subtree) with its register's counts (two queries)."""
    outlets = list(visible_outlets(user, unit).select_related("parent"))
    item_ids = [i.pk for i in active_items()]
    counts = (
        OutletFacility.objects.filter(org_unit__in=[o.pk for o in outlets], item_id__in=item_ids)
        .values("org_unit_id")
        .annotate(
            n_present=Count("pk", filter=Q(present=True)),
            n_missing=Count("pk", filter=Q(present=False)),
            last=Max("checked_on"),
        )
    )
    by_unit: dict[int, dict[str, Any]] = {c["org_unit_id"]: dict(c) for c in counts}
    rows = []
    for o in outlets:
        c: dict[str, Any] = by_unit.get(o.pk, {})
        rows.append(
            OutletRow(
                unit=o,
                present=c.get("n_present", 0),
                missing=c.get("n_missing", 0),
                total=len(item_ids),
                last_checked=c.get("last"),
            )
        )
    return rows


# --- one outlet: the register beside the latest facilities inspection ---------------------------------------


@dataclass
class ItemState:
    item: FacilityItem
    state: OutletFacility | None
    inspected: str = ""  # "yes" / "no" / "na" / "" (not checked by the inspection)
    inspection_note: str = ""

    @property
    def disagrees(self) -> bool:
        """The register says present, the latest facilities inspection found it missing (or the reverse)."""
        if self.state is None or self.inspected not in ("yes", "no"):
            return False
        return self.state.present != (self.inspected == "yes")


@dataclass
class OutletPage:
    outlet: OrgUnit
    items: list[ItemState]
    inspection: Any = None  # the latest submitted facilities inspection the user may see
    history: list[FacilityCheck] = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(1 for s in self.items if s.state and s.state.present)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.items if s.state)

    @property
    def disagreements(self) -> list[ItemState]:
        return [s for s in self.items if s.disagrees]


def latest_facilities_inspection(user: Any, outlet: OrgUnit) -> tuple[Any, dict[str, tuple[str, str]]]:
    """The latest submitted inspection of the outlet on the inspections module's elder-friendly facilities
    checklist that the user may see, and its answers by item code (value, note). Read-only; (None, {}) when
    there is none or the user may not see inspections."""
    try:
        from xiaobao.inspections.choices import ChecklistKind, Status
        from xiaobao.inspections.models import Answer, Inspection
    except ImportError:  # pragma: no cover - the inspections module is part of the product
        return None, {}
    inspection = (
        Inspection.objects.visible_to(user)
        .filter(org_unit=outlet, status=Status.SUBMITTED, template__kind=ChecklistKind.ELDER_FRIENDLY)
        .select_related("template")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if inspection is None:
        return None, {}
    answers = {
        code: (str(value) if value is not None else "", note or "")
        for code, value, note in Answer.objects.filter(inspection=inspection).values_list(
            "item__code", "value", "note"
        )
    }
    return inspection, answers


def outlet_page(user: Any, outlet: OrgUnit) -> OutletPage:
    items = active_items()
    states = {
        s.item_id: s for s in OutletFacility.objects.filter(org_unit=outlet).select_related("checked_by")
    }
    inspection, answers = latest_facilities_inspection(user, outlet)
    rows = []
    for item in items:
        value, note = answers.get(item.inspection_item, ("", "")) if item.inspection_item else ("", "")
        rows.append(ItemState(item=item, state=states.get(item.pk), inspected=value, inspection_note=note))
    history = list(
        FacilityCheck.objects.filter(org_unit=outlet).select_related("item", "checked_by")[:HISTORY_ROWS]
    )
    return OutletPage(outlet=outlet, items=rows, inspection=inspection, history=history)


def item_state(user: Any, outlet: OrgUnit, item: FacilityItem) -> ItemState:
    state = OutletFacility.objects.filter(org_unit=outlet, item=item).select_related("checked_by").first()
    value, note = "", ""
    if item.inspection_item:
        _, answers = latest_facilities_inspection(user, outlet)
        value, note = answers.get(item.inspection_item, ("", ""))
    return ItemState(item=item, state=state, inspected=value, inspection_note=note)


# --- home services ------------------------------------------------------------------------------------------


class HomeServiceFilter(forms.Form):
    unit = forms.CharField(label=_("Unit (with sub-units)"), required=False, max_length=32)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ModelChoiceField(
        label=_("Reason"), required=False, queryset=ServiceReason.objects.all(), to_field_name="code"
    )
    service = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=ServiceKind.objects.all(), to_field_name="code"
    )
    place = forms.ChoiceField(label=_("Place"), required=False, choices=[("", "—"), *Place.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def home_services(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[HomeService]:
    qs = HomeService.objects.visible_to(user).select_related("org_unit", "consumer", "reason", "service")
    f = filters or {}
    if f.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=f["unit"]).first()
        qs = qs.filter(unit_subtree_q(unit)) if unit else qs.none()
    if f.get("date_from"):
        qs = qs.filter(served_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(served_on__lte=f["date_to"])
    for name in ("reason", "service"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    for name in ("place", "outcome"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    return qs.order_by("-served_on", "-pk")


def home_service_detail(user: Any, pk: int) -> HomeService | None:
    return home_services(user).filter(pk=pk).first()
