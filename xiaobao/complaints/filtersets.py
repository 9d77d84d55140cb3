"""One filter set for complaints, shared by the HTML list, the API list and the Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.choices import ClockState, Source, Status
from xiaobao.complaints.models import Complaint
from xiaobao.core.models import OrgUnit

ORDERINGS = {
    "due": ("decision_due", "id"),
    "-received": ("-received_at", "-id"),
    "received": ("received_at", "id"),
    "reference": ("reference",),
}


class ComplaintFilter(forms.Form):
    q = forms.CharField(label=_("Reference, product or text"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Status.choices, required=False)
    open = forms.NullBooleanField(label=_("Open only"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices], required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    channel = forms.CharField(label=_("Channel code"), required=False, max_length=20)
    business_type = forms.CharField(label=_("Business type code"), required=False, max_length=20)
    cause = forms.CharField(label=_("Cause code"), required=False, max_length=20)
    handler = forms.CharField(label=_("Handler (username)"), required=False, max_length=150)
    major = forms.NullBooleanField(label=_("Major"), required=False)
    clock_state = forms.ChoiceField(
        label=_("Decision clock"), choices=[("", "—"), *ClockState.choices], required=False
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ordering = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("due", _("Due date")),
            ("-received", _("Newest first")),
            ("received", _("Oldest first")),
            ("reference", _("Reference")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("received_from")
            and data.get("received_to")
            and data["received_from"] > data["received_to"]
        ):
            self.add_error("received_to", _("The end date is before the start date."))
        return data


def _prefix(code: str, field: str) -> Q:
    """A code and its sub-codes (B03 matches B03 and B0301…)."""
    return Q(**{f"{field}__code__startswith": code})


def apply_filters(qs: QuerySet[Complaint], data: dict[str, Any], user: Any) -> QuerySet[Complaint]:
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(product__icontains=q)
            | Q(description__icontains=q)
            | Q(request__icontains=q)
        )
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("open"):
        qs = qs.filter(status__in=Status.open_statuses())
    for field in ("source",):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    for field in ("channel", "business_type", "cause"):
        if data.get(field):
            qs = qs.filter(_prefix(data[field], field))
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(org_unit__path__startswith=unit.path) if unit else qs.none()
    if data.get("handler"):
        qs = qs.filter(handler__username=data["handler"])
    if data.get("major") is not None:
        qs = qs.filter(is_major=data["major"])
    if data.get("clock_state"):
        qs = qs.filter(clocks__name="decision", clocks__state=data["clock_state"])
    if data.get("received_from"):
        qs = qs.filter(receipt_date__gte=data["received_from"])
    if data.get("received_to"):
        qs = qs.filter(receipt_date__lte=data["received_to"])
    return qs


def today() -> dt.date:
    return timezone.localdate()
