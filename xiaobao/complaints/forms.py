"""Forms of the complaint pages: intake, consumer lookup, one small form per workflow action, upload.

Forms only validate and shape input for the services (`to_data()`); choices come from `visible_to(user)`.
Every unit, code and person field is a searchable picker (`core.pickers.use_picker`: names, pinyin initials,
codes); this module registers the `code` picker kind and computes the assign form's workload suggestions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.sweeper import warn_levels
from xiaobao.complaints.choices import (
    CodeDimension,
    ComplainantRole,
    Liability,
    NotifyMethod,
    PauseReason,
    SensitivityTag,
    Source,
    SpecialGroup,
    Status,
)
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.complaints.services import DEFAULT_REMEDIES, MAJOR_GROUP_SIZE
from xiaobao.core import pickers
from xiaobao.core.forms import UnitChoiceField
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.pickers import Choice, PickerError, StampedIndex, use_picker
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.workdays import get_calendar

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = {"rows": 3}
LOOKUP_FIELDS = [
    ("id_number", _("ID number")),
    ("phone", _("Phone")),
    ("account_number", _("Account or card number")),
]
ATTACHMENT_KINDS = [
    ("evidence", _("Evidence")),
    ("letter", _("Letter from the complainant")),
    ("recording", _("Call recording")),
    ("notice", _("Notice sent")),
    ("other", _("Other")),
]


def now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def code_choices(dimension: str) -> list[tuple[Any, Any]]:
    """Active codes of a dimension; a code with sub-codes becomes an <optgroup> headed by itself."""
    codes = list(ComplaintCode.objects.active().of(dimension).only("id", "code", "name", "parent_id"))
    children: dict[int | None, list[ComplaintCode]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    choices: list[tuple[Any, Any]] = [("", "—")]
    for top in children[None]:
        subs = children[top.pk]
        if subs:
            choices.append((str(top), [(c.code, str(c)) for c in [top, *subs]]))
        else:
            choices.append((top.code, str(top)))
    return choices


def unit_choice_field(units: Any, label: Any, *, required: bool = True) -> UnitChoiceField:
    """A unit picker (a <select> searchable by name, initials or code) whose value is the unit code (what
    the services take)."""
    field = UnitChoiceField(
        queryset=units.only("id", "name", "code", "depth", "path").order_by("path"),
        to_field_name="code",
        label=label,
        required=required,
    )
    use_picker(field, "unit")
    return field


def units_for(user: Any, *, upward: bool = False) -> Any:
    """Active units the user may pick; `upward` adds the user's ancestors (transfer up, ask a superior)."""
    units = OrgUnit.objects.visible_to(user).active()
    if upward and getattr(user, "org_unit", None) is not None:
        units = (units | user.org_unit.ancestors().filter(is_active=True)).distinct()
    return units


HANDLE = "complaints.handle_complaint"


