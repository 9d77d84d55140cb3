"""Forms of the rectification pages: opening an item (also from a finding or a complaint, and a regulator's
opinion), each workflow step, evidence upload. The services validate again; these shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.forms import unit_choice_field, units_for
from xiaobao.core.clock import localdate
from xiaobao.core.models import User
from xiaobao.rectification.choices import EvidenceKind, Source
from xiaobao.rectification.services import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO: a date input shows nothing else
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def owner_choices(user: Any) -> list[tuple[Any, Any]]:
    """Active users in the user's scope who may work on rectification items, grouped by unit."""
    perm = Permission.objects.filter(content_type__app_label="rectification", codename="work_rectification")
    users = (
        User.objects.visible_to(user)
        .filter(is_active=True, org_unit__isnull=False)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for u in users:
        label = f"{u.full_name} ({u.username})" if u.full_name else u.username
        groups.setdefault(f"{u.org_unit.name} ({u.org_unit.code})", []).append((u.username, label))  # type: ignore[union-attr]
    return [("", "—"), *groups.items()]


def rule_choices() -> list[tuple[str, Any]]:
    return [("", _("Default for the source")), *[(r.code, str(r)) for r in rules()]]


class RectificationForm(forms.Form):
    """Open a rectification item. With a finding or a complaint the source is fixed and the unit given."""

    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.REGULATOR)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What must be put right"), max_length=20000, widget=TEXTAREA)
    issued_by = forms.CharField(
        label=_("Issued by (regulator or auditor)"),
        max_length=100,
        required=False,
        help_text=_("For a regulator's opinion (监管意见): e.g. the regulatory bureau that issued it."),
    )
    external_reference = forms.CharField(label=_("Document number"), max_length=64, required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE, initial=localdate)
    rule = forms.ChoiceField(label=_("Deadline rule"), required=False)
    owner = forms.ChoiceField(label=_("Owner"))
    plan = forms.CharField(label=_("Rectification plan"), max_length=5000, required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, user: Any, fixed_source: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Responsible unit"))
        self.order_fields(["source", "org_unit", "owner", "title", "description"])
        self.fields["owner"].choices = owner_choices(user)  # type: ignore[attr-defined]
        self.fields["rule"].choices = rule_choices()  # type: ignore[attr-defined]
        if fixed_source:
            self.fields["source"].initial = fixed_source
            self.fields["source"].disabled = True

    def to_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["org_unit"] = d["org_unit"].code
        return d


class ActionForm(forms.Form):
    """Base of the step forms: the item's version (a stale one → 409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        self.item = item
        kwargs.setdefault("initial", {}).setdefault("version", item.version)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:
            self.add_error(None, _("This form is out of date. Reload the page and try again."))
        return data

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _note(label: Any = None, required: bool = False, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartForm(ActionForm):
    plan = forms.CharField(label=_("Rectification plan"), max_length=5000, required=False, widget=TEXTAREA)


class SubmitForm(ActionForm):
    result = forms.CharField(label=_("What was done"), max_length=5000, widget=TEXTAREA)
    plan = forms.CharField(label=_("Rectification plan"), max_length=5000, required=False, widget=TEXTAREA)


class VerifyForm(ActionForm):
    note = _note()


class ReasonForm(ActionForm):
    reason = _note(_("Reason"), required=True)


class ExtendForm(ActionForm):
    to_days = forms.TypedChoiceField(label=_("Extend to"), coerce=int)
    reason = _note(_("Reason"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clock = next(iter(self.item.clocks.all()), None)
        steps = self.item.rule.extensions or []
        self.fields["to_days"].choices = [  # type: ignore[attr-defined]
            (
                int(s["to_days"]),
                _("%(n)d days (needs approval)") % {"n": int(s["to_days"])}
                if s.get("approval")
                else _("%(n)d days") % {"n": int(s["to_days"])},
            )
            for s in steps
            if clock is None or int(s["to_days"]) > clock.days
        ]


class DecideForm(ActionForm):
    note = _note()


FORMS: dict[str, type[ActionForm]] = {
    "start": StartForm,
    "submit": SubmitForm,
    "verify": VerifyForm,
    "reject": ReasonForm,
    "extend": ExtendForm,
    "approve_extension": DecideForm,
    "reject_extension": DecideForm,
    "cancel": ReasonForm,
}


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.AFTER)
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx"})
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
