from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaobao.core.services.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Seal pending rows, then verify the audit trail's keyed hash chain against the head exported outside "
        "the database; exits 1 and names the first broken row if it was tampered with."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        report = audit_verify()
        if report.broken_id is not None:
            raise CommandError(
                f"audit chain BROKEN at row {report.broken_id}: {report.reason} "
                f"({report.checked} rows before it are intact)"
            )
        head = report.head
        self.stdout.write(
            f"audit chain intact: {report.checked} rows verified"
            + (f", up to and past the exported head #{head['id']}" if head else ", no exported head to check")
            + (f"; {report.unsealed} rows written meanwhile are not sealed yet" if report.unsealed else "")
        )
