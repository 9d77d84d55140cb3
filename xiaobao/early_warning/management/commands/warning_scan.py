"""`xiaobao warning_scan [--loop] [--interval S] [--max-loops N] [--day YYYY-MM-DD]`: find early warnings.

Runs beside `sla_sweep` (or from its loop): idempotent and safe in several processes at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from xiaobao.early_warning.scan import ScanReport, warning_scan

logger = logging.getLogger("xiaobao.early_warning.scan")


def _drop_stale_connections() -> None:
    """Close broken or expired connections between scans (never inside a transaction: tests run in one)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Scan complaints for early warnings (spikes, watch words, repeat complainants, group and major "
        "complaints, decisions about to be late) and notify the consumer-protection officers. Safe to run "
        "in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep scanning until stopped.")
        parser.add_argument(
            "--interval", type=float, default=300.0, help="Seconds between scans with --loop (default 300)."
        )
        parser.add_argument("--max-loops", type=int, default=0, help="Stop after N scans (0: never).")
        parser.add_argument("--day", default="", help="Scan as of this day (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **opts: Any) -> None:
        day = self._day(opts["day"])
        if not opts["loop"]:
            self._report(warning_scan(today=day))
            return
        done = 0
        while True:
            self._scan_safely(day)
            done += 1
            if opts["max_loops"] and done >= opts["max_loops"]:
                return
            time.sleep(max(0.0, opts["interval"]))

    @staticmethod
    def _day(value: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError("--day must be YYYY-MM-DD") from exc

    def _scan_safely(self, day: dt.date | None) -> None:
        """One scan of the loop: an error is logged and the loop goes on (the next scan retries)."""
        _drop_stale_connections()
        try:
            self._report(warning_scan(today=day))
        except Exception:
            logger.exception("warning scan failed; retrying at the next interval")
        finally:
            _drop_stale_connections()

    def _report(self, report: ScanReport) -> None:
        self.stdout.write(f"warning_scan: {report}")
