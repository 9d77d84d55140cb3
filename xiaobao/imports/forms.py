"""Forms of the import pages: upload, the mapping screen (columns, defaults, options), the preset editor.

The value tables are lists of (source value, our value) rows posted as parallel lists `src-<dimension>` /
`dst-<dimension>`; `posted_value_maps` reads them back (rows not shown on the page are kept as they were).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.choices import Source
from xiaobao.complaints.models import ComplaintCode
from xiaobao.core.forms import unit_field
from xiaobao.imports.kinds import COMPLAINTS, ImportKind
from xiaobao.imports.models import ImportJob, ImportPreset
from xiaobao.imports.targets import (
    CODE_DIMENSIONS,
    DATE_ORDER_CHOICES,
    LIABILITY_CHOICES,
    STATUS_CHOICES,
    TARGETS,
    Target,
    norm_value,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
TABLE_DIMENSIONS = ("business_type", "cause", "channel", "status", "special_groups")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    preset = forms.ModelChoiceField(
        ImportPreset.objects.all(), label=_("Preset"), to_field_name="name", empty_label=None
    )
    received_on = forms.DateField(
        label=_("Default date of receipt"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For rows without a date (files with no date column)."),
    )
    skip_invalid = forms.BooleanField(label=_("Skip invalid rows and import the valid ones"), required=False)

    def __init__(self, *args: Any, user: Any, kind: ImportKind | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = kind.code if kind else COMPLAINTS
        self.fields["preset"].queryset = ImportPreset.objects.filter(kind=code)  # type: ignore[attr-defined]
        unit_label = kind.unit_label if kind and kind.unit_label else _("Unit the complaints belong to")
        self.fields["org_unit"] = unit_field(user, unit_label)
        self.order_fields(["file", "preset", "org_unit", "received_on", "skip_invalid"])
        if not self.is_bound:
            self.initial.setdefault("org_unit", getattr(user, "org_unit_id", None))


def code_choices(dimension: str) -> list[tuple[str, str]]:
    return [
        (code, f"{code} {name}")
        for code, name in ComplaintCode.objects.active().of(dimension).values_list("code", "name")
    ]


class BaseDefaultsForm(forms.Form):
    """Defaults and options of a mapping, of any kind: `DEFAULT_KEYS` are the fields kept in `defaults`."""

    DEFAULT_KEYS: tuple[str, ...] = ()

    def __init__(self, *args: Any, defaults: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for key in self.DEFAULT_KEYS:
                if key in defaults:
                    self.initial[key] = defaults[key]

    def defaults(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) or "" for key in self.DEFAULT_KEYS}


class DefaultsForm(BaseDefaultsForm):
    """Defaults and options of a complaints mapping (shared by the mapping screen and the preset editor)."""

    source = forms.ChoiceField(label=_("Source of the complaints"), choices=Source.choices)
    status = forms.ChoiceField(label=_("Status when the file has none"), choices=STATUS_CHOICES)
    liability = forms.ChoiceField(
        label=_("Liability when the file has none"), choices=LIABILITY_CHOICES, required=False
    )
    date_order = forms.ChoiceField(label=_("Order of day and month"), choices=DATE_ORDER_CHOICES)
    external_prefix = forms.CharField(
        label=_("Prefix of external IDs"),
        max_length=20,
        required=False,
        help_text=_("Stored as prefix + ID, e.g. cfpb:3571115; the same ID is never imported twice."),
    )
    list_separator = forms.CharField(label=_("Separator of several values"), max_length=3, initial=",")
    complainant_name = forms.CharField(
        label=_("Complainant name when the file has none"), max_length=100, initial="匿名"
    )

    DEFAULT_KEYS = (
        *CODE_DIMENSIONS,
        "source",
        "status",
        "liability",
        "date_order",
        "external_prefix",
        "list_separator",
        "complainant_name",
    )

    def __init__(self, *args: Any, defaults: dict[str, Any], **kwargs: Any) -> None:
        labels = {
            "business_type": _("Business type when not in the table (other)"),
            "cause": _("Cause when not in the table (other)"),
            "channel": _("Channel when not in the table (other)"),
        }
        super().__init__(*args, defaults=defaults, **kwargs)
        for dim in CODE_DIMENSIONS:
            self.fields[dim] = forms.ChoiceField(label=labels[dim], choices=code_choices(dim))


class MappingFields(forms.Form):
    """The mapping screen of any kind: which column feeds which of the kind's `targets`, and the run options;
    combined with the kind's defaults form (`class MappingForm(MappingFields, DefaultsForm)`)."""

    targets: Sequence[Target] = TARGETS
    received_on = forms.DateField(label=_("Default date of receipt"), required=False, widget=DATE_INPUT)
    skip_invalid = forms.BooleanField(label=_("Skip invalid rows and import the valid ones"), required=False)
    preset_name = forms.CharField(label=_("Save as preset named"), max_length=60, required=False)

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, defaults=job.defaults or {}, **kwargs)  # type: ignore[call-arg]
        headers = [h for h in job.profile.get("headers", []) if h]
        choices = [("", _("— not in the file —")), *[(h, h) for h in headers]]
        for t in self.targets:
            self.fields[f"col_{t.name}"] = forms.ChoiceField(
                label=t.label, choices=choices, required=False, help_text=t.help
            )
        if not self.is_bound:
            self.initial.update({f"col_{f}": h for f, h in (job.columns or {}).items()})
            self.initial.update({"received_on": job.received_on, "skip_invalid": job.skip_invalid})

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{t.name}"] for t in self.targets]

    def default_fields(self) -> list[forms.BoundField]:
        return [self[k] for k in self.DEFAULT_KEYS]  # type: ignore[attr-defined]

    def columns(self) -> dict[str, str]:
        return {
            t.name: self.cleaned_data[f"col_{t.name}"]
            for t in self.targets
            if self.cleaned_data.get(f"col_{t.name}")
        }


