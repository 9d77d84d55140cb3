"""Forms of the policy pages. They shape the input; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import scope_q
from xiaobao.policies.models import ChangeKind, Level, PolicyStatus, Regulation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CLAUSES = forms.Textarea(attrs={"rows": 12, "placeholder": "第一条 ……\n第二条 ……"})
CLAUSES_HELP = _("One clause per paragraph, each starting with its number: 第一条 …, 第二条 … .")


def policy_units(user: Any) -> list[tuple[str, str]]:
    """Head office and branches in the user's subtree: the units a policy may belong to."""
    qs = OrgUnit.objects.filter(kind__in=["head_office", "branch"], is_active=True)
    q = scope_q(user, "path")
    if q is not None:
        qs = qs.filter(q)
    return [(u.code, u.name) for u in qs.order_by("path")]


def regulation_choices() -> list[tuple[str, str]]:
    return [("", "—"), *[(r.code, r.name) for r in Regulation.objects.filter(active=True)]]


class PolicyFilter(forms.Form):
    q = forms.CharField(label=_("Title, number or document number"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), choices=PolicyStatus.choices, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    owner = forms.CharField(label=_("Owner department"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Unit (with sub-units)"),
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput,
    )
    due = forms.BooleanField(label=_("Due for review"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of change"), choices=[("", "—"), *ChangeKind.choices], required=False
    )
    changed_from = forms.DateField(label=_("Approved from"), required=False, widget=DATE)
    changed_to = forms.DateField(label=_("Approved to"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("changed_from"), data.get("changed_to")
        if start and end and start > end:
            self.add_error("changed_to", _("The end comes before the start."))
        return data


class PolicyForm(forms.Form):
    org_unit = forms.ChoiceField(label=_("Unit (level)"))
    number = forms.CharField(label=_("Catalogue number"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    owner_department = forms.CharField(label=_("Owner department"), max_length=100)
    higher_rule = forms.CharField(label=_("Higher rule it implements"), max_length=300, required=False)
    regulation = forms.ChoiceField(label=_("Regulation"), required=False)
    effective_on = forms.DateField(label=_("Effective date"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason for enacting"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    clauses = forms.CharField(label=_("Clauses"), max_length=200000, widget=CLAUSES, help_text=CLAUSES_HELP)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = policy_units(user)
        cast(forms.ChoiceField, self.fields["regulation"]).choices = regulation_choices()


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    effective_on = forms.DateField(label=_("Effective date"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason for the revision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    clauses = forms.CharField(label=_("Clauses"), max_length=200000, widget=CLAUSES, help_text=CLAUSES_HELP)


class RepealForm(forms.Form):
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    effective_on = forms.DateField(label=_("Repealed with effect from"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason for repealing"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    effective_on = forms.DateField(label=_("Effective date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    clauses = forms.CharField(
        label=_("Clauses"), max_length=200000, widget=CLAUSES, help_text=CLAUSES_HELP, required=False
    )


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE, initial=localdate)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE, initial=localdate)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MappingForm(forms.Form):
    article = forms.IntegerField(label=_("Article"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF or .docx)"))


class RegulationForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=100, required=False)
    effective_on = forms.DateField(label=_("Effective date"), widget=DATE, required=False)
    unconfirmed = forms.BooleanField(label=_("Unconfirmed"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ArticleForm(forms.Form):
    number = forms.CharField(label=_("Article"), max_length=40)
    summary = forms.CharField(
        label=pgettext_lazy("policies", "Summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    unconfirmed = forms.BooleanField(label=_("Unconfirmed"), required=False)
