"""One filter set for inspections, shared by the list page and the API list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.inspections.choices import PlanKind, Status
from xiaobao.inspections.models import Inspection


class InspectionFilter(forms.Form):
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *Status.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *PlanKind.choices], required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    plan = forms.IntegerField(label=_("Plan"), required=False, min_value=1, max_value=2**62)
    date_from = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Due to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def apply_filters(qs: QuerySet[Inspection], data: dict[str, Any], user: Any) -> QuerySet[Inspection]:
    """Filter inspections; the unit is a subtree (index range on the path); the period is the due date."""
    if data.get("mine"):
        qs = qs.filter(handler_id=user.pk)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("plan"):
        qs = qs.filter(plan_id=data["plan"])
    if data.get("date_from"):
        qs = qs.filter(due_date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(due_date__lte=data["date_to"])
    return qs
