"""Forms of the case library pages. They shape the input; the services validate again and have the last
word."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.case_library.models import Audience
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import scope_q

PICKER = {"data-picker": "1"}


def code_choices(dimension: str) -> list[tuple[str, str]]:
    from xiaobao.complaints.models import ComplaintCode

    rows = ComplaintCode.objects.filter(dimension=dimension, is_active=True).order_by("code")
    return [("", "—"), *[(c.code, f"{c.code} {c.name}") for c in rows]]


def units_in_scope(user: Any) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.filter(is_active=True)
    q = scope_q(user, "path")
    return (qs.filter(q) if q is not None else qs).order_by("path")


class EntryFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    business_type = forms.ChoiceField(label=_("Business type"), required=False)
    cause = forms.ChoiceField(label=_("Cause"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=20)
    unit = forms.ModelChoiceField(
        label=_("Unit (with sub-units)"),
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["business_type"]).choices = code_choices("business_type")
        cast(forms.ChoiceField, self.fields["cause"]).choices = code_choices("cause")
        if user is not None:
            unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
            unit_field.queryset = units_in_scope(user)
        for name in ("business_type", "cause", "unit"):
            self.fields[name].widget.attrs.update(PICKER)


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "wide"}))
    facts = forms.CharField(
        label=_("Summary of the facts"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    handling = forms.CharField(
        label=_("Handling"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    outcome = forms.CharField(
        label=_("Outcome"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lessons = forms.CharField(
        label=_("Lessons and risk points"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    business_type = forms.ChoiceField(label=_("Business type"), required=False)
    cause = forms.ChoiceField(label=_("Cause"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=250,
        required=False,
        help_text=_("Separate tags with commas or spaces; suggestions below."),
        widget=forms.TextInput(attrs={"list": "caselib-tags", "autocomplete": "off"}),
    )
    org_unit = forms.ChoiceField(label=_("Unit"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    audience = forms.ChoiceField(label=_("Published to"), choices=Audience.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["business_type"]).choices = code_choices("business_type")
        cast(forms.ChoiceField, self.fields["cause"]).choices = code_choices("cause")
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = [
            (u.code, u.name) for u in units_in_scope(user)
        ]
        for name in ("business_type", "cause", "org_unit"):
            self.fields[name].widget.attrs.update(PICKER)
        if not user.has_perm("core.view_all_units"):
            cast(forms.ChoiceField, self.fields["audience"]).choices = [
                (Audience.SUBTREE.value, Audience.SUBTREE.label)
            ]


class CirculateForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(label=_("Entries"), coerce=int)
    units = forms.TypedMultipleChoiceField(
        label=_("Units"),
        coerce=int,
        help_text=_(
            "Everyone who reads the case library in these units and the units below them. Hold Ctrl (⌘) to "
            "choose several."
        ),
    )
    message = forms.CharField(
        label=pgettext_lazy("case library", "Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["entries"]).choices = [(e.pk, e.title) for e in entries]
        cast(forms.ChoiceField, self.fields["units"]).choices = [
            (u.pk, ("\u3000" * (u.depth - 1)) + u.name) for u in units_in_scope(user)
        ]
        self.fields["units"].widget.attrs.update({**PICKER, "size": 10})
