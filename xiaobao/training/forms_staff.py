"""Forms of the staff register: the list's filter (shared by the page, the API list and the export) and the
person's form. Unit choices come from `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.forms import unit_field
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.training.models import PositionLayer, StaffMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNIT_CHOICES_LIMIT = 500
MIN_YEAR, MAX_YEAR = 2000, 2100


def layer_choices(active_only: bool = True) -> list[tuple[str, str]]:
    qs = PositionLayer.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.values_list("code", "name"))


def unit_choices(user: Any) -> list[tuple[str, str]]:
    """The user's scope root and two levels below it, indented (the unit picker)."""
    root = OrgUnit.objects.visible_to(user).order_by("path").first()
    if root is None:
        return []
    units = (
        OrgUnit.objects.filter(subtree_q(root.path), depth__lte=root.depth + 2)
        .order_by("path")
        .values_list("code", "name", "depth")[:UNIT_CHOICES_LIMIT]
    )
    return [(code, "\u3000" * (depth - root.depth) + f"{name} ({code})") for code, name, depth in units]


class StaffFilter(forms.Form):
    """GET names: q (employee number or name), unit (code, with sub-units), layer (code), active (1 / 0),
    linked (1 / 0: has an account), year (of the hours shown)."""

    q = forms.CharField(label=_("Employee number or name"), required=False, max_length=60)
    unit = forms.CharField(label=_("Unit (with sub-units)"), required=False, max_length=32)
    layer = forms.ChoiceField(label=_("Position layer"), required=False, choices=())
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", pgettext_lazy("staff", "Active")), ("0", _("Left"))],
    )
    linked = forms.ChoiceField(
        label=pgettext_lazy("staff", "Account"),
        required=False,
        choices=[("", _("All")), ("1", _("With an account")), ("0", _("Without an account"))],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [("", _("All")), *layer_choices(active_only=False)]  # type: ignore[attr-defined]

    def clean_unit(self) -> str:
        code = str(self.cleaned_data.get("unit") or "").strip()
        if code and not OrgUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown unit."))
        return code


def year_of(filters: dict[str, Any]) -> int:
    return int(filters.get("year") or localdate().year)


def filter_staff(qs: QuerySet[StaffMember], filters: dict[str, Any], user: Any) -> QuerySet[StaffMember]:
    """The register narrowed by a valid filter's cleaned data (on top of `visible_to(user)`). A unit outside
    the user's scope leaves nothing, as does any unit the user cannot see."""
    q = str(filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(employee_no__istartswith=q) | Q(name__icontains=q))
    code = filters.get("unit")
    if code:
        unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if filters.get("layer"):
        qs = qs.filter(layer__code=filters["layer"])
    if filters.get("active") in ("1", "0"):
        qs = qs.filter(active=filters["active"] == "1")
    if filters.get("linked") in ("1", "0"):
        qs = qs.filter(user__isnull=filters["linked"] == "0")
    return qs


class StaffForm(forms.Form):
    """A person of the register (new or edited)."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=30)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))
    layer = forms.ChoiceField(label=_("Position layer"), choices=())
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    hire_date = forms.DateField(label=_("Hire date"), required=False, widget=DATE)
    username = forms.CharField(
        label=_("Account (username)"),
        max_length=150,
        required=False,
        help_text=_("Empty: linked to the account whose username is the employee number, if there is one."),
    )

    def __init__(self, *args: Any, user: Any, staff: StaffMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_field(user, _("Unit"))
        self.fields["layer"].choices = [("", "—"), *layer_choices()]  # type: ignore[attr-defined]
        self.fields["employee_no"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        if staff is not None and not self.is_bound:
            self.initial.update(
                {
                    "employee_no": staff.employee_no,
                    "name": staff.name,
                    "org_unit": staff.org_unit_id,
                    "layer": staff.layer.code,
                    "position": staff.position,
                    "hire_date": staff.hire_date,
                    "username": staff.user.username if staff.user_id and staff.user else "",
                }
            )

    def to_data(self, *, editing: bool) -> dict[str, Any]:
        data = {k: self.cleaned_data.get(k) for k in ("employee_no", "name", "org_unit", "layer", "position")}
        data["hire_date"] = self.cleaned_data.get("hire_date")
        username = str(self.cleaned_data.get("username") or "").strip()
        if username or editing:
            data["username"] = username  # on an edit, empty unlinks
        return data
