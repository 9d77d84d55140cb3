"""Forms of the inspection pages (the plan forms live in plan_forms.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from xiaobao.inspections.choices import ChecklistKind, ItemKind, Severity


class ActionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    """One answer from the fill page (sent by its script as it is given)."""

    value = forms.CharField(max_length=2000, strip=False, required=False)
    note = forms.CharField(max_length=2000, required=False)
    given_at = forms.DateTimeField(required=False)


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo"))
    item = forms.CharField(max_length=40, required=False)


class FindingFilter(forms.Form):
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices], required=False)
    repeat = forms.NullBooleanField(
        label=_("Repeat finding"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )


class RatingBandForm(forms.Form):
    """The minimum percentage of each star level."""

    def __init__(self, *args: Any, initial_bands: dict[int, Decimal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stars in range(5, 0, -1):
            self.fields[f"stars_{stars}"] = forms.DecimalField(
                label=_("%(n)d stars from (%%)") % {"n": stars},
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=(initial_bands or {}).get(stars),
            )

    def bands(self) -> dict[int, Decimal]:
        return {s: self.cleaned_data[f"stars_{s}"] for s in range(1, 6)}


KIND_CHOICES = ChecklistKind.choices
ITEM_KIND_CHOICES = ItemKind.choices
EMPTY_ITEM_ROWS = 2  # blank item rows offered under each section of the editor
BOOL_FIELDS = ("critical", "gating", "photo_required")


def checklist_from_post(post: QueryDict) -> dict[str, Any]:
    """The editor's flat fields (`s-0-name`, `s-0-i-3-text`, …) as the nested checklist input. Rows with no
    text (items) or no name (sections) are left out: that is how a row is removed or left unused."""
    sections = []
    for si in range(60):
        prefix = f"s-{si}-"
        if f"{prefix}name" not in post:
            continue
        items = []
        for ii in range(220):
            ip = f"{prefix}i-{ii}-"
            if f"{ip}text" not in post:
                continue
            if not post.get(f"{ip}text", "").strip():
                continue
            items.append(
                {
                    "code": post.get(f"{ip}code", "").strip(),
                    "text": post.get(f"{ip}text", "").strip(),
                    "kind": post.get(f"{ip}kind", "yes_no"),
                    "max_score": post.get(f"{ip}max_score", "1") or "0",
                    "weight": post.get(f"{ip}weight", "1") or "1",
                    "guidance": post.get(f"{ip}guidance", "").strip(),
                    **{b: post.get(f"{ip}{b}") == "on" for b in BOOL_FIELDS},
                }
            )
        if not post.get(f"{prefix}name", "").strip() and not items:
            continue
        sections.append(
            {
                "code": post.get(f"{prefix}code", "").strip(),
                "name": post.get(f"{prefix}name", "").strip(),
                "weight": post.get(f"{prefix}weight", "1") or "1",
                "gate_item_code": post.get(f"{prefix}gate_item_code", "").strip(),
                "items": items,
            }
        )
    return {
        "code": post.get("code", "").strip(),
        "name": post.get("name", "").strip(),
        "kind": post.get("kind", ""),
        "description": post.get("description", "").strip(),
        "sections": sections,
    }


def editor_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested input with blank rows added (items under each section, one more section) for the editor."""
    blank_item = {"code": "", "text": "", "kind": "yes_no", "max_score": 1, "weight": 1, "guidance": ""}
    out = []
    for sec in [
        *data.get("sections", []),
        {"code": "", "name": "", "weight": 1, "gate_item_code": "", "items": []},
    ]:
        out.append({**sec, "items": [*sec.get("items", []), *([blank_item] * EMPTY_ITEM_ROWS)]})
    return out
