"""Forms of the checker's pages: the rule list's filter, the rule editor, the test bench. The service
validates again (regexes, codes, kinds); these shape the input: one term or pattern per line."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.checker.models import (
    LABEL_CHOICES,
    MATERIAL_CHOICES,
    PRODUCT_KIND_CHOICES,
    CheckRule,
    RuleKind,
    RuleStatus,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINES = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

STATE_CHOICES = [
    ("", "—"),
    ("active", pgettext_lazy("checker rule", "In force")),
    ("pending", pgettext_lazy("checker rule", "Pending")),
    ("draft", pgettext_lazy("checker rule", "Draft")),
    ("expired", pgettext_lazy("checker rule", "Ended")),
    ("retired", pgettext_lazy("checker rule", "Retired")),
]


class RuleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    label = forms.ChoiceField(label=_("Label"), choices=[("", "—"), *LABEL_CHOICES], required=False)
    state = forms.ChoiceField(label=pgettext_lazy("checker", "Status"), choices=STATE_CHOICES, required=False)


class LinesField(forms.CharField):
    """A textarea holding one entry per line → a list of trimmed, non-empty lines."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", LINES)
        kwargs.setdefault("max_length", 100_000)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class RuleForm(forms.Form):
    """A rule's fields; the code only when the rule is new."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; cannot be changed later."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    label = forms.ChoiceField(label=_("Label"), choices=LABEL_CHOICES)
    severity = forms.ChoiceField(label=pgettext_lazy("checker", "Severity"), choices=Severity.choices)
    kind = forms.ChoiceField(label=pgettext_lazy("checker", "Rule kind"), choices=RuleKind.choices)
    status = forms.ChoiceField(label=pgettext_lazy("checker", "Status"), choices=RuleStatus.choices)
    effective_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=DATE,
        help_text=_("Empty: at once. A later day: the rule is pending until then."),
    )
    effective_to = forms.DateField(label=_("Effective to"), required=False, widget=DATE)
    terms = LinesField(label=_("Terms"), help_text=_("One term per line, matched literally."))
    patterns = LinesField(label=_("Patterns"), help_text=_("One regular expression per line."))
    exceptions = LinesField(
        label=_("Exceptions"),
        help_text=_("One regular expression per line: a hit whose context matches one is no finding."),
    )
    required = LinesField(
        label=_("Required statements"),
        help_text=_("Required-statement rules: one regular expression per line; one of them must appear."),
    )
    near = LinesField(
        label=_("Triggers"),
        help_text=_("The statement must stand in the same paragraph as one of these (regular expressions)."),
    )
    product_kinds = forms.MultipleChoiceField(
        label=_("Product kinds"),
        choices=PRODUCT_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every product kind."),
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials"),
        choices=MATERIAL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: both."),
    )
    params = forms.CharField(
        label=_("Parameters (JSON)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            'Numeric rules: a JSON object, e.g. {"check": "min_months", "min": 6} or '
            '{"check": "max_percent", "default": 3.5, "caps": {"分红": 3.0}}.'
        ),
    )
    source = forms.CharField(
        label=_("Legal source"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    suggestion = forms.CharField(
        label=_("Suggested fix"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("What changed and why"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, rule: CheckRule | None = None, **kwargs: Any) -> None:
        self.rule = rule
        if rule is not None:
            initial = {name: getattr(rule, name) for name in self.base_fields if hasattr(rule, name)}
            initial["params"] = json.dumps(rule.params, ensure_ascii=False) if rule.params else ""
            initial["version"] = rule.version
            initial["note"] = ""
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if rule is not None:
            del self.fields["code"]
        for name, field in self.fields.items():  # a list's box as tall as its lines (2 to 14)
            if isinstance(field, LinesField):
                value = self.data.get(name) if self.is_bound else self.initial.get(name)
                lines = len(value) if isinstance(value, list | tuple) else len(str(value or "").splitlines())
                field.widget = forms.Textarea(
                    attrs={"rows": max(2, min(14, lines + 1)), "spellcheck": "false"}
                )

    def clean_params(self) -> Any:
        raw = (self.cleaned_data.get("params") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Parameters must be a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Parameters must be a JSON object."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.rule is not None and "version" in self.errors:
            self.add_error(None, _("This form is out of date. Reload the page and try again."))
        return data

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("note", "version")}


class BenchForm(forms.Form):
    """Paste text, pick the product kind and material; optionally try drafts and pending rules too."""

    text = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": _("Paste marketing or contract text here.")}),
    )
    product_kind = forms.ChoiceField(label=_("Product kind"), choices=PRODUCT_KIND_CHOICES, initial="wealth")
    material = forms.ChoiceField(label=_("Material"), choices=MATERIAL_CHOICES, initial="marketing")
    on = forms.DateField(
        label=_("Rules in force on"),
        required=False,
        widget=DATE,
        help_text=_("Empty: today."),
    )
    include_unpublished = forms.BooleanField(label=_("Include draft and pending rules"), required=False)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if "\x00" in text:
            raise forms.ValidationError(_("Null characters are not allowed."))
        if not text.strip():
            raise forms.ValidationError(_("This field is required."))
        return text.replace("\r\n", "\n")

    def clean_on(self) -> Any:
        day = self.cleaned_data.get("on")
        if day is not None and not 2000 <= day.year <= 2200:
            raise forms.ValidationError(_("Enter a date (YYYY-MM-DD)."))
        return day
