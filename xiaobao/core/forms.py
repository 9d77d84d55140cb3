"""Forms of the foundation pages. Choices of units always come from `visible_to(user)`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.models.consumers import ConsumerKind, IdType
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.roles import ROLES
from xiaobao.core.validators import visible_text
from xiaobao.core.vault.detect import validate_no_c3


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name} ({obj.code})"


def unit_field(user: Any, label: Any, required: bool = True, active_only: bool = True) -> UnitChoiceField:
    qs = OrgUnit.objects.visible_to(user)
    if active_only:
        qs = qs.active()
    return UnitChoiceField(
        queryset=qs.only("id", "name", "code", "depth", "path"), label=label, required=required
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


log = logging.getLogger(__name__)


class PasswordResetRequestForm(PasswordResetForm):
    """The "Forgot password?" form: a username or an e-mail address. Django's reset machinery (a one-time
    token that expires after PASSWORD_RESET_TIMEOUT), with this project's rule of who gets a link
    (`services.accounts.password_reset_recipients`) and an audit row for every link e-mailed."""

    email = forms.CharField(  # Django's name for the field; it takes a username too
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def get_users(self, email: str) -> Iterator[Any]:
        from xiaobao.core.services.accounts import password_reset_recipients

        return iter(password_reset_recipients(email))

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        extra: dict[str, Any] = {
            "site_name": settings.INSTITUTION_NAME,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        super().save(
            subject_template_name="core/password_reset_subject.txt",
            email_template_name="core/password_reset_email.txt",
            extra_email_context=extra,
            **kwargs,
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's message, sent and audited (a mail server that refuses it is logged, not raised)."""
        from xiaobao.core.services.accounts import password_reset_sent

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        try:
            EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
        except Exception:  # the queue must go on; the audit row records the failure
            log.exception("password reset e-mail to user %s could not be sent", context["user"].pk)
            ok = False
        else:
            ok = True
        password_reset_sent(user=context["user"], ok=ok)


class ResetSetPasswordForm(SetPasswordForm):
    """The new password chosen through a reset link: Django's form (the password validators apply), saved
    through the accounts service (audited; every session of the user ends)."""

    def save(self, commit: bool = True) -> Any:
        from xiaobao.core.services.accounts import password_reset_complete

        return password_reset_complete(user=self.user, password=self.cleaned_data["new_password1"])


class ApiTokenForm(forms.Form):
    """The name of a new API token (a form, so a NUL byte or an overlong name is a field error)."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class TwoFactorForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{6}\s*$",
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class TwoFactorDisableForm(TwoFactorForm):
    """Turning two-factor login off takes the current password and a code, not only a session."""

    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]


class OrgUnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnitKind.choices)
    region_code = forms.CharField(label=_("Region code"), max_length=12, required=False)
    sort_order = forms.IntegerField(
        label=_("Sort order"), initial=0, required=False, min_value=-100000, max_value=100000
    )

    def __init__(self, *args: Any, user: Any, with_parent: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_parent:
            self.fields["parent"] = unit_field(user, _("Parent unit"))
        else:
            del self.fields["kind"]


class MoveForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = unit_field(user, _("New parent unit"))


class FiguresForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    retail_customers = forms.IntegerField(label=_("Retail customers"), min_value=0, max_value=2_000_000_000)
    outlets = forms.IntegerField(label=_("Outlets"), min_value=0, max_value=1_000_000)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = f.read(4)
        f.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("The file is not an Excel workbook (.xlsx)."))
        return f


def role_choices() -> list[tuple[str, str]]:
    return [(code, str(role.name)) for code, role in ROLES.items()]


class UserForm(forms.Form):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$")
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    email = forms.EmailField(label=_("E-mail"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=role_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Initial password"), strip=False, widget=forms.PasswordInput, required=False
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_field(user, _("Unit"))
        self.order_fields(["username", "full_name", "email", "org_unit", "roles", "is_active", "password"])
        if editing:
            del self.fields["username"]
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)


class ConsumerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsumerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    account_number = forms.CharField(label=_("Account or card number"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_c3],
        max_length=2000,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_field(user, _("Registering unit"))
        self.order_fields(["org_unit"])


class LookupForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Find by"),
        choices=[
            ("id_number", _("ID number")),
            ("phone", _("Phone")),
            ("account_number", _("Account or card number")),
        ],
    )
    value = forms.CharField(label=_("Value"), max_length=40)


class VisibleTextField(forms.CharField):
    """Text whose length counts only what a reader sees (zero-width and other invisible characters removed,
    whitespace runs made one space)."""

    def to_python(self, value: Any) -> str:
        return visible_text(super().to_python(value))


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("id_number", "id_number"),
            ("phone", "phone"),
            ("account_number", "account_number"),
            ("address", "address"),
        ]
    )
    reason = VisibleTextField(label=_("Reason"), min_length=4, max_length=500)


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=32)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from xiaobao.core.models.audit import AuditAction

        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "—"), *AuditAction.choices]
