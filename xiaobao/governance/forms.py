"""Forms of the governance pages; the services validate again (these shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.complaints.forms import unit_choice_field, units_for
from xiaobao.core.clock import localdate
from xiaobao.core.models import User
from xiaobao.governance.choices import BodyKind, Channel, MeetingKind, MemberRole, Source, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})
LINES = forms.Textarea(attrs={"rows": 4, "placeholder": _("One per line")})


def people_choices(user: Any, codename: str | None = None) -> list[tuple[Any, Any]]:
    """Active users in the user's scope (with the permission `codename` when given), grouped by unit."""
    users = User.objects.visible_to(user).filter(is_active=True, org_unit__isnull=False)
    if codename:
        perm = Permission.objects.filter(content_type__app_label="governance", codename=codename)
        users = users.filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm)).distinct()
    groups: dict[str, list[tuple[str, str]]] = {}
    for u in users.select_related("org_unit").order_by("org_unit__path", "username"):
        label = f"{u.full_name} ({u.username})" if u.full_name else u.username
        groups.setdefault(u.org_unit.name, []).append((u.username, label))  # type: ignore[union-attr]
    return [("", "—"), *groups.items()]


class _Data(forms.Form):
    def to_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        if d.get("org_unit") is None and "org_unit" in d:
            d["org_unit"] = ""
        if d.get("org_unit") and hasattr(d["org_unit"], "code"):
            d["org_unit"] = d["org_unit"].code
        return d


class BodyForm(_Data):
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    established_on = forms.DateField(label=_("Established on"), widget=DATE, required=False)
    description = forms.CharField(label=_("Remit"), max_length=5000, required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Unit"))
        self.order_fields(["kind", "org_unit", "name"])


class MemberForm(_Data):
    user = forms.ChoiceField(label=_("Member of staff"), required=False)
    name = forms.CharField(label=_("Or an outside person's name"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role in the body"), choices=MemberRole.choices)
    term_start = forms.DateField(label=_("Term from"), widget=DATE, initial=localdate)
    term_end = forms.DateField(label=_("Term until"), widget=DATE, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = people_choices(user)  # type: ignore[attr-defined]


class MeetingForm(_Data):
    held_on = forms.DateField(label=pgettext_lazy("meeting", "Held on"), widget=DATE, initial=localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    topics = forms.CharField(label=pgettext_lazy("meeting", "Topics"), max_length=10000, widget=LINES)
    resolutions = forms.CharField(label=_("Resolutions"), max_length=10000, required=False, widget=LINES)
    minutes = forms.FileField(
        label=_("Minutes (PDF, Word or a scan)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,image/*"}),
    )


class ActionItemForm(_Data):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What is to be done"), max_length=10000, required=False, widget=TEXTAREA
    )
    owner = forms.ChoiceField(label=_("Owner"))
    due_on = forms.DateField(
        label=_("Due on"), widget=DATE, required=False, help_text=_("Empty: 30 days after the meeting.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Responsible unit"), required=False)
        self.fields["org_unit"].help_text = _("Empty: the owner's own unit.")
        self.order_fields(["title", "description", "owner", "org_unit", "due_on"])
        self.fields["owner"].choices = people_choices(user, "work_actionitem")  # type: ignore[attr-defined]


class LiaisonForm(_Data):
    user = forms.ChoiceField(label=_("Member of staff"), required=False)
    name = forms.CharField(label=_("Or the person's name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    since = forms.DateField(label=_("Since"), widget=DATE, initial=localdate)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Unit"))
        self.order_fields(["org_unit", "user", "name", "phone", "since"])
        self.fields["user"].choices = people_choices(user)  # type: ignore[attr-defined]


class SupervisorForm(_Data):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=100)
    term_start = forms.DateField(label=_("Term from"), widget=DATE, initial=localdate)
    term_end = forms.DateField(label=_("Term until"), widget=DATE, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Unit watched"))
        self.order_fields(["name", "phone", "occupation", "org_unit"])


class FeedbackForm(_Data):
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=localdate)
    channel = forms.ChoiceField(label=pgettext_lazy("feedback", "Channel"), choices=Channel.choices)
    content = forms.CharField(label=_("Content"), max_length=5000, widget=TEXTAREA)
    owner = forms.ChoiceField(label=_("Who answers it"))
    due_on = forms.DateField(
        label=_("Answer by"),
        widget=DATE,
        required=False,
        help_text=_("Empty: 15 working days after receipt."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = people_choices(user, "work_actionitem")  # type: ignore[attr-defined]


class EndForm(forms.Form):
    day = forms.DateField(label=_("Until"), widget=DATE, initial=localdate)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx"})
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ItemFilter(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    view = forms.ChoiceField(
        label=_("View"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", pgettext_lazy("action items", "Still open")),
            ("mine", _("Mine")),
            ("overdue", _("Overdue")),
            ("to_verify", _("To verify")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Status.choices])
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", "—"), *Source.choices])
    body = forms.IntegerField(label=_("Body"), required=False, widget=forms.HiddenInput, min_value=1)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=forms.HiddenInput)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["unit"] = unit_choice_field(units_for(user), _("Unit"), required=False)


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


def _note(label: Any = None, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"), required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(ActionForm):
    note = _note()


class SubmitForm(ActionForm):
    result = forms.CharField(label=_("What was done / the answer"), max_length=5000, widget=TEXTAREA)


class ReasonForm(ActionForm):
    reason = _note(_("Reason"), required=True)


class ExtendForm(ActionForm):
    to_date = forms.DateField(label=_("New due date"), widget=DATE)
    reason = _note(_("Reason"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_date"].help_text = _("Now due on %(d)s.") % {"d": f"{self.item.due_on:%Y-%m-%d}"}


FORMS: dict[str, type[ActionForm]] = {
    "start": NoteForm,
    "extend": ExtendForm,
    "approve_extension": NoteForm,
    "reject_extension": NoteForm,
    "submit": SubmitForm,
    "close": NoteForm,
    "reject": ReasonForm,
    "cancel": ReasonForm,
}
