"""Forms of the catalogue and edition pages. They check the shape of the input; the services
(`campaigns.py`) check the rules and the scope and report field errors the pages put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.education.campaigns import MAX_YEAR, MIN_YEAR, TARGET_MAX, view_root
from xiaobao.education.models import MAX_REMIND_DAYS, Campaign, CampaignEdition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CatalogueForm(forms.Form):
    """A campaign, venue type or topic: the flag fields appear for the kind that has them."""

    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits, - or _; fixed once saved.")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=32767, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    online = forms.BooleanField(label=_("Online venue"), required=False)
    fraud = forms.BooleanField(label=_("Anti-fraud topic"), required=False)
    description = forms.CharField(
        label=pgettext_lazy("education", "Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, kind: str, obj: Any = None, **kwargs: Any) -> None:
        if obj is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": obj.code,
                "name": obj.name,
                "sort_order": obj.sort_order,
                "active": obj.active,
                "online": getattr(obj, "online", False),
                "fraud": getattr(obj, "fraud", False),
                "description": getattr(obj, "description", ""),
            }
        super().__init__(*args, **kwargs)
        if kind != "venue":
            del self.fields["online"]
        if kind != "topic":
            del self.fields["fraud"]
        if kind != "campaign":
            del self.fields["description"]
        if obj is not None:
            self.fields["code"].disabled = True

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "code" or not self.fields["code"].disabled}


def organiser_choices(user: Any) -> list[tuple[str, str]]:
    """Head office and the branches inside the user's subtree."""
    root = view_root(user)
    if root is None:
        return []
    units = OrgUnit.objects.filter(
        path__startswith=root.path, kind__in=[OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH], is_active=True
    ).order_by("path")
    return [(u.code, u.name) for u in units]


class EditionForm(forms.Form):
    campaign = forms.ChoiceField(label=_("Campaign"))
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    report_by = forms.DateField(
        label=_("Report by"), widget=DATE, help_text=_("Outlets report their activities by this day.")
    )
    org_unit = forms.ChoiceField(label=_("Organising unit"))
    remind_days = forms.IntegerField(
        label=_("Remind days before the deadline"),
        required=False,
        min_value=0,
        max_value=MAX_REMIND_DAYS,
        help_text=_("Branches are reminded of silent outlets from this many days before the deadline."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, edition: CampaignEdition | None = None, **kwargs: Any) -> None:
        if edition is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "campaign": edition.campaign.code,
                "year": edition.year,
                "theme": edition.theme,
                "starts_on": edition.starts_on,
                "ends_on": edition.ends_on,
                "report_by": edition.report_by,
                "org_unit": edition.org_unit.code,
                "remind_days": edition.remind_days,
                "notes": edition.notes,
            }
        elif edition is None:
            kwargs.setdefault("initial", {"year": localdate().year})
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.filter(active=True)
        if edition is not None:
            campaigns = Campaign.objects.filter(active=True) | Campaign.objects.filter(pk=edition.campaign_id)
        campaign_field: Any = self.fields["campaign"]
        campaign_field.choices = [("", "—")] + [(c.code, c.name) for c in campaigns.order_by("sort_order")]
        unit_field: Any = self.fields["org_unit"]
        unit_field.choices = organiser_choices(user)

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def targets_from_post(post: Any, units: list[OrgUnit]) -> list[dict[str, Any]]:
    """The targets grid's cells (`t-<unit id>-<field>`) as the service's rows."""
    rows = []
    for unit in units:
        rows.append(
            {
                "org_unit": unit.code,
                **{
                    f: post.get(f"t-{unit.pk}-{f}", "").strip()
                    for f in ("activities", "people_reached", "leaflets")
                },
            }
        )
    return rows


TARGET_FIELDS = ("activities", "people_reached", "leaflets")
__all__ = ["TARGET_FIELDS", "TARGET_MAX", "CatalogueForm", "EditionForm", "targets_from_post"]
