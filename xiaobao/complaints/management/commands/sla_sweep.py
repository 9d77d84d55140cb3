"""`xiaobao sla_sweep [--loop] [--interval S] [--max-loops N]`: run the SLA sweeper once or forever.

The clocks of every registered module and the e-mail digest (`xiaobao sweep` adds the early-warning scan)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.casework.sweeper import SweepReport, sla_sweep
from xiaobao.core.periodic import add_loop_arguments, run_loop

logger = logging.getLogger("xiaobao.complaints.sweeper")


class Command(BaseCommand):
    help = (
        "Warn before SLA deadlines, mark breaches, escalate overdue complaints and e-mail the digest. "
        "Safe to run in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, runs="sweeps", interval=300.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["loop"]:
            self._report(sla_sweep())
            return
        run_loop(lambda: self._report(sla_sweep()), opts=opts, logger=logger, what="SLA sweep")

    def _report(self, report: SweepReport) -> None:
        self.stdout.write(f"sla_sweep: {report}")
