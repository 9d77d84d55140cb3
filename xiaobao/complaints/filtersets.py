"""One filter set for complaints, shared by the HTML list, the API list and the Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.scoping import in_subtree
from xiaobao.complaints.choices import ClockState, Liability, Source, Status
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.core.models import OrgUnit
from xiaobao.core.pickers import PickerInput

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
    # pickers in the browser (names, pinyin initials, codes); the values stay codes and usernames, so the
    # API, the export and the statistics' drill-down links (code prefixes) read them unchanged
    unit = forms.CharField(
        label=_("Unit code (with sub-units)"), required=False, max_length=32, widget=PickerInput("unit")
    )
    channel = forms.CharField(
        label=_("Channel code"), required=False, max_length=20, widget=PickerInput("code", "channel")
    )
    business_type = forms.CharField(
        label=_("Business type code"),
        required=False,
        max_length=20,
        widget=PickerInput("code", "business_type"),
    )
    cause = forms.CharField(
        label=_("Cause code"), required=False, max_length=20, widget=PickerInput("code", "cause")
    )
    handler = forms.CharField(
        label=_("Handler (username)"),
        required=False,
        max_length=150,
        widget=PickerInput("person", "complaints.handle_complaint"),
    )
    major = forms.NullBooleanField(label=_("Major"), required=False)
    forwarded = forms.NullBooleanField(label=_("Forwarded by a regulator"), required=False)
    repeat = forms.NullBooleanField(label=_("Repeat complaint"), required=False)
    secondary = forms.NullBooleanField(label=_("Secondary complaint"), required=False)
    extended = forms.NullBooleanField(label=_("Extension approved"), required=False)
    reviewed = forms.NullBooleanField(label=_("Review requested"), required=False)
    rated = forms.NullBooleanField(label=_("Satisfaction rated"), required=False)
    redress_paid = forms.NullBooleanField(label=_("Redress paid"), required=False)
    liability = forms.ChoiceField(
        label=_("Liability"), choices=[("", "—"), *Liability.choices[1:]], required=False
    )
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

    MORE = (
        "source",
        "channel",
        "business_type",
        "cause",
        "handler",
        "received_from",
        "received_to",
        "liability",
    )
    FLAGS = ("forwarded", "repeat", "secondary", "extended", "reviewed", "rated", "redress_paid")

    @property
    def more_active(self) -> bool:
        """Whether a filter behind "More filters" is set (the section opens, e.g. after a drill-down)."""
        return any(self[name].value() not in (None, "", []) for name in (*self.MORE, *self.FLAGS))

    @property
    def flag_fields(self) -> list[Any]:
        return [self[name] for name in self.FLAGS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("received_from")
            and data.get("received_to")
            and data["received_from"] > data["received_to"]
        ):
            self.add_error("received_to", _("The end date is before the start date."))
        return data


# Yes/no filters the statistics drill down with (each matches one headline figure's definition).
FLAG_LOOKUPS = {
    "forwarded": Q(source__in=(Source.NFRA_TRANSFER, Source.PBOC_TRANSFER)),  # not "other referral"
    "repeat": Q(is_repeat=True),
    "secondary": Q(is_secondary=True),
    "extended": Q(is_extended=True),
    "reviewed": Q(review_requested_on__isnull=False),
    "rated": Q(satisfaction__isnull=False),
    "redress_paid": Q(redress_paid_at__isnull=False),
}


def _local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the institution's time zone (where the day of receipt is counted)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def _prefix(code: str, field: str) -> Q:
    """A code and its sub-codes (B03 matches B03 and B0301…), as the ids of those codes: the complaint
    table's foreign-key indexes answer it, where a prefix on the joined code table made the planner join
    every complaint row (two code filters with no match took 0.3 s at 1M)."""
    codes = ComplaintCode.objects.filter(dimension=field, code__startswith=code)  # field = dimension
    ids = list(codes.values_list("pk", flat=True))
    return Q(**{f"{field}_id__in": ids})


# The complaint texts as the PostgreSQL search index reads them (migration 0010); the expression must stay
# identical to the index's for the planner to use it.
_SEARCH_DOCUMENT = (
    '"complaints_complaint"."reference" || \' \' || "complaints_complaint"."product" || \' \' || '
    '"complaints_complaint"."description" || \' \' || "complaints_complaint"."request"'
)


def text_search(q: str) -> Q:
    """Case-insensitive substring match in reference, product, description or request. On PostgreSQL the
    bigram index (migration 0010) finds the candidates for queries of two or more characters and the
    per-field `icontains` keeps the exact answer (no match across two fields)."""
    exact = Q(reference__icontains=q) | Q(product__icontains=q)
    exact |= Q(description__icontains=q) | Q(request__icontains=q)
    if connection.vendor != "postgresql" or len(q) < 2:
        return exact
    indexed = RawSQL(  # noqa: S611 — constant SQL; the query text is a bound parameter
        f"xiaobao_bigrams({_SEARCH_DOCUMENT}) @> xiaobao_bigrams(%s)", (q,), output_field=BooleanField()
    )
    return Q(indexed) & exact


def apply_filters(qs: QuerySet[Complaint], data: dict[str, Any], user: Any) -> QuerySet[Complaint]:
    if data.get("q"):
        qs = qs.filter(text_search(data["q"].strip()))
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
        qs = in_subtree(qs, unit) if unit else qs.none()  # a range on the path, never a LIKE
    if data.get("handler"):
        qs = qs.filter(handler__username=data["handler"])
    if data.get("major") is not None:
        qs = qs.filter(is_major=data["major"])
    for field, lookup in FLAG_LOOKUPS.items():
        if data.get(field) is not None:
            qs = qs.filter(lookup) if data[field] else qs.exclude(lookup)
    if data.get("liability"):
        qs = qs.filter(liability=data["liability"])
    if data.get("clock_state"):
        qs = qs.filter(decision_state=data["clock_state"])
    # The day of receipt is the local date of the receipt time, so each bound is also given on the receipt
    # time: the newest-first index then starts inside the period instead of walking past every later
    # complaint (a month two months back at 10M: 222,197 rows skipped, 0.9 s).
    if data.get("received_from"):
        qs = qs.filter(
            receipt_date__gte=data["received_from"], received_at__gte=_local_midnight(data["received_from"])
        )
    if data.get("received_to"):
        end = data["received_to"] + dt.timedelta(days=1)
        qs = qs.filter(receipt_date__lte=data["received_to"], received_at__lt=_local_midnight(end))
    return qs


def today() -> dt.date:
    return timezone.localdate()
