"""`xiaobao sla_sweep [--loop] [--interval S] [--max-loops N]`: run the SLA sweeper once or forever."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from xiaobao.complaints.sweeper import SweepReport, sla_sweep

logger = logging.getLogger("xiaobao.complaints.sweeper")


def _drop_stale_connections() -> None:
    """Close broken or expired connections between sweeps, as Django does between requests.

    Never inside a transaction (a test wraps the whole command in one): that connection must stay open.
    """
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Warn before SLA deadlines, mark breaches, escalate overdue complaints and e-mail the digest. "
        "Safe to run in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument(
            "--interval", type=float, default=300.0, help="Seconds between sweeps with --loop (default 300)."
        )
        parser.add_argument("--max-loops", type=int, default=0, help="Stop after N sweeps (0: never).")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["loop"]:
            self._report(sla_sweep())
            return
        done = 0
        while True:
            self._sweep_safely()
            done += 1
            if opts["max_loops"] and done >= opts["max_loops"]:
                return
            time.sleep(max(0.0, opts["interval"]))

    def _sweep_safely(self) -> None:
        """One sweep of the loop: an error is logged and the loop goes on (the next sweep retries)."""
        _drop_stale_connections()
        try:
            self._report(sla_sweep())
        except Exception:
            logger.exception("SLA sweep failed; retrying at the next interval")
        finally:
            _drop_stale_connections()

    def _report(self, report: SweepReport) -> None:
        self.stdout.write(f"sla_sweep: {report}")
