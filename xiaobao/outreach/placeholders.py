"""The placeholders of message templates: `{name}` from a closed list, plain substitution, nothing else.

Templates are administrators' input and go to consumers: they are never given to the Django template engine
and never reach personal data (no name, no phone, no address: the notice goes to the complainant's own
address, and an SMS or e-mail may be read by someone else). Saving a template with an unknown name or a
stray brace is a field error (`check`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TOKEN = re.compile(r"\{([a-z_]+)\}")
BRACE = re.compile(r"[{}]")

PLACEHOLDERS: dict[str, Any] = {
    "reference": gettext_lazy("complaint reference"),
    "received_on": gettext_lazy("day the complaint was received"),
    "due_date": gettext_lazy("decision due date (after an extension: the new one)"),
    "extended_days": gettext_lazy("days allowed after the extension"),
    "business_type": gettext_lazy("business type (name)"),
    "unit": gettext_lazy("responsible unit"),
    "institution": gettext_lazy("institution's name"),
    "superior_unit": gettext_lazy(
        "the unit above the responsible unit (where a review is asked for, Art 20)"
    ),
    "decision": gettext_lazy("the decision"),
    "verification": gettext_lazy("how the facts were verified"),
    "basis": gettext_lazy("basis and reasons"),
    "remedies": gettext_lazy("remedies available"),
    "lookup_url": gettext_lazy("address of the public status page"),
    "today": gettext_lazy("today's date"),
}
SMS_PART = 70  # characters of one SMS in Chinese (UCS-2); longer texts go as several parts of 67


def check(text: str) -> list[str]:
    """Messages about the text's placeholders: unknown names and braces that are not a placeholder."""
    errors: list[str] = []
    rest = TOKEN.sub(lambda m: "" if m.group(1) in PLACEHOLDERS else m.group(0), text or "")
    for match in TOKEN.finditer(rest):
        errors.append(_("Unknown placeholder {%(name)s}.") % {"name": match.group(1)})
    if BRACE.search(TOKEN.sub("", rest)):
        errors.append(_("Braces are only for placeholders: write {name} with one of the names listed."))
    return errors


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each known placeholder replaced by its value (one pass: values are never re-read)."""
    return TOKEN.sub(lambda m: str(values.get(m.group(1), m.group(0))), text or "")


def sms_parts(text: str) -> int:
    """How many messages an SMS of this text is billed as (70 characters alone, 67 per part beyond)."""
    n = len(text or "")
    return 1 if n <= SMS_PART else -(-n // 67)


def _day(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def lookup_url() -> str:
    """The public status page (`/public/complaints/status/`), absolute when the site's address is known."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}/public/complaints/status/"


def institution() -> str:
    from xiaobao.reports.builders import institution_name

    return institution_name()


def complaint_values(c: Any, *, due_date: Any = None, extended_days: Any = None) -> dict[str, str]:
    """The placeholder values of one complaint (names, never codes; no personal data)."""
    unit = c.org_unit
    superior = unit.parent.name if unit.parent_id else institution()
    return {
        "reference": c.reference,
        "received_on": _day(timezone.localtime(c.received_at).date()),
        "due_date": _day(due_date or c.decision_due),
        "extended_days": str(extended_days or ""),
        "business_type": c.business_type.name,
        "unit": unit.name,
        "institution": institution(),
        "superior_unit": superior,
        "decision": c.decision_result,
        "verification": c.decision_verification,
        "basis": c.decision_basis,
        "remedies": c.decision_remedies,
        "lookup_url": lookup_url(),
        "today": _day(timezone.localdate()),
    }
