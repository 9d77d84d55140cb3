"""`xiaobao audit_seal [--loop] [--interval S] [--max-loops N] | --keygen`: chain the audit trail's new rows.

Run it as its own service (`--loop`), as a system user that can read the audit key and write the head
directory — which the database user and the web application must not be able to write.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.periodic import add_loop_arguments, run_loop
from xiaobao.core.services.audit_chain import AuditChainError, SealReport, audit_seal, generate_key, head_path

logger = logging.getLogger("xiaobao.core.audit")


class Command(BaseCommand):
    help = (
        "Seal the audit trail: chain the rows written since the last run under the audit key and export "
        "the chain's head outside the database. Fails if the database is behind the exported head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, runs="runs", interval=5.0)
        parser.add_argument("--keygen", action="store_true", help="Print a new audit key (base64) and exit.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["keygen"]:
            self.stdout.write(generate_key())
            return
        if not opts["loop"]:
            try:
                self._report(audit_seal())
            except AuditChainError as e:
                raise CommandError(f"audit chain NOT sealed: {e}") from e
            return
        run_loop(lambda: self._report(audit_seal()), opts=opts, logger=logger, what="audit sealing")

    def _report(self, report: SealReport) -> None:
        tail = report.tail or {}
        path = head_path()
        self.stdout.write(
            f"audit_seal: {report.sealed} rows sealed; head #{tail.get('id')} position {tail.get('seq')}"
            + (f", exported to {path}" if path else ", not exported (no head directory)")
        )
