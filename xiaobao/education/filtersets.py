"""One filter set for education activities, shared by the list page, its Excel export and the API list.

Query parameters (the figures page links here with them): `edition` (id), `campaign` (code), `unit` (code:
the unit and every unit below it), `status` (several), `from` / `to` (the activity's day), `venue`, `topic`
(codes), `q` (reference or title), `awaiting=1` (awaiting my approval: submitted, in my scope, not reported by
me).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.education.models import ActivityStatus, Campaign, CampaignEdition, Topic, Venue
from xiaobao.education.workflow import APPROVE, SUBMITTED

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORDERINGS = {"-held": ("-held_on", "-id"), "held": ("held_on", "id"), "reference": ("reference",)}


class ActivityFilter(forms.Form):
    q = forms.CharField(label=_("Reference or title"), required=False, max_length=100)
    edition = forms.TypedChoiceField(
        label=_("Campaign edition"), required=False, coerce=int, empty_value=None
    )
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    status = forms.MultipleChoiceField(label=_("Status"), choices=ActivityStatus.choices, required=False)
    venue = forms.ChoiceField(label=_("Venue type"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    awaiting = forms.CharField(label=_("Awaiting my approval"), required=False, max_length=5)
    ordering = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("-held", _("Newest first")), ("held", _("Oldest first")), ("reference", _("Reference"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—"), *Campaign.objects.values_list("code", "name")]  # type: ignore[attr-defined]
        self.fields["venue"].choices = [("", "—"), *Venue.objects.values_list("code", "name")]  # type: ignore[attr-defined]
        self.fields["topic"].choices = [("", "—"), *Topic.objects.values_list("code", "name")]  # type: ignore[attr-defined]
        editions = CampaignEdition.objects.select_related("campaign").order_by(
            "-year", "campaign__sort_order"
        )
        self.fields["edition"].choices = [("", "—"), *((e.pk, str(e)) for e in editions)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", _("The end date is before the start date."))
        return data


# `from` and `to` are Python keywords: added as fields by name (the figures page's links use them).
ActivityFilter.base_fields["from"] = forms.DateField(label=_("Held from"), required=False, widget=DATE)
ActivityFilter.base_fields["to"] = forms.DateField(label=_("Held to"), required=False, widget=DATE)


def apply_filters(qs: QuerySet[Any], data: dict[str, Any], user: Any) -> QuerySet[Any]:
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q))
    if data.get("edition"):
        qs = qs.filter(edition_id=data["edition"])
    if data.get("campaign"):
        qs = qs.filter(edition__campaign__code=data["campaign"])
    if data.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("from"):
        qs = qs.filter(held_on__gte=data["from"])
    if data.get("to"):
        qs = qs.filter(held_on__lte=data["to"])
    if data.get("venue"):
        qs = qs.filter(venue__code=data["venue"])
    if data.get("topic"):
        qs = qs.filter(topics__code=data["topic"])
    if is_true(data.get("awaiting")):
        qs = awaiting_approval(qs, user)
    return qs


def is_true(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def awaiting_approval(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """Submitted activities the user may approve: in scope (the caller's `visible_to`), not their own."""
    if not user.has_perm(APPROVE):
        return qs.none()
    return qs.filter(status=SUBMITTED).exclude(reported_by_id=user.pk)
