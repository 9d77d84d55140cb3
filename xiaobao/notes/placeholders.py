"""The placeholder syntax of reply templates: `{{name}}` (spaces inside the braces allowed), nothing else.

A deliberately small language: a closed list of names, plain substitution, no filters, tags, attributes or
loops — templates are user input and are never given to the Django template engine. Saving a template with
an unknown name or a malformed `{{ … }}` / `{% … %}` is a field error (`check`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TOKEN = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
BRACES = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\}\}|\{%|%\}", re.DOTALL)

PLACEHOLDERS: dict[str, Any] = {
    "reference": gettext_lazy("complaint reference"),
    "received_on": gettext_lazy("day the complaint was received"),
    "business_type": gettext_lazy("business type (name)"),
    "cause": gettext_lazy("cause (name)"),
    "channel": gettext_lazy("channel (name)"),
    "unit": gettext_lazy("responsible unit"),
    "institution": gettext_lazy("institution's name"),
    "decision_due": gettext_lazy("decision due date"),
    "today": gettext_lazy("today's date"),
    "complainant": gettext_lazy("complainant (masked unless you may reveal it)"),
    "handler": gettext_lazy("handler"),
    "request": gettext_lazy("the complainant's request"),
    "verification": gettext_lazy("drafted: how the facts were verified"),
    "basis": gettext_lazy("drafted: basis and reasons"),
    "result": gettext_lazy("drafted: decision"),
    "remedies": gettext_lazy("drafted: remedies available"),
}


def check(text: str) -> list[str]:
    """Messages about the text's placeholders: unknown names and braces that are not a placeholder."""
    errors: list[str] = []
    for match in BRACES.finditer(text or ""):
        token = TOKEN.fullmatch(match.group(0))
        if token is None:
            errors.append(
                _("“%(text)s” is not a placeholder: write {{name}} with one of the names listed.")
                % {"text": match.group(0)[:40]}
            )
        elif token.group(1) not in PLACEHOLDERS:
            errors.append(_("Unknown placeholder {{%(name)s}}.") % {"name": token.group(1)})
    return errors


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each known placeholder replaced by its value (in one pass: values are never re-read)."""
    return TOKEN.sub(lambda m: str(values.get(m.group(1), m.group(0))), text or "")


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def complaint_values(user: Any, c: Any) -> dict[str, str]:
    """The placeholder values for one complaint as this user may see them (names, never codes)."""
    from xiaobao.notes.institution import institution_name

    reveal = user.has_perm("core.reveal_personal_data")
    return {
        "reference": c.reference,
        "received_on": _day(timezone.localtime(c.received_at).date()),
        "business_type": c.business_type.name,
        "cause": c.cause.name,
        "channel": c.channel.name,
        "unit": c.org_unit.name,
        "institution": institution_name(),
        "decision_due": _day(c.decision_due),
        "today": _day(timezone.localdate()),
        "complainant": c.complainant.name if reveal else c.complainant.masked_name,
        "handler": str(c.handler) if c.handler_id else "",
        "request": c.request,
        "verification": c.decision_verification,
        "basis": c.decision_basis,
        "result": c.decision_result,
        "remedies": c.decision_remedies,
    }
