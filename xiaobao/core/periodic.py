"""Periodic work as a management command with `--loop` (conventions rule 10): the sweeper, the early-warning
scan, the audit sealer. One loop for all: each run in its own try (an error is logged and the next interval
retries), stale connections dropped between runs as Django does between requests."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser
from django.db import close_old_connections, connection


def add_loop_arguments(parser: CommandParser, *, runs: str, interval: float) -> None:
    """`--loop`, `--interval S` (default `interval`) and `--max-loops N`; `runs` names a run ("sweeps")."""
    parser.add_argument("--loop", action="store_true", help=f"Keep going until stopped ({runs}).")
    parser.add_argument(
        "--interval",
        type=float,
        default=interval,
        help=f"Seconds between {runs} with --loop (default {interval:g}).",
    )
    parser.add_argument("--max-loops", type=int, default=0, help=f"Stop after N {runs} (0: never).")


def drop_stale_connections() -> None:
    """Close broken or expired connections between runs; never inside a transaction (a test wraps the whole
    command in one): that connection must stay open."""
    if not connection.in_atomic_block:
        close_old_connections()


def run_loop(run: Callable[[], None], *, opts: dict[str, Any], logger: logging.Logger, what: str) -> None:
    """Call `run` every `--interval` seconds until stopped (or `--max-loops` runs); a failing run is logged
    ("<what> failed; retrying at the next interval") and the loop goes on."""
    done = 0
    while True:
        drop_stale_connections()
        try:
            run()
        except Exception:
            logger.exception("%s failed; retrying at the next interval", what)
        finally:
            drop_stale_connections()
        done += 1
        if opts["max_loops"] and done >= opts["max_loops"]:
            return
        time.sleep(max(0.0, opts["interval"]))
