"""`xiaobao sweep [--loop] [--interval S] [--max-loops N]`: everything periodic of every module in one pass —
the clocks of every registered clock model (warnings, breach, escalation), each module's periodic job (the
early-warning scan), then the e-mail digest. `sla_sweep` and `warning_scan` remain for one part alone."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.casework.sweeper import sweep
from xiaobao.core.periodic import add_loop_arguments, run_loop

logger = logging.getLogger("xiaobao.casework.sweeper")


class Command(BaseCommand):
    help = (
        "Warn before deadlines, mark breaches and escalate overdue items of every module, run each module's "
        "periodic job (early-warning scan) and e-mail the digest. Safe to run in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, runs="sweeps", interval=60.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["loop"]:
            self._once()
            return
        run_loop(self._once, opts=opts, logger=logger, what="sweep")

    def _once(self) -> None:
        for name, report in sweep():
            self.stdout.write(f"{name}: {report}")
