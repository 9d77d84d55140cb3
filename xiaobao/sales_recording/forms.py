"""Forms of the sales-recording pages: the progress period and drawing a quarterly sample."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.core.forms import unit_field
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
