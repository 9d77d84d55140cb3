"""The subscription form: the event types as checkboxes grouped by module (with each module's wildcard and
"every event"), the unit as a picker limited to the user's scope. The URL's policy check is the service's
(`core.outbound.check_url`), shown as the field's error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.forms import unit_field
from xiaobao.core.pickers import use_picker
from xiaobao.core.scoping import ALL, user_scope
from xiaobao.core.validators import visible_text
from xiaobao.webhooks import catalogue
from xiaobao.webhooks.models import Subscription


def event_groups() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """(None, [every event]), then per module: (its name, [its wildcard, its event types])."""
    out: list[tuple[Any, list[tuple[str, Any]]]] = [
        (None, [(catalogue.ALL, catalogue.label_of(catalogue.ALL))])
    ]
    for g in catalogue.groups():
        out.append(
            (g.label, [(g.wildcard, catalogue.label_of(g.wildcard)), *((t.code, t.label) for t in g.types)])
        )
    return out


def event_choices() -> list[tuple[Any, Any]]:
    """The same as choices (optgroups per module) for the field's validation."""
    return [(label, options) if label else options[0] for label, options in event_groups()]


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("webhook", "Name"), max_length=100)
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_(
            "http:// or https:// only. Internal addresses are refused unless the system administrator allows "
            "them (XIAOBAO_OUTBOUND_ALLOWED_HOSTS); cloud metadata and link-local addresses never."
        ),
    )
    org_unit = forms.Field(required=False)  # replaced in __init__
    event_types = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=pgettext_lazy("webhook", "Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, instance: Subscription | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "url": instance.url,
                "org_unit": instance.org_unit_id,
                "event_types": list(instance.event_types or []),
                "is_active": instance.is_active,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        whole = user_scope(user) == ALL
        field = unit_field(user, _("Unit"), required=not whole)
        field.help_text = Subscription._meta.get_field("org_unit").help_text
        self.fields["org_unit"] = field
        use_picker(field, "unit")
        events = self.fields["event_types"]
        assert isinstance(events, forms.MultipleChoiceField)
        events.choices = event_choices()
        if instance is None:
            del self.fields["is_active"]

    def clean_name(self) -> str:
        return str(visible_text(self.cleaned_data["name"]))

    def clean_url(self) -> str:
        return str(self.cleaned_data["url"]).strip()

    def to_data(self) -> dict[str, Any]:
        data = {
            "name": self.cleaned_data["name"],
            "url": self.cleaned_data["url"],
            "org_unit": self.cleaned_data.get("org_unit"),
            "event_types": list(self.cleaned_data["event_types"]),
        }
        if "is_active" in self.fields:
            data["is_active"] = bool(self.cleaned_data.get("is_active"))
        return data
