"""`demo_serve` runs the demo's processes together and stops them together (real subprocesses), and the
task worker it starts is the one that beats a heartbeat."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import get_commands

from xiaobao.core.jobs import worker_alive, worker_beating
from xiaobao.core.management.commands.demo_serve import demo_processes, supervise

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a child of this process: reap it
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def _pids(text: str) -> list[int]:
    return [int(line.rsplit("pid ", 1)[1].rstrip(")")) for line in text.splitlines() if "(pid " in line]


def test_the_demo_runs_server_worker_and_sweepers():
    procs = dict(demo_processes("127.0.0.1:8123", xiaobao=["xb"]))
    assert procs["web"] == ["xb", "runserver", "127.0.0.1:8123", "--noreload"]
    assert procs["worker"][:2] == ["xb", "db_worker"]
    # one sweeper loop for every module's clocks and the early-warning scan (issue 13: no two loops)
    assert procs["sweep"][:3] == ["xb", "sweep", "--loop"]
    assert "sla_sweep" not in procs and "warning_scan" not in procs
    assert procs["audit_seal"][:3] == ["xb", "audit_seal", "--loop"]


def test_one_process_ending_stops_the_others():
    out = io.StringIO()
    status = supervise(
        [("a", SLEEPER), ("b", SLEEPER), ("short", [sys.executable, "-c", "raise SystemExit(3)"])], out=out
    )
    assert status == 3 and "short ended (status 3)" in out.getvalue()
    pids = _pids(out.getvalue())
    assert len(pids) == 3 and all(_gone(pid) for pid in pids)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_the_supervisor_stops_its_children(signum):
    code = (
        "import sys; from xiaobao.core.management.commands.demo_serve import supervise; "
        f"sys.exit(supervise([('a', {SLEEPER!r}), ('b', {SLEEPER!r})]))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    lines = [parent.stdout.readline(), parent.stdout.readline()]
    pids = _pids("".join(lines))
    assert len(pids) == 2 and not any(_gone(pid, within=0.2) for pid in pids)
    parent.send_signal(signum)
    assert parent.wait(timeout=15) == 0
    assert all(_gone(pid) for pid in pids)


def test_db_worker_is_the_one_with_a_heartbeat(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert get_commands()["db_worker"] == "xiaobao.core"
    stop = threading.Event()
    thread = worker_beating(stop, every=0.05)
    try:
        assert worker_alive()
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
