"""One filter set for the register of recorded sales, shared by the list page and the API list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.sales_recording.choices import ProductKind
from xiaobao.sales_recording.models import RecordedSale

RECORDED = [("", "—"), ("yes", _("Recorded")), ("no", _("Not recorded"))]
DATE = forms.DateInput(attrs={"type": "date"})


class SaleFilter(forms.Form):
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    product_kind = forms.ChoiceField(
        label=_("Product kind"), choices=[("", "—"), *ProductKind.choices], required=False
    )
    recorded = forms.ChoiceField(label=_("Recording"), choices=RECORDED, required=False)
    aged_60 = forms.BooleanField(label=_("Applicants aged 60 or more"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    q = forms.CharField(label=_("Product, seller or recording id"), required=False, max_length=100)
    batch = forms.IntegerField(label=_("Import"), required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_default_timezone())


def recorded_q() -> Q:
    """A sale is recorded when it has a recording id and a length above zero."""
    return ~Q(recording_id="") & Q(duration_seconds__gt=0)


def apply_filters(qs: QuerySet[RecordedSale], data: dict[str, Any], user: Any) -> QuerySet[RecordedSale]:
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("product_kind"):
        qs = qs.filter(product_kind=data["product_kind"])
    if data.get("recorded") == "yes":
        qs = qs.filter(recorded_q())
    elif data.get("recorded") == "no":
        qs = qs.exclude(recorded_q())
    if data.get("aged_60"):
        qs = qs.filter(applicant_age__gte=60)
    if data.get("date_from"):
        qs = qs.filter(sale_at__gte=_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(sale_at__lt=_midnight(data["date_to"] + dt.timedelta(days=1)))
    if data.get("q"):
        text = data["q"]
        qs = qs.filter(Q(product__icontains=text) | Q(seller__icontains=text) | Q(recording_id=text))
    if data.get("batch"):
        qs = qs.filter(batch_id=data["batch"])
    return qs
