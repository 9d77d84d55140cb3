"""`xiaobao demo_serve [ADDR]`: the demo's processes together — web server, task worker, the sweeper (every
module's clocks and the early-warning scan) and the audit sealer — started side by side and stopped together.

Ctrl-C (SIGINT) or SIGTERM to this command, or any one of the processes ending, stops all of them. The
processes run in their own process groups, so a Ctrl-C in the terminal reaches only this supervisor, which
then stops them in order (SIGTERM, and SIGKILL after a grace period). For `make demo` only: production runs
each process under its own service manager (docs/deployment.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

GRACE = 5.0  # seconds a process has to stop after SIGTERM


def demo_processes(addr: str, xiaobao: Sequence[str] | None = None) -> list[tuple[str, list[str]]]:
    """(name, argv) of every demo process; `xiaobao` is how to call the console script (default: this
    interpreter running `python -m xiaobao`, so the children use the same installation)."""
    cmd = list(xiaobao or [sys.executable, "-m", "xiaobao"])
    return [
        ("web", [*cmd, "runserver", addr, "--noreload"]),
        ("worker", [*cmd, "db_worker", "--no-reload", "--interval", "1"]),
        # every module's clocks, the early-warning scan and the e-mail digest in one loop (casework's sweeper)
        ("sweep", [*cmd, "sweep", "--loop", "--interval", "60"]),
        ("audit_seal", [*cmd, "audit_seal", "--loop", "--interval", "10"]),
    ]


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


def supervise(processes: Sequence[tuple[str, list[str]]], out: Any = sys.stdout, poll: float = 0.2) -> int:
    """Run the processes until one ends or this process gets SIGINT/SIGTERM, then stop all of them.

    Returns the exit status of the process that ended first (0 when stopped by a signal)."""
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    running: list[tuple[str, subprocess.Popen]] = []
    status = 0
    try:
        for name, argv in processes:
            running.append((name, subprocess.Popen(argv, process_group=0)))  # noqa: S603 (our own argv)
            out.write(f"started {name} (pid {running[-1][1].pid})\n")
            out.flush()
        status = _wait_for_first(running, out, poll)
    except _Stop:
        out.write("stopping …\n")
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop_all(running)
    return status


def _wait_for_first(running: list[tuple[str, subprocess.Popen]], out: Any, poll: float) -> int:
    while True:
        for name, proc in running:
            code = proc.poll()
            if code is not None:
                out.write(f"{name} ended (status {code}); stopping the others\n")
                return code
        time.sleep(poll)


def _stop_all(running: list[tuple[str, subprocess.Popen]]) -> None:
    for _name, proc in running:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + GRACE
    for _name, proc in running:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Command(BaseCommand):
    help = (
        "Serve the demo with its task worker, sweeper (clocks of every module, early-warning scan) and "
        "audit sealer beside the web server; "
        "Ctrl-C stops all of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8000", help="host:port of the web server")

    def handle(self, *args: Any, **opts: Any) -> None:
        addr = opts["addr"]
        self.stdout.write(
            f"Serving the demo bank on http://{addr}  (task worker, sweeper with early-warning scan, and "
            "audit sealer run beside it; Ctrl-C stops all)"
        )
        status = supervise(demo_processes(addr), out=self.stdout)
        if status:
            sys.exit(status)
