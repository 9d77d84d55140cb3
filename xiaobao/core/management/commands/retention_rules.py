"""`xiaobao retention_rules [--set TYPE=PERIOD] [--source TYPE=TEXT] [--on TYPE] [--off TYPE]`.

Lists the retention rules (record type, period, purge on/off, source), after applying the changes given.
A period is years or days: 3y, 90d. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.models import RecordType, RetentionRule
from xiaobao.core.services.retention import retention_rule_set


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise CommandError(f"expected TYPE=VALUE, got {text!r}", returncode=2)
    return key.strip(), value


class Command(BaseCommand):
    help = "List the retention rules, or change them: --set complaint=3y --set report_file=365d."

    def add_arguments(self, parser: CommandParser) -> None:
        types = ", ".join(RecordType.values)
        parser.add_argument(
            "--set", action="append", default=[], help=f"TYPE=PERIOD (3y, 90d); types: {types}"
        )
        parser.add_argument("--source", action="append", default=[], help="TYPE=where the period comes from")
        parser.add_argument("--on", action="append", default=[], help="purge TYPE when due")
        parser.add_argument("--off", action="append", default=[], help="keep TYPE (no purge)")

    def handle(self, *args: Any, **opts: Any) -> None:
        changes: list[dict[str, Any]] = []
        changes += [{"record_type": t, "period": p} for t, p in map(_pair, opts["set"])]
        changes += [{"record_type": t, "source": s} for t, s in map(_pair, opts["source"])]
        changes += [{"record_type": t, "active": True} for t in opts["on"]]
        changes += [{"record_type": t, "active": False} for t in opts["off"]]
        for change in changes:
            try:
                retention_rule_set(actor=None, **change)
            except ValidationError as exc:
                msg = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                raise CommandError(msg, returncode=2) from exc
        for rule in RetentionRule.objects.order_by("record_type"):
            state = "on " if rule.is_active else "off"
            self.stdout.write(f"{rule.record_type:<13} {rule.period:<10} {state} {rule.source_document}")