class MappingForm(MappingFields, DefaultsForm):
    """The complaints mapping screen: which column feeds which field, defaults, and the run options."""


class PresetFields(forms.Form):
    """The preset editor of any kind (header aliases per target), combined with the kind's defaults form."""

    targets: Sequence[Target] = TARGETS
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(
        label=_("What the preset is for"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
    )

    def __init__(self, *args: Any, preset: ImportPreset, **kwargs: Any) -> None:
        super().__init__(*args, defaults=preset.defaults or {}, **kwargs)  # type: ignore[call-arg]
        for t in self.targets:
            self.fields[f"col_{t.name}"] = forms.CharField(
                label=t.label,
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=t.help,
            )
        if not self.is_bound:
            self.initial.update({"name": preset.name, "description": preset.description})
            self.initial.update({f"col_{f}": "\n".join(a) for f, a in (preset.columns or {}).items()})
        self.order_fields(["name", "description"])

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{t.name}"] for t in self.targets]

    def default_fields(self) -> list[forms.BoundField]:
        return [self[k] for k in self.DEFAULT_KEYS]  # type: ignore[attr-defined]

    def columns(self) -> dict[str, list[str]]:
        out = {}
        for t in self.targets:
            aliases = [a.strip() for a in (self.cleaned_data.get(f"col_{t.name}") or "").splitlines()]
            if any(aliases):
                out[t.name] = [a for a in aliases if a]
        return out


class PresetForm(PresetFields, DefaultsForm):
    """The complaints preset editor."""


def posted_value_maps(
    post: QueryDict, current: dict[str, dict[str, str]], dimensions: Sequence[str] = TABLE_DIMENSIONS
) -> dict[str, dict[str, str]]:
    """The value tables as posted: rows shown on the page replace their entries (an empty choice removes
    one: the value then goes to the default); entries not shown are kept."""
    maps = copy.deepcopy(current or {})
    for dim in dimensions:
        sources = post.getlist(f"src-{dim}")
        targets = {d: post.getlist(f"dst-{d}") for d in ((dim, "liability") if dim == "status" else (dim,))}
        if any(len(values) != len(sources) for values in targets.values()):
            raise ValidationError(
                {"value_maps": [_("The value table %(d)s was not sent whole.") % {"d": dim}]}
            )
        for name, values in targets.items():
            shown = {norm_value(s) for s in sources if s.strip()}
            table = {k: v for k, v in maps.get(name, {}).items() if norm_value(k) not in shown}
            for source, target in zip(sources, values, strict=True):
                source = source.strip()
                if source and (target or name == "liability"):
                    table[source] = target
            maps[name] = table
    return maps
