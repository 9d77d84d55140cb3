"""Page forms: they type and render the input; the services decide (field errors come back onto them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.special_services.models import Outcome, Place, ServiceKind, ServiceReason

P = "special services"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}"


class HomeServiceForm(forms.Form):
    org_unit = UnitChoice(label=_("Unit"), queryset=OrgUnit.objects.none(), to_field_name="code")
    served_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=pgettext_lazy(P, "Name of the person served"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=ServiceReason.objects.filter(active=True), to_field_name="code"
    )
    service = forms.ModelChoiceField(
        label=pgettext_lazy(P, "Service"),
        queryset=ServiceKind.objects.filter(active=True),
        to_field_name="code",
    )
    place = forms.ChoiceField(label=pgettext_lazy(P, "Place"), choices=Place.choices, initial=Place.HOME)
    staff_involved = forms.IntegerField(
        label=pgettext_lazy(P, "Staff involved"), min_value=1, max_value=50, initial=2
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy(P, "Outcome"), choices=Outcome.choices, initial=Outcome.DONE
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        field.queryset = OrgUnit.objects.visible_to(user).filter(is_active=True).order_by("path")  # type: ignore[attr-defined]
        self.fields["served_on"].initial = localdate()
        if user.org_unit_id and not self.is_bound:
            self.fields["org_unit"].initial = user.org_unit.code
        if editing:
            for name in ("name", "phone", "id_number", "address"):
                self.fields[name].required = False
                self.fields[name].help_text = _("Leave empty to keep what is stored.")

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["reason"] = d["reason"].code if d.get("reason") else None
        d["service"] = d["service"].code if d.get("service") else None
        return d


class FacilityItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    inspection_item = forms.CharField(
        label=pgettext_lazy(P, "Inspection checklist item"),
        max_length=40,
        required=False,
        help_text=pgettext_lazy(
            P, "The code of the same item on the facilities inspection checklist, e.g. EF01."
        ),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[(f, f) for f in ("phone", "id_number", "address")])
    reason = forms.CharField(min_length=4, max_length=500)
