"""Forms of the fee catalogue pages: a new item with its first fee, a fee change, sending it to its fee
review, publishing under a passed review. The services validate again; these shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.complaints.forms import unit_choice_field
from xiaobao.core.clock import localdate
from xiaobao.fees.choices import Category, PriceBasis
from xiaobao.fees.services import manageable_units

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 2})


class FeeVersionForm(forms.Form):
    """The fields of a fee version: what a change proposes."""

    fee = forms.CharField(
        label=_("Fee"),
        max_length=200,
        help_text=_("As customers read it, e.g. 每笔5元 or 0.5%，最低2元，最高50元."),
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("When the fee is one number; empty for rates, ranges and tiers."),
    )
    amount_unit = forms.CharField(
        label=pgettext_lazy("fee", "Per"), max_length=20, required=False, help_text=_("e.g. 元/笔, 元/年.")
    )
    basis = forms.ChoiceField(label=_("Pricing basis"), choices=PriceBasis.choices, initial=PriceBasis.MARKET)
    basis_document = forms.CharField(
        label=_("Basis document"),
        max_length=300,
        required=False,
        help_text=_("The rule or decision the fee rests on (收费依据)."),
    )
    discounts = forms.CharField(
        label=_("Discounts and waivers"), max_length=2000, required=False, widget=TEXTAREA
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE, initial=localdate)
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=2000, required=False, widget=TEXTAREA
    )

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FeeItemForm(FeeVersionForm):
    """A new catalogue entry and its first fee (a draft change)."""

    code = forms.CharField(label=_("Code"), max_length=32, help_text=_("The catalogue's code, e.g. ZH-001."))
    name = forms.CharField(label=_("Service"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(
        label=_("Service description"), max_length=1000, required=False, widget=TEXTAREA
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(manageable_units(user), _("Unit"))
        self.fields["org_unit"].help_text = _(
            "The unit whose fee it is; the head office's fees apply to the whole institution."
        )
        self.order_fields(["code", "name", "category", "org_unit", "description", "order"])

    def to_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["org_unit"] = d["org_unit"].code
        return d


class SubmitForm(forms.Form):
    note = forms.CharField(label=_("Note for the reviewer"), max_length=2000, required=False, widget=TEXTAREA)


class PublishForm(forms.Form):
    """Publish under a fee review that has passed."""

    review = forms.TypedChoiceField(label=_("Fee review"), coerce=int)

    def __init__(self, *args: Any, reviews: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reviews = {r.pk: r for r in reviews}
        self.fields["review"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(r.pk, f"{r.reference} {r.title} · {r.get_status_display()}") for r in self.reviews.values()],
        ]

    def clean_review(self) -> Any:
        return self.reviews[self.cleaned_data["review"]]
