"""Forms of the portal: the consumer's complaint, the status lookup, a review request, a rating (public), and
the settings (staff). Forms validate and shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints import attachments
from xiaobao.complaints.choices import CodeDimension
from xiaobao.complaints.forms import code_choices
from xiaobao.core.models import OrgUnit
from xiaobao.portal import services
from xiaobao.portal.models import PortalSettings

TEXT = {"rows": 4}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class ComplaintForm(forms.Form):
    """The consumer's complaint, in the order a phone shows it."""

    name = forms.CharField(
        label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("We call you on this number; its last four digits let you look up your complaint."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        help_text=_("We send the reference and the decision here too."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    business_type = forms.ChoiceField(label=_("What is it about?"))
    unit = forms.ChoiceField(label=_("Branch"), required=False)
    product = forms.CharField(
        label=_("Product or service (optional)"),
        max_length=100,
        required=False,
        help_text=_("E.g. the card, the loan or the product's name — never a password or verification code."),
    )
    description = forms.CharField(
        label=_("What happened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    request = forms.CharField(
        label=_("What do you ask us to do?"), max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)
    consent = forms.BooleanField(label=_("I have read the personal information notice above and agree."))
    # a field people do not see: a robot that fills every field fills it
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args: Any, settings: PortalSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        types = services.business_types(settings)
        field = self.fields["business_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(c.code, c.name) for c in types]]
        units = services.listed_units(settings)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        if units:
            unit_field.choices = [("", _("Let the bank decide")), *[(u.code, u.name) for u in units]]
        else:
            del self.fields["unit"]
        extensions = services.file_extensions(settings)
        if settings.max_files and extensions:
            widget = self.fields["attachments"].widget
            widget.attrs["accept"] = ",".join(f".{e}" for e in extensions)
            self.fields["attachments"].help_text = _(
                "Up to %(n)d files (%(types)s), %(mb)d MB each, %(total)d MB in all."
            ) % {
                "n": settings.max_files,
                "types": ", ".join(e.upper() for e in extensions),
                "mb": settings.max_file_mb,
                "total": settings.max_total_mb,
            }
        else:
            del self.fields["attachments"]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_phone(self) -> str:
        phone = services.mobile_number(self.cleaned_data.get("phone") or "")
        if not phone:
            raise forms.ValidationError(_("Enter your 11-digit mobile number."))
        return phone

    def clean_attachments(self) -> list[services.Upload]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        limit = self.settings.max_file_mb * 2**20
        if len(files) > self.settings.max_files:
            raise forms.ValidationError(
                _("Attach at most %(n)d files."), params={"n": self.settings.max_files}
            )
        out = []
        for f in files:
            name = str(f.name or "")[-200:]
            if (f.size or 0) > limit:
                raise forms.ValidationError(
                    _("%(f)s is larger than %(mb)d MB."), params={"f": name, "mb": self.settings.max_file_mb}
                )
            out.append(services.Upload(name=name, data=f.read(limit + 1)))
        return out

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        keys = ["name", "phone", "email", "business_type", "product", "description", "request", "consent"]
        return {k: d.get(k) for k in keys} | {"unit": d.get("unit") or ""}


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Complaint reference"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone_last4 = forms.RegexField(
        label=_("Last four digits of your mobile number"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}),
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you ask for a review?"), max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=[(5, _("5 — very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — very dissatisfied"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- staff -------------------------------------------------------------------------------------------------


def _units() -> Any:
    return OrgUnit.objects.filter(is_active=True).only("id", "name", "code", "depth", "path").order_by("path")


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Accepting complaints online"), required=False)
    institution_name = forms.CharField(label=_("Institution name shown"), max_length=100, required=False)
    receiving_unit = forms.ChoiceField(label=_("Receiving unit"), required=False)
    branch_choice = forms.BooleanField(label=_("The consumer may pick a branch"), required=False)
    listed_units = forms.MultipleChoiceField(
        label=_("Units listed"),
        required=False,
        help_text=_("Empty: every open branch."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    channel_code = forms.ChoiceField(label=_("Channel"))
    cause_code = forms.ChoiceField(label=_("Cause until classified"))
    business_types = forms.MultipleChoiceField(
        label=_("Business types offered"),
        required=False,
        help_text=_("Empty: every top-level business type."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    max_files = forms.IntegerField(label=_("Attachments at most"), min_value=0, max_value=10)
    max_file_mb = forms.IntegerField(label=_("MB per file at most"), min_value=1, max_value=20)
    max_total_mb = forms.IntegerField(label=_("MB in all at most"), min_value=1, max_value=50)
    file_types = forms.MultipleChoiceField(
        label=_("File types allowed"),
        required=False,
        choices=[(k, ", ".join(v.extensions)) for k, v in attachments.KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    intro = forms.CharField(
        label=_("Introduction"), max_length=2000, required=False, widget=forms.Textarea(attrs=TEXT)
    )
    privacy_notice = forms.CharField(
        label=_("Personal information notice"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    review_window_days = forms.IntegerField(label=_("Days to request a review"), min_value=1, max_value=30)
    lookups_per_address = forms.IntegerField(
        label=_("Status lookups per address"), min_value=1, max_value=1000
    )
    lookup_window_minutes = forms.IntegerField(
        label=_("Lookup window (minutes)"), min_value=1, max_value=1440
    )
    failures_per_reference = forms.IntegerField(
        label=_("Failed lookups per reference"), min_value=1, max_value=100
    )
    reference_window_minutes = forms.IntegerField(
        label=_("Reference window (minutes)"), min_value=1, max_value=1440
    )
    submissions_per_address = forms.IntegerField(
        label=_("Submissions per address"), min_value=1, max_value=1000
    )
    submission_window_minutes = forms.IntegerField(
        label=_("Submission window (minutes)"), min_value=1, max_value=1440
    )

    def __init__(self, *args: Any, instance: PortalSettings, **kwargs: Any) -> None:
        initial = {name: getattr(instance, name) for name in services.SETTINGS_FIELDS}
        initial["receiving_unit"] = instance.receiving_unit.code if instance.receiving_unit else ""
        initial["listed_units"] = list(instance.listed_units.values_list("code", flat=True))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        units = [(u.code, f"{'　' * (u.depth - 1)}{u.name} ({u.code})") for u in _units()]
        self._choices("receiving_unit", [("", _("Head office")), *units])
        self._choices("listed_units", units)
        self._choices("channel_code", code_choices(CodeDimension.CHANNEL))
        self._choices("cause_code", code_choices(CodeDimension.CAUSE))
        self._choices("business_types", code_choices(CodeDimension.BUSINESS_TYPE)[1:])

    def _choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
