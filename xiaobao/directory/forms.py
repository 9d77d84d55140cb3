"""Forms of the directory page: a group → role mapping, the test-a-user lookup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.pickers import use_picker
from xiaobao.directory import dn as dnlib
from xiaobao.directory.models import GROUP_ID_ERROR, role_choices


class MappingForm(forms.Form):
    group_dn = forms.CharField(
        label=_("Directory group (DN, or the OpenID provider's group)"),
        max_length=500,
        help_text=_("e.g. cn=cp-officers,ou=groups,dc=bank,dc=cn"),
        widget=forms.TextInput(attrs={"data-testid": "mapping-dn", "size": 48}),
    )
    role = forms.ChoiceField(label=_("Role"), widget=forms.Select(attrs={"data-testid": "mapping-role"}))
    org_unit = forms.ChoiceField(
        label=_("Unit override"),
        required=False,
        help_text=_("Members belong to this unit whatever their unit attribute says."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "—"), *role_choices()]
        units = OrgUnit.objects.filter(is_active=True).order_by("path")
        unit = self.fields["org_unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("none: the unit attribute"))] + [(u.code, f"{u.code} {u.name}") for u in units]
        use_picker(self.fields["org_unit"], "unit")

    def clean_group_dn(self) -> str:
        value = self.cleaned_data["group_dn"].strip()
        if not dnlib.is_group_id(value):
            raise forms.ValidationError(GROUP_ID_ERROR)
        return value

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        unit = OrgUnit.objects.filter(code=d["org_unit"]).first() if d.get("org_unit") else None
        return {"group_dn": d["group_dn"], "role": d["role"], "org_unit": unit, "note": d.get("note", "")}


class LookupForm(forms.Form):
    username = forms.CharField(
        label=_("Username in the directory"),
        max_length=150,
        widget=forms.TextInput(attrs={"data-testid": "lookup-username", "autocomplete": "off"}),
    )