def handler_choices(user: Any) -> list[tuple[Any, Any]]:
    """Active complaint handlers in the user's scope, grouped by unit."""
    perm = Permission.objects.filter(content_type__app_label="complaints", codename="handle_complaint")
    users = (
        User.objects.visible_to(user)
        .filter(is_active=True, is_service=False, org_unit__isnull=False)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for u in users:
        label = f"{u.full_name} ({u.username})" if u.full_name else u.username
        groups.setdefault(f"{u.org_unit.name} ({u.org_unit.code})", []).append((u.username, label))
    return [("", "—"), *groups.items()]


def set_choices(form: forms.BaseForm, name: str, choices: Any) -> None:
    """Set the choices of a choice field made in the class body (typed)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _usernames(value: str) -> list[str]:
    return [n for n in (p.strip() for p in value.replace("，", ",").replace("、", ",").split(",")) if n]


# --- the code picker (GET /api/v1/pickers/code?dimension=cause) ------------------------------------------


def _code_stamp() -> Any:
    active = Count("id", filter=Q(is_active=True))
    return tuple(ComplaintCode.objects.aggregate(n=Count("id"), on=active, at=Max("updated_at")).values())


def _code_rows() -> list[tuple[str, Choice, str, str]]:
    codes = ComplaintCode.objects.active().select_related("parent").order_by("dimension", "code")
    rows = []
    for c in codes:
        hint = f"{c.code} · {c.parent.name}" if c.parent_id and c.parent else c.code
        pickers.initials(c.name), pickers.spelled(c.name)  # warm the caches while building
        rows.append((c.dimension, Choice(c.code, c.name, hint), c.code, c.name))
    return rows


CODE_INDEX = StampedIndex(_code_stamp, _code_rows)


@pickers.register("code")
def code_picker(*, user: Any, q: str, dimension: str, limit: int) -> list[Choice]:
    """Active complaint codes of one dimension (channel, business_type, cause) by name, initials or code."""
    if dimension not in CodeDimension.values:
        raise PickerError(
            "dimension", gettext("Choose a dimension: %(v)s.") % {"v": ", ".join(CodeDimension.values)}
        )
    rows = ((c, code, name, ()) for dim, c, code, name in CODE_INDEX.rows() if dim == dimension)
    return pickers.best(rows, q, limit)


# --- assignment with workload -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignee:
    """A handler who may take the complaint, with the work they already carry."""

    username: str
    name: str
    unit: str
    open: int  # open complaints they handle
    due_soon: int  # of which the decision is due within `due_soon_days()` working days (or overdue)

    @property
    def load(self) -> int:
        return self.open + self.due_soon  # a complaint due soon weighs double


def due_soon_days() -> int:
    """The sweeper's first warning (working days before the due date, SLA_WARN_WORKING_DAYS)."""
    return max(warn_levels(), default=3)


def assignee_suggestions(
    user: Any, complaint: Complaint, *, today: dt.date | None = None, limit: int = 10
) -> list[Assignee]:
    """Active handlers of the responsible unit (the receiving unit while a transfer waits with the user's
    part of the institution), within the user's scope and never a person named in the complaint, least
    loaded first: open complaints they handle and how many of those are due within N working days."""
    today = today or timezone.localdate()
    unit = complaint.org_unit
    pending = complaint.pending_unit if complaint.pending_unit_id else None
    if pending is not None and unit_in_scope(user, pending):
        unit = pending
    named = set(complaint.staff_named.values_list("pk", flat=True))
    candidates = list(
        pickers.people(user, HANDLE)
        .filter(org_unit__path__startswith=unit.path)
        .exclude(pk__in=named)
        .select_related("org_unit")
        .order_by("username")[:200]
    )
    horizon = get_calendar().deadline(today, due_soon_days(), "working").due_date
    counts = {
        row["handler"]: row
        for row in Complaint.objects.filter(
            handler__in=[u.pk for u in candidates], status__in=Status.open_statuses()
        )
        .values("handler")
        .annotate(n=Count("id"), soon=Count("id", filter=Q(decision_due__lte=horizon)))
    }
    out = [
        Assignee(
            username=u.username,
            name=u.full_name or u.username,
            unit=u.org_unit.name,
            open=counts.get(u.pk, {}).get("n", 0),
            due_soon=counts.get(u.pk, {}).get("soon", 0),
        )
        for u in candidates
    ]
    out.sort(key=lambda a: (a.load, a.due_soon, a.username))
    return out[:limit]


# --- intake -------------------------------------------------------------------------------------------


class ComplaintIntakeForm(forms.Form):
    """The hotline / counter intake form: the order of the fields is the tab order."""

    channel = forms.ChoiceField(label=_("Channel"))
    received_at = forms.DateTimeField(label=_("Received at"), widget=DATETIME)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.DIRECT)
    org_unit = forms.Field(label=_("Responsible unit"))  # replaced in __init__
    external_reference = forms.CharField(label=_("External reference"), max_length=64, required=False)
    complainant_name = forms.CharField(label=_("Complainant's name"), max_length=100)
    complainant_role = forms.ChoiceField(
        label=_("Complainant is"), choices=ComplainantRole.choices, initial=ComplainantRole.SELF
    )
    complainant_id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    complainant_phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    complainant_email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("For the notices sent to the complainant (acknowledgement, extension, decision)."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    complainant_account_number = forms.CharField(
        label=_("Account or card number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    complainant_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    business_type = forms.ChoiceField(label=_("Business type"))
    cause = forms.ChoiceField(label=_("Cause"))
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    amount_in_dispute = forms.DecimalField(
        label=_("Amount in dispute (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
    )
    request = forms.CharField(label=_("Request"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    special_groups = forms.MultipleChoiceField(
        label=_("Special groups"),
        choices=SpecialGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sensitivity_tags = forms.MultipleChoiceField(
        label=_("Sensitivity"),
        choices=SensitivityTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=100000, initial=1)
    face_to_face = forms.BooleanField(label=_("Made face to face"), required=False)
    is_major = forms.BooleanField(label=_("Major complaint"), required=False)
    major_reason = forms.CharField(label=_("Why major"), max_length=200, required=False)
    staff_named = forms.CharField(
        label=_("Staff complained about"),
        max_length=500,
        required=False,
        help_text=_("Usernames, separated by commas. They will not be able to handle the complaint."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("received_at", now_local())
        initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if getattr(user, "org_unit", None) is not None:
            initial.setdefault("org_unit", user.org_unit.code)
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Responsible unit"))
        for dimension in (CodeDimension.CHANNEL, CodeDimension.BUSINESS_TYPE, CodeDimension.CAUSE):
            set_choices(self, dimension, code_choices(dimension))
            use_picker(self.fields[dimension], "code", dimension)
        use_picker(self.fields["staff_named"], "person", multiple=True)
        self.fields["channel"].widget.attrs["autofocus"] = True  # the first field of the tab order
        self.fields["people_count"].help_text = _(
            "%(n)d or more people face to face make it a major complaint."
        ) % {"n": MAJOR_GROUP_SIZE}

    def clean_received_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("The time of receipt cannot be in the future."))
        return value

    def clean_staff_named(self) -> list[str]:
        names = _usernames(self.cleaned_data.get("staff_named") or "")
        known = set(
            User.objects.visible_to(self.user).filter(username__in=names).values_list("username", flat=True)
        )
        unknown = [n for n in names if n not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown staff, or outside your part of the institution: %(v)s"),
                params={"v": ", ".join(unknown)},
            )
        return names

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        person = {
            k: d[f"complainant_{k}"]
            for k in ("name", "id_number", "phone", "email", "account_number", "address")
        }
        keys = [
            "channel", "business_type", "cause", "source", "external_reference", "complainant_role",
            "request", "description", "product", "amount_in_dispute", "special_groups", "sensitivity_tags",
            "people_count", "face_to_face", "is_major", "major_reason", "staff_named", "received_at",
        ]  # fmt: skip
        return {k: d[k] for k in keys} | {"org_unit": d["org_unit"].code, "complainant": person}

    # the services name nested fields "complainant.name"; the form calls them "complainant_name"
    @staticmethod
    def field_name(service_field: str) -> str:
        return service_field.replace("complainant.", "complainant_")


class LookupForm(forms.Form):
    """Earlier complaints of the same consumer, through the blind index. Accepts `value`, or the intake
    form's own field (`complainant_<field>`) so the hint can post the input it sits beside."""

    field = forms.ChoiceField(choices=LOOKUP_FIELDS)
    value = forms.CharField(max_length=40, required=False, strip=True)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and not data.get("value"):
            data = data.copy()
            data["value"] = data.get(f"complainant_{data.get('field', '')}", "")
        super().__init__(data, **kwargs)


# --- workflow actions -----------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the action forms: the complaint's version (a stale one → 409) and `to_data()`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, complaint: Complaint, **kwargs: Any) -> None:
        self.user, self.complaint = user, complaint
        kwargs.setdefault("initial", {}).setdefault("version", complaint.version)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:  # a hidden field: say it where the user can see it
            self.add_error(None, _("This form is out of date. Reload the page and try again."))
        return data

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            if key in ("version", "next"):
                continue
            out[key] = value.code if isinstance(value, OrgUnit) else value
        return out


def _date(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required, initial=timezone.localdate)


def _reason(label: Any = None, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"), max_length=max_length, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(ActionForm):
    handler = forms.ChoiceField(label=_("Handler"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "handler", handler_choices(self.user))
        use_picker(self.fields["handler"], "person", HANDLE)
        self.fields["unit"] = unit_choice_field(units_for(self.user), _("Responsible unit"), required=False)
        self.initial.setdefault("unit", self.complaint.org_unit.code)

    def suggestions(self) -> list[Assignee]:
        """Handlers of the responsible unit, least loaded first (the list beside the handler picker)."""
        return assignee_suggestions(self.user, self.complaint)

    def due_soon_days(self) -> int:
        return due_soon_days()


class TransferForm(ActionForm):
    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_choice_field(units_for(self.user, upward=True), _("Transfer to"))
        self.order_fields(["unit", "reason"])


class ContactForm(ActionForm):
    method = forms.ChoiceField(label=_("Method"), choices=NotifyMethod.choices, initial=NotifyMethod.PHONE)
    date = _date(_("Date"), required=True)
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssistForm(ActionForm):
    question = _reason(_("Question"), 5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_choice_field(units_for(self.user, upward=True), _("Unit asked to assist"))
        self.order_fields(["unit", "question"])


class AnswerAssistForm(ActionForm):
    assistance = forms.TypedChoiceField(label=_("Request"), coerce=int)
    answer = _reason(_("Answer"), 5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_tasks = [a for a in self.complaint.assistances.all() if a.answered_at is None]
        set_choices(self, "assistance", [(a.pk, f"#{a.pk} {a.question[:60]}") for a in open_tasks])


class PauseForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=PauseReason.choices)
    date = _date(_("Paused from"), required=True)
    detail = forms.CharField(label=_("Detail"), max_length=2000, required=False)


class ResumeForm(ActionForm):
    date = _date(_("Resumed on"), required=True)


class ExtendForm(ActionForm):
    to_days = forms.TypedChoiceField(label=_("Extend to"), coerce=int)
    reason = _reason()
    complainant_told_at = forms.DateTimeField(label=_("Complainant told at"), required=False, widget=DATETIME)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clock = next((k for k in self.complaint.clocks.all() if k.name == "decision"), None)
        steps = clock.rule.extensions if clock else []
        set_choices(
            self,
            "to_days",
            [
                (
                    int(s["to_days"]),
                    _("%(n)d days (needs approval)") % {"n": int(s["to_days"])}
                    if s.get("approval")
                    else _("%(n)d days") % {"n": int(s["to_days"])},
                )
                for s in steps
                if clock is None or int(s["to_days"]) > clock.days
            ],
        )

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        if not data.get("complainant_told_at"):
            data.pop("complainant_told_at", None)
        return data


class DraftForm(ActionForm):
    verification = forms.CharField(
        label=_("How the facts were verified"), max_length=5000, widget=forms.Textarea(attrs=TEXT)
    )
    basis = forms.CharField(label=_("Basis and reasons"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    result = forms.CharField(label=_("Decision"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    remedies = forms.CharField(
        label=_("Remedies available"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.complaint
        self.initial.setdefault("verification", c.decision_verification)
        self.initial.setdefault("basis", c.decision_basis)
        self.initial.setdefault("result", c.decision_result)
        self.initial.setdefault("remedies", c.decision_remedies or str(DEFAULT_REMEDIES))


class NotifyForm(ActionForm):
    method = forms.ChoiceField(label=_("Notified by"), choices=NotifyMethod.choices)
    at = forms.DateTimeField(label=_("Notified at"), widget=DATETIME, initial=now_local)
    proof = forms.CharField(label=_("Proof of notification"), max_length=200)


class FollowUpForm(ActionForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 = very satisfied, 1 = very dissatisfied; 1–2 alert the branch officer."),
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(ActionForm):
    liability = forms.ChoiceField(label=_("Liability"), choices=[("", "—"), *Liability.choices[1:]])
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the institution is at fault."),
    )
    redress_amount = forms.DecimalField(
        label=_("Redress amount (yuan)"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
    )
    redress_paid_at = forms.DateField(label=_("Redress paid on"), required=False, widget=DATE)
    case_library = forms.BooleanField(label=_("Add to the case library"), required=False)


class ApproveRedressForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Redress amount (yuan)"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.complaint.redress_amount:
            self.fields["amount"].initial = self.complaint.redress_amount


class DateOnlyForm(ActionForm):
    date = _date(_("Date"), required=True)


class MergeForm(ActionForm):
    into = forms.CharField(label=_("Merge into (reference)"), max_length=24)
    new_facts = forms.BooleanField(
        label=_("The repeat brings new facts (restarts the clock)"), required=False
    )


class DeclineForm(ActionForm):
    reason = _reason(_("Reason for not accepting"))
    notice = _reason(_("Notice to the complainant"))


class ReasonForm(ActionForm):
    reason = _reason()


class MarkMajorForm(ActionForm):
    reason = _reason(_("Why major"), 200)


class ReviewResultForm(ActionForm):
    result = _reason(_("Review result"), 5000)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "assign": AssignForm,
    "transfer": TransferForm,
    "contact": ContactForm,
    "assist": AssistForm,
    "answer_assist": AnswerAssistForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "extend": ExtendForm,
    "draft": DraftForm,
    "notify": NotifyForm,
    "follow_up": FollowUpForm,
    "close": CloseForm,
    "withdraw": DateOnlyForm,
    "request_review": DateOnlyForm,
    "merge": MergeForm,
    "decline": DeclineForm,
    "return": ReasonForm,
    "reopen": ReasonForm,
    "mark_major": MarkMajorForm,
    "decide_review": ReviewResultForm,
    "approve_redress": ApproveRedressForm,
}


def action_form_class(action: str) -> type[ActionForm]:
    """The form of an action; actions without input (accept, submit, approve…) only carry the version."""
    return ACTION_FORMS.get(action, ActionForm)


# --- attachments and notifications ------------------------------------------------------------------------


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ATTACHMENT_KINDS, initial="evidence")


class LegalHoldForm(forms.Form):
    """The reason for a legal hold ("hold" is "1" or not, read by the view): a NUL byte or more than the
    column holds is a field error, never a database error or a silent cut."""

    reason = forms.CharField(label=_("Reason for the legal hold"), max_length=200, required=False)


class IdListField(forms.Field):
    """A list of integer ids (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Invalid selection.")) from exc


class MarkReadForm(forms.Form):
    ids = IdListField(required=False)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ids") and not data.get("all"):
            raise forms.ValidationError(_("Choose the notifications to mark as read."))
        return data
