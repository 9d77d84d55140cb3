"""The warning list as spreadsheet rows. Warnings carry no personal data; the free-text acknowledgement note
stays out all the same (free text is where personal details end up). Cells go through
`xiaobao.core.exports`, which neutralises anything a spreadsheet would run as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from xiaobao.early_warning.models import EarlyWarning


def warning_sheet(warnings: Iterable[EarlyWarning]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Created at"),
        _("Kind"),
        _("Unit"),
        _("Unit code"),
        _("Category"),
        _("From"),
        _("To"),
        _("Count"),
        _("Baseline per day"),
        _("Limit"),
        _("Warning"),
        _("State"),
        _("Acknowledged by"),
        _("Acknowledged at"),
    ]
    rows = [
        [
            w.created_at,
            w.get_kind_display(),
            w.org_unit.name,
            w.org_unit.code,
            " ".join(x for x in (w.category_code, w.category_label) if x),
            w.period_start,
            w.period_end,
            w.count,
            round(w.baseline, 2) if w.baseline is not None else None,
            w.threshold,
            w.summary(),
            _("Open") if w.is_open else _("Acknowledged"),
            w.acknowledged_by.username if w.acknowledged_by else "",
            w.acknowledged_at,
        ]
        for w in warnings
    ]
    return headers, rows
