"""`xiaobao audit_seal [--loop] [--interval S] [--max-loops N] | --keygen`: chain the audit trail's new rows.

Run it as its own service (`--loop`), as a system user that can read the audit key and write the head
directory — which the database user and the web application must not be able to write.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from xiaobao.core.services.audit_chain import AuditChainError, SealReport, audit_seal, generate_key, head_path

logger = logging.getLogger("xiaobao.core.audit")


class Command(BaseCommand):
    help = (
        "Seal the audit trail: chain the rows written since the last run under the audit key and export "
        "the chain's head outside the database. Fails if the database is behind the exported head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sealing until stopped.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between runs with --loop (default 5)."
        )
        parser.add_argument("--max-loops", type=int, default=0, help="Stop after N runs (0: never).")
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
        done = 0
        while True:
            self._seal_safely()
            done += 1
            if opts["max_loops"] and done >= opts["max_loops"]:
                return
            time.sleep(max(0.0, opts["interval"]))

    def _seal_safely(self) -> None:
        """One run of the loop: an error is logged and the loop goes on (the next run retries)."""
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            self._report(audit_seal())
        except Exception:
            logger.exception("audit sealing failed; retrying at the next interval")

    def _report(self, report: SealReport) -> None:
        tail = report.tail or {}
        path = head_path()
        self.stdout.write(
            f"audit_seal: {report.sealed} rows sealed; head #{tail.get('id')} position {tail.get('seq')}"
            + (f", exported to {path}" if path else ", not exported (no head directory)")
        )
