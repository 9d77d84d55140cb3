"""Forms of the plan pages: create a plan, draw its sample, publish it, close it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models import OrgUnit, User
from xiaobao.inspections.choices import PlanKind
from xiaobao.inspections.models import ChecklistTemplate
from xiaobao.inspections.plans import MAX_DUE_WORKING_DAYS, MAX_EXCLUDE_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    template = forms.ModelChoiceField(
        label=pgettext_lazy("inspection plan", "Checklist"), queryset=ChecklistTemplate.objects.none()
    )
    period_start = forms.DateField(label=pgettext_lazy("inspection plan", "Period start"), widget=DATE)
    period_end = forms.DateField(label=pgettext_lazy("inspection plan", "Period end"), widget=DATE)
    inspecting_unit = forms.ModelChoiceField(
        label=pgettext_lazy("inspection plan", "Inspecting unit"), queryset=OrgUnit.objects.none()
    )
    scope_unit = forms.ModelChoiceField(
        label=pgettext_lazy("inspection plan", "Units inspected"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Outlets are drawn from this unit and every unit below it."),
    )
    outlet_count = forms.IntegerField(
        label=pgettext_lazy("inspection plan", "Number of outlets"), min_value=1, max_value=100_000
    )
    exclude_recent_days = forms.IntegerField(
        label=_("Leave out outlets inspected within (days)"),
        min_value=0,
        max_value=MAX_EXCLUDE_DAYS,
        initial=0,
        help_text=_("0: leave nobody out."),
    )
    risk_weighted = forms.BooleanField(
        label=_("Weight by risk"),
        required=False,
        help_text=_(
            "Outlets not inspected for a year come first; the other places are drawn with weight "
            "1 + complaints per 10,000 customers in the last 12 months."
        ),
    )

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = choices["templates"]  # type: ignore[attr-defined]
        self.fields["inspecting_unit"].queryset = choices["units"]  # type: ignore[attr-defined]
        self.fields["scope_unit"].queryset = choices["units"]  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)


class DrawForm(VersionForm):
    seed = forms.IntegerField(
        label=pgettext_lazy("inspection plan", "Seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty for a new random seed; enter a stored seed to draw the same sample again."),
    )


class PublishForm(VersionForm):
    inspectors = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("inspection plan", "Inspectors"),
        queryset=User.objects.none(),
        to_field_name="username",
        help_text=_("Tasks go to them in turn, in the order of the sample."),
    )
    due_working_days = forms.IntegerField(
        label=_("Due within (working days)"),
        required=False,
        min_value=1,
        max_value=MAX_DUE_WORKING_DAYS,
        help_text=_("Leave empty: due on the last day of the period."),
    )

    def __init__(self, *args: Any, inspectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors  # type: ignore[attr-defined]
