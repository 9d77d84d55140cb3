"""`xiaobao warning_scan [--loop] [--interval S] [--max-loops N] [--day YYYY-MM-DD]`: find early warnings.

Runs beside `sla_sweep` (or from its loop): idempotent and safe in several processes at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.periodic import add_loop_arguments, run_loop
from xiaobao.early_warning.scan import ScanReport, warning_scan

logger = logging.getLogger("xiaobao.early_warning.scan")


class Command(BaseCommand):
    help = (
        "Scan complaints for early warnings (spikes, watch words, repeat complainants, group and major "
        "complaints, decisions about to be late) and notify the consumer-protection officers. Safe to run "
        "in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, runs="scans", interval=300.0)
        parser.add_argument("--day", default="", help="Scan as of this day (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **opts: Any) -> None:
        day = self._day(opts["day"])
        if not opts["loop"]:
            self._report(warning_scan(today=day))
            return
        run_loop(lambda: self._report(warning_scan(today=day)), opts=opts, logger=logger, what="warning scan")

    @staticmethod
    def _day(value: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError("--day must be YYYY-MM-DD") from exc

    def _report(self, report: ScanReport) -> None:
        self.stdout.write(f"warning_scan: {report}")
