"""Editing retention rules (the periods are data: regulations.md §5.4 confirms few of them); audited."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaobao.core.models import RecordType, RetentionRule
from xiaobao.core.services.audit import audit_change, snapshot

_PERIOD = re.compile(r"^\s*(\d{1,5})\s*([yd])\s*$", re.IGNORECASE)


def parse_period(text: str) -> dict[str, int | None]:
    """'3y' → {'years': 3, 'days': None}, '90d' → {'years': None, 'days': 90}; else a field error."""
    m = _PERIOD.match(text or "")
    n = int(m.group(1)) if m else 0
    if not m or n < 1 or (m.group(2).lower() == "y" and n > 100):
        raise ValidationError(
            {"period": [_("Give the period as a number of years or days, e.g. 3y or 90d (at least 1).")]}
        )
    return {"years": n, "days": None} if m.group(2).lower() == "y" else {"years": None, "days": n}


def known_record_types() -> set[str]:
    """Core's record types and those modules declare (`Module.retention`, e.g. "sales_recording")."""
    from xiaobao.casework.registry import modules

    return set(RecordType.values) | {t for r in modules() for t in r.module.retention}


@transaction.atomic
def retention_rule_set(
    *,
    actor: Any,
    record_type: str,
    period: str | None = None,
    source: str | None = None,
    active: bool | None = None,
) -> RetentionRule:
    """Change one record type's rule (created when missing: a period is then required)."""
    if record_type not in known_record_types():
        raise ValidationError({"record_type": [_("Unknown record type: %(t)s") % {"t": record_type}]})
    rule = RetentionRule.objects.select_for_update().filter(record_type=record_type).first()
    if rule is None and period is None:
        raise ValidationError({"period": [_("A new rule needs a period.")]})
    before = snapshot(rule) if rule else None
    rule = rule or RetentionRule(record_type=record_type)
    if period is not None:
        for name, value in parse_period(period).items():
            setattr(rule, name, value)
    if source is not None:
        rule.source_document = source.strip()[:200]
    if active is not None:
        rule.is_active = active
    rule.full_clean(exclude=None if record_type in RecordType.values else ["record_type"])
    rule.save()
    audit_change(actor=actor, obj=rule, before=before)
    return rule
