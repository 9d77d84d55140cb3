from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.models import ComplaintCode
from xiaobao.core.models import OrgUnit
from xiaobao.notes.models import ReplyTemplate, TemplateKind
from xiaobao.notes.placeholders import PLACEHOLDERS

TEXT = {"rows": 4}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-mention-input": "", "autocomplete": "off", "data-testid": "note-text"}
        ),
        help_text=_(
            "Only staff see notes. Type @ and a name to tell a colleague who can see this complaint."
        ),
    )


def _codes(dimension: str) -> list[tuple[str, Any]]:
    rows = ComplaintCode.objects.of(dimension).active().order_by("sort_order", "code")
    return [("", _("any"))] + [(c.code, f"{c.code} {c.name}") for c in rows]


class ReplyTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateKind.choices)
    business_type = forms.ChoiceField(label=_("Business type"), required=False)
    cause = forms.ChoiceField(label=_("Cause"), required=False)
    org_unit = forms.ChoiceField(label=_("Owning unit"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    verification = forms.CharField(
        label=_("How the facts were verified"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    basis = forms.CharField(
        label=_("Basis and reasons"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT)
    )
    result = forms.CharField(
        label=_("Decision"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT)
    )
    remedies = forms.CharField(
        label=_("Remedies available"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT)
    )
    body = forms.CharField(
        label=_("Notice text"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("For notice text only: replaces the standard notice for complaints it matches."),
    )

    def __init__(self, *args: Any, user: Any, instance: ReplyTemplate | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        fields: Any = self.fields
        fields["business_type"].choices = _codes("business_type")
        fields["cause"].choices = _codes("cause")
        units = OrgUnit.objects.visible_to(user).filter(is_active=True).order_by("path")
        fields["org_unit"].choices = [(u.code, f"{'　' * ((u.depth or 1) - 1)}{u.name}") for u in units]
        if instance is not None:
            self.initial.update(
                {
                    "name": instance.name,
                    "kind": instance.kind,
                    "business_type": instance.business_type.code if instance.business_type else "",
                    "cause": instance.cause.code if instance.cause else "",
                    "org_unit": instance.org_unit.code,
                    "is_active": instance.is_active,
                    **{n: getattr(instance, n) for n in ReplyTemplate.TEXT_FIELDS},
                }
            )
        else:
            from xiaobao.notes.services import default_unit

            unit = default_unit(user)
            if unit is not None:
                self.initial.setdefault("org_unit", unit.code)

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @staticmethod
    def placeholder_help() -> list[tuple[str, Any]]:
        return [("{{" + name + "}}", label) for name, label in PLACEHOLDERS.items()]


class PreviewForm(forms.Form):
    complaint = forms.CharField(label=_("Complaint reference"), max_length=40, required=False)
