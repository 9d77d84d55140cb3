"""The complaint list as spreadsheet rows: masked complainant name only, never ID numbers or phones.

Free text (request, description) stays out too: it is where personal details end up. Cells are passed to
`xiaobao.core.exports.xlsx_response`, which neutralises anything a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from xiaobao.complaints.choices import ClockState, Liability, Priority, Source, Status
from xiaobao.complaints.models import Complaint


def _label(choices: Any, value: str | None) -> str:
    return str(dict(choices.choices).get(value, value or ""))


def complaint_sheet(complaints: Iterable[Complaint]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for rows of `selectors.complaint_list` (annotated with the decision clock)."""
    headers = [
        _("Reference"),
        _("Received at"),
        _("Day of receipt"),
        _("Source"),
        _("Channel"),
        _("Business type"),
        _("Cause"),
        _("Responsible unit"),
        _("Status"),
        _("Handler"),
        _("Complainant"),
        _("Product"),
        _("Amount in dispute"),
        _("Decision due"),
        _("Decision clock"),
        _("Major"),
        _("Priority"),
        _("Liability"),
        _("Closed at"),
    ]
    rows = [
        [
            c.reference,
            c.received_at,
            c.receipt_date,
            _label(Source, c.source),
            str(c.channel),
            str(c.business_type),
            str(c.cause),
            f"{c.org_unit.name} ({c.org_unit.code})",
            _label(Status, c.status),
            c.handler.username if c.handler else "",
            c.complainant.masked_name,
            c.product,
            float(c.amount_in_dispute) if c.amount_in_dispute is not None else None,
            getattr(c, "decision_due", None),
            _label(ClockState, getattr(c, "decision_state", None)),
            _("yes") if c.is_major else "",
            _label(Priority, c.priority),
            _label(Liability, c.liability) if c.liability else "",
            c.closed_at,
        ]
        for c in complaints
    ]
    return headers, rows
