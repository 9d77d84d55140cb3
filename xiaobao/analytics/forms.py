from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.analytics.periods import Period


class DashboardForm(forms.Form):
    """Period (2026-10, 2026-Q3, 2026-H1, 2026 or a range), unit code, and the time-series grain."""

    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=40,
        help_text=_("2026-10, 2026-Q3, 2026-H1, 2026 or 2026-10-01..2026-10-31"),
    )
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    grain = forms.ChoiceField(
        label=_("Volume by"),
        required=False,
        choices=[("", _("automatic")), ("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period") or ""
        if not text.strip():  # the last full month: the current one is not over (a few days against a month)
            return Period.containing("month", timezone.localdate()).previous()
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period")
        if isinstance(period, Period) and data.get("grain") == "day" and period.days > 400:
            self.add_error("grain", _("Choose week or month for periods longer than 400 days."))
        return data


def quick_periods() -> list[tuple[str, str]]:
    today = timezone.localdate()
    month = Period.containing("month", today)
    return [
        (str(_("This month")), month.label),
        (str(_("Last month")), month.previous().label),
        (str(_("This quarter")), Period.containing("quarter", today).label),
        (str(_("Last quarter")), Period.containing("quarter", today).previous().label),
        (str(_("This year")), Period.containing("year", today).label),
        (str(_("Last year")), Period.containing("year", today).previous().label),
    ]
