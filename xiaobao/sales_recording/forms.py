"""Forms of the sales-recording pages: the progress period and drawing a quarterly sample."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.core.forms import unit_field
from xiaobao.sales_recording.choices import ProductKind
from xiaobao.sales_recording.models import SamplingRule

QUARTERS = [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]


class ProgressForm(forms.Form):
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class DrawForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)
    rule = forms.ModelChoiceField(
        SamplingRule.objects.filter(is_active=True), label=_("Sampling rule"), to_field_name="code"
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**62 - 1,
        help_text=_("Leave empty for a new random seed; the seed is stored so the draw can be repeated."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, _("Unit (its sales and those of its sub-units)"))
        self.order_fields(["unit", "year", "quarter", "rule", "seed"])


class RuleForm(forms.Form):
    """A sampling rule: either a share or a count; must-check conditions as JSON."""

    name = forms.CharField(label=_("Name"), max_length=100)
    share_percent = forms.DecimalField(
        label=_("Share (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    count = forms.IntegerField(label=_("Count"), required=False, min_value=1)
    min_per_unit = forms.IntegerField(label=_("At least per unit"), min_value=0, max_value=10000)
    product_kinds = forms.MultipleChoiceField(
        label=_("Product kinds sampled (none: all)"),
        choices=ProductKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    must_check = forms.CharField(
        label=_("Always checked (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('E.g. [{"applicant_age_gte": 60}]: every sale meeting one of the conditions is checked.'),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    source_document = forms.CharField(label=_("Source"), max_length=300, required=False)

    def clean_must_check(self) -> Any:
        text = (self.cleaned_data.get("must_check") or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Not valid JSON.")) from None

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        data = {name: getattr(rule, name) for name in cls.base_fields}
        data["must_check"] = json.dumps(rule.must_check or [], ensure_ascii=False)
        return data
