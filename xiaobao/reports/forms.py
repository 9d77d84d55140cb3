"""Forms of the reports pages: ask for a report, upload a template. Choices come from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.core.forms import UnitChoiceField
from xiaobao.reports.choices import TEMPLATE_KINDS, ReportKind
from xiaobao.reports.models import TEMPLATE_KIND_CHOICES
from xiaobao.reports.selectors import report_units, template_list


def period_options(kind: str, today: dt.date) -> list[tuple[str, str]]:
    """Choices of period for the quarterly, disclosure and board reports (most recent first)."""
    out: list[tuple[str, str]] = []
    if kind in (ReportKind.QUARTERLY, ReportKind.INSPECTIONS):
        p = Period.containing("quarter", today)
        for _i in range(12):
            q = (p.start.month - 1) // 3 + 1
            out.append((p.label, _("Q%(quarter)s %(year)s") % {"quarter": q, "year": p.start.year}))
            p = p.previous()
    elif kind == ReportKind.DISCLOSURE:
        out = [(str(y), str(y)) for y in range(today.year, today.year - 6, -1)]
    elif kind == ReportKind.BOARD:
        for y in range(today.year, today.year - 4, -1):
            out.append((str(y), _("Year %(year)s") % {"year": y}))
            for h in (2, 1):
                if dt.date(y, 6 * h - 5, 1) <= today:
                    out.append((f"{y}-H{h}", _("%(year)s, half %(half)s") % {"year": y, "half": h}))
    return out


def default_period(kind: str, today: dt.date) -> str:
    """The last complete month / quarter / year / half-year: what a report is usually asked for."""
    grains: dict[str, str] = {
        ReportKind.MONTHLY: "month",
        ReportKind.QUARTERLY: "quarter",
        ReportKind.DISCLOSURE: "year",
        ReportKind.BOARD: "half",
        ReportKind.INSPECTIONS: "quarter",
    }
    grain = grains.get(kind, "month")
    return Period.containing(grain, today).previous().label


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportKind.choices)
    period = forms.CharField(label=gettext_lazy("Period"), max_length=32)
    org_unit = UnitChoiceField(queryset=None, label=gettext_lazy("Unit"), to_field_name="code")  # type: ignore[arg-type]
    template: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label=gettext_lazy("Template"),
        required=False,
        empty_label=gettext_lazy("Built-in layout"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = report_units(user=user).only("id", "name", "code", "depth", "path")
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["template"].queryset = template_list(user=user, active_only=True)  # type: ignore[attr-defined]
        if not self.is_bound and user.org_unit_id:
            own = units.filter(pk=user.org_unit_id).first() or units.first()
            self.initial.setdefault("org_unit", own.code if own else None)

    @property
    def templates_apply(self) -> bool:
        return (self["kind"].value() or ReportKind.MONTHLY) in TEMPLATE_KINDS


class TemplateUploadForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=TEMPLATE_KIND_CHOICES)
    # its own context: the bare msgid "Description" is the complaint form's (投诉事项描述)
    description = forms.CharField(
        label=pgettext_lazy("report template", "Description"), max_length=300, required=False
    )
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
