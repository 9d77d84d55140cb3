"""One filter set for rectification items, shared by the HTML list and the API list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.rectification.choices import Source, Status
from xiaobao.rectification.workflow import WORKFLOW

DATE = forms.DateInput(attrs={"type": "date"})
ORDERINGS = {
    "due": ("due_date", "id"),
    "-opened": ("-opened_on", "-id"),
    "opened": ("opened_on", "id"),
    "reference": ("reference",),
}


class RectificationFilter(forms.Form):
    q = forms.CharField(label=_("Reference or title"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Status.choices, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices], required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    owner = forms.CharField(label=_("Owner (username)"), required=False, max_length=150)
    overdue = forms.NullBooleanField(label=_("Overdue only"), required=False)
    repeat = forms.NullBooleanField(label=_("Repeat finding"), required=False)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DATE)
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DATE)
    ordering = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("due", _("Due date")),
            ("-opened", _("Newest first")),
            ("opened", _("Oldest first")),
            ("reference", pgettext_lazy("rectification item", "Reference")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opened_from") and data.get("opened_to") and data["opened_from"] > data["opened_to"]:
            self.add_error("opened_to", _("The end date is before the start date."))
        return data


def apply_filters(qs: QuerySet[Any], data: dict[str, Any], user: Any) -> QuerySet[Any]:
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q))
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("source"):
        qs = qs.filter(source=data["source"])
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("owner"):
        qs = qs.filter(handler__username=data["owner"])
    if data.get("overdue") is not None:
        late = {"status__in": WORKFLOW.group("open"), "due_date__lt": localdate()}
        qs = qs.filter(**late) if data["overdue"] else qs.exclude(**late)
    if data.get("repeat") is not None:
        qs = qs.filter(is_repeat=data["repeat"])
    if data.get("opened_from"):
        qs = qs.filter(opened_on__gte=data["opened_from"])
    if data.get("opened_to"):
        qs = qs.filter(opened_on__lte=data["opened_to"])
    return qs
