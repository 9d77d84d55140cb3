"""One filter set for the review register, shared by the HTML list, the API list and the Excel export.

GET names: q, status (several), kind, product_kind (code), unit (code, with sub-units), reviewer (username),
track, overdue, mine, submitted_from / submitted_to (submission day), concluded_from / concluded_to (day of
the conclusion, Beijing time), ordering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.review.choices import ReviewKind, Status, Track
from xiaobao.review.workflow import WORKFLOW

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORDERINGS = {
    "due": ("due_date", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "reference": ("reference",),
}


def product_kind_choices() -> list[tuple[str, str]]:
    from xiaobao.review.models import ProductKind

    return [("", "—"), *ProductKind.objects.filter(active=True).values_list("code", "name")]


class ReviewFilter(forms.Form):
    q = forms.CharField(label=_("Reference, title or product"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Status.choices, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *ReviewKind.choices], required=False)
    product_kind = forms.ChoiceField(label=_("Product kind"), choices=(), required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    reviewer = forms.CharField(label=_("Reviewer (username)"), required=False, max_length=150)
    track = forms.ChoiceField(label=_("Track"), choices=[("", "—"), *Track.choices], required=False)
    overdue = forms.NullBooleanField(label=_("Overdue only"), required=False)
    mine = forms.NullBooleanField(label=_("Mine (submitted or reviewed by me)"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DATE)
    submitted_to = forms.DateField(label=_("Submitted to"), required=False, widget=DATE)
    concluded_from = forms.DateField(label=_("Concluded from"), required=False, widget=DATE)
    concluded_to = forms.DateField(label=_("Concluded to"), required=False, widget=DATE)
    ordering = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("due", _("Due date")),
            ("created", _("Oldest first")),
            ("reference", pgettext_lazy("review", "Reference")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_kind"].choices = product_kind_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("submitted_from", "submitted_to"), ("concluded_from", "concluded_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("The end date is before the start date."))
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def apply_filters(qs: QuerySet[Any], data: dict[str, Any], user: Any) -> QuerySet[Any]:
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(product_name__icontains=q))
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("product_kind"):
        qs = qs.filter(product_kind__code=data["product_kind"])
    if data.get("track"):
        qs = qs.filter(track=data["track"])
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("reviewer"):
        qs = qs.filter(handler__username=data["reviewer"])
    if data.get("overdue") is not None:
        late = {"status__in": WORKFLOW.group("live"), "due_date__lt": localdate()}
        qs = qs.filter(**late) if data["overdue"] else qs.exclude(**late)
    if data.get("mine"):
        me = user.pk
        qs = qs.filter(Q(handler_id=me) | Q(submitted_by_id=me) | Q(created_by_id=me))
    if data.get("submitted_from"):
        qs = qs.filter(submitted_on__gte=data["submitted_from"])
    if data.get("submitted_to"):
        qs = qs.filter(submitted_on__lte=data["submitted_to"])
    if data.get("concluded_from"):
        qs = qs.filter(concluded_at__gte=_day_start(data["concluded_from"]))
    if data.get("concluded_to"):
        qs = qs.filter(concluded_at__lt=_day_start(data["concluded_to"] + dt.timedelta(days=1)))
    return qs
