"""One filter set for early warnings, shared by the list page, the API list and the Excel export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.early_warning.models import EarlyWarning, WarningKind

STATES = [("", "—"), ("open", _("Open")), ("acknowledged", _("Acknowledged"))]


class WarningFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *WarningKind.choices], required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def apply_filters(qs: QuerySet[EarlyWarning], data: dict[str, Any], user: Any) -> QuerySet[EarlyWarning]:
    """Filter warnings; dates select the warnings whose period overlaps [date_from, date_to]."""
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("state") == "open":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif data.get("state") == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("date_from"):
        qs = qs.filter(period_end__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(period_start__lte=data["date_to"])
    return qs
