"""Crash safety: a worker killed with SIGKILL leaves no partial batch, its job is reaped as failed with a
reason, and running it again finishes without duplicates.

The jobs run in a real separate OS process (`python -m xiaobao …`) on this test's database — the SQLite test
file (WAL: the child writes while this process reads), or PostgreSQL's `test_…` database when DATABASE_URL is
set — so the tests commit their setup (`transaction=True`) and watch the child from the outside: its
committed rows in the database and its progress lines on stdout.

- Import: the real `import_complaints` command on the 28,156-row CFPB file is killed once its progress line
  shows that batches are being written inside the one write transaction (the write phase takes seconds).
- Report: `report monthly` builds its workbook in a few milliseconds after the process has started, too fast
  to kill mid-way reliably. The child therefore runs the real command with one change made in the child
  only, at one of two points: `reports.services.build` returns its (real) workbook after the child has
  announced `BUILT` and slept (the kill lands between building the file and storing it), or
  `reports.services.job_finish` announces `STORED <name>` and sleeps instead of recording the stored file
  (the kill lands between storing the file and recording it: the reaper must delete that file). The job has
  been claimed and has reported progress through the real code. These tests use their own media directory,
  so "no file left" is checked on the whole report directory.
- Progress: while a real import holds its one write transaction open, this process sees its progress rise
  above the 25 % of the checking phase and its heartbeat advance, and the reaper leaves it alone.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent
from xiaobao.core.jobs import STALE_AFTER, job_reap_stale, side_file_path
from xiaobao.core.models import Consumer
from xiaobao.core.models.audit import AuditAction, AuditEvent
from xiaobao.core.stored_files import walk
from xiaobao.imports.models import ImportJob
from xiaobao.imports.presets import load_builtin_presets_now
from xiaobao.imports.services import import_job_run, import_job_start
from xiaobao.imports.tests.conftest import STRUCTURED, needs_cfpb
from xiaobao.reports.models import ReportJob

ROWS = 28_156  # the Kaggle-layout CFPB file, every row valid
LATER = STALE_AFTER + dt.timedelta(minutes=1)  # "now" for the reaper: the dead worker's heartbeat is stale

# The real `xiaobao report …` command, except that it pauses for a long time after building the file
# ("build") or after storing it, instead of recording it on the job ("store").
HANG = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
import django
django.setup()
from django.core.management import call_command
from xiaobao.core import jobs
from xiaobao.reports import services
where = sys.argv.pop(1)
if where == "build":
    real_build = services.build
    def build_then_hang(kind, ctx):
        content = real_build(kind, ctx)
        print("BUILT", len(content), flush=True)
        time.sleep(300)
        return content
    services.build = build_then_hang
else:
    def hang_before_recording(job, **fields):
        print("STORED", fields["file"], flush=True)
        time.sleep(300)
    jobs.job_finish = hang_before_recording  # what job_finish_with_file calls once the file is stored
call_command(*sys.argv[1:])  # "report", "monthly", …
"""


def _database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{auth}@" if auth else ""
    return f"postgres://{host}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Child:
    """A `python -m xiaobao …` (or `python -c …`) process on the test database; its output, line by line."""

    def __init__(self, *argv: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "XIAOBAO_TESTING": "1",  # the same development vault key and settings as this process
            "XIAOBAO_DATA_DIR": str(settings.DATA_DIR),  # the same data directory (job progress files)
            "XIAOBAO_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the same media directory (stored files)
            "PYTHONUNBUFFERED": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, *argv],
            env=env,
            cwd=settings.BASE_DIR.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, wanted: Callable[[str], bool], timeout: float = 120) -> str:
        """The first output line for which `wanted` is true; fails if the child ends or takes too long."""
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                self.proc.kill()
                pytest.fail(f"no such line within {timeout} s:\n{self.output}")
            if line is None:
                pytest.fail(f"the child ended ({self.proc.wait()}) first:\n{self.output}")
            self.lines.append(line)
            if wanted(line):
                return line

    def kill(self) -> None:
        assert self.proc.poll() is None, f"the child finished before it was killed:\n{self.output}"
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL

    def finish(self, timeout: float = 240) -> str:
        """Wait for a normal end (exit status 0) and return the whole output."""
        code = self.proc.wait(timeout=timeout)
        while (line := self._queue.get(timeout=30)) is not None:
            self.lines.append(line)
        assert code == 0, self.output
        return self.output


def _percent(line: str) -> int:
    m = re.search(r":\s*(\d+)%$", line)
    return int(m.group(1)) if m else -1


@needs_cfpb
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_writing_leaves_nothing_and_runs_again(org, hq_officer):
    # given the cfpb preset and nothing imported yet
    load_builtin_presets_now()
    consumers_before = Consumer.objects.count()
    argv = ["-m", "xiaobao", "import_complaints", str(STRUCTURED), "--preset", "cfpb", "--org", "B1"]
    argv += ["--actor", hq_officer.username]
    # when the import runs in its own process (small batches: a longer write phase) …
    child = Child(*argv, "--batch-size", "100")
    # … and is killed when its progress shows batches written: checking is the first 25 %, writing the rest
    child.wait_for_line(lambda line: 30 <= _percent(line) < 90)
    job = ImportJob.objects.get()
    child.kill()
    # then nothing of the batch is visible: no complaint, consumer, event, clock or audit record
    assert Complaint.objects.count() == 0
    assert Consumer.objects.count() == consumers_before
    assert ComplaintEvent.objects.count() == 0 and Clock.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()
    # and the job still says running: nobody has noticed that its worker died
    job.refresh_from_db()
    assert (job.state, job.created, job.imported_at, job.error) == ("running", 0, None, "")
    assert job_reap_stale(ImportJob) == 0  # its heartbeat is recent
    # when the reaper runs after the heartbeat went stale
    assert job_reap_stale(ImportJob, now=timezone.now() + LATER) == 1
    # then the job failed with a reason
    job.refresh_from_db()
    assert job.state == "failed" and job.error.strip() and job.finished_at is not None

    # when the failed job is run again (the page's import button: the same job and stored file)
    job = import_job_run(job=import_job_start(actor=hq_officer, job=job, stage="import"))
    # then every row is there exactly once
    assert (job.state, job.created, job.skipped_existing, job.error) == ("done", ROWS, 0, "")
    assert Complaint.objects.count() == ROWS
    repeated = Complaint.objects.values("external_reference").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeated.exists()
    assert Complaint.objects.values("external_reference").distinct().count() == ROWS
    assert ComplaintEvent.objects.count() == ROWS and Clock.objects.filter(name="decision").count() == ROWS

    # when the file is imported once more from the command line
    out = Child(*argv).finish()
    # then nothing is added
    again = ImportJob.objects.latest("pk")
    assert again.pk != job.pk
    assert (again.state, again.created, again.skipped_existing) == ("done", 0, ROWS), out
    assert Complaint.objects.count() == ROWS


@needs_cfpb
@pytest.mark.django_db(transaction=True)
def test_import_progress_and_heartbeat_move_while_its_write_transaction_is_open(org, hq_officer):
    # given the cfpb preset and nothing imported yet
    load_builtin_presets_now()
    argv = ["-m", "xiaobao", "import_complaints", str(STRUCTURED), "--preset", "cfpb", "--org", "B1"]
    # when the import runs in its own process (small batches: a longer write phase)
    child = Child(*argv, "--actor", hq_officer.username, "--batch-size", "50")
    # then, watching the job as the pages and the API load it, progress goes past the checking phase's 25 %
    # and the heartbeat advances, twice, …
    seen: list[ImportJob] = []
    deadline = time.monotonic() + 240
    while len(seen) < 3 and time.monotonic() < deadline and child.proc.poll() is None:
        job = ImportJob.objects.first()
        moving = job is not None and job.state == "running" and job.percent > 25
        if moving and (
            not seen
            or (job.heartbeat_at > seen[-1].heartbeat_at and job.progress_done > seen[-1].progress_done)
        ):
            seen.append(job)
        time.sleep(0.02)
    assert len(seen) == 3, f"progress seen: {[(j.percent, j.heartbeat_at) for j in seen]}"
    last = seen[-1]
    # … and the row itself says so on PostgreSQL (written on a second connection); on SQLite the row keeps the
    # value written before the transaction began, the progress is in the side file the model reads
    row = ImportJob.objects.filter(pk=last.pk).values("progress_done", "heartbeat_at").get()
    if connection.vendor == "postgresql":
        assert row["progress_done"] >= last.progress_done and row["heartbeat_at"] >= last.heartbeat_at
    else:
        assert row["progress_done"] <= last.progress_total // 4 < last.progress_done
        assert row["heartbeat_at"] < last.heartbeat_at
    # and the reaper, at a moment when only the heartbeat written before the transaction would be stale,
    # leaves the running import alone
    halfway = last.heartbeat_at + (row["heartbeat_at"] - last.heartbeat_at) / 2
    assert job_reap_stale(ImportJob, now=halfway + STALE_AFTER) == 0
    assert ImportJob.objects.get(pk=last.pk).state == "running"
    # all of this while the write transaction was still open: not one complaint is visible yet
    assert Complaint.objects.count() == 0
    assert child.proc.poll() is None
    print(  # the figures docs/security.md quotes (pytest -rP)
        f"{connection.vendor}: seen while writing {[j.percent for j in seen]} %, heartbeat "
        f"+{(last.heartbeat_at - seen[0].heartbeat_at).total_seconds():.2f} s; row heartbeat "
        f"{(last.heartbeat_at - row['heartbeat_at']).total_seconds():.2f} s behind; 0 complaints visible"
    )
    # when the import ends, every row is there and the job is done at 100 %, no progress file left
    child.finish()
    job = ImportJob.objects.get()
    assert (job.state, job.created, job.percent) == ("done", ROWS, 100)
    assert Complaint.objects.count() == ROWS
    assert not side_file_path(ImportJob, job.pk).exists()


@pytest.mark.parametrize("where", ["build", "store"])
@pytest.mark.django_db(transaction=True)
def test_a_report_killed_before_its_file_is_recorded_fails_leaves_no_file_and_runs_again(
    org, hq_officer, tmp_path, settings, where
):
    settings.MEDIA_ROOT = tmp_path / "media"  # this test's own report directory
    storage = ReportJob._meta.get_field("file").storage
    # given branch 1's monthly report generated in its own process, paused once the workbook is built (or
    # once it is stored, before it is recorded on the job)
    report = ["report", "monthly", "--period", "2026-10", "--org", "B1", "--user", hq_officer.username]
    child = Child("-c", HANG, where, *report, "--out", str(tmp_path / "killed.xlsx"))
    line = child.wait_for_line(lambda line: line.startswith(("BUILT ", "STORED ")))
    job = ReportJob.objects.get()
    assert job.state == "running" and job.progress_done > 0  # claimed, progress reported by the real code
    # when it is killed
    child.kill()
    # then no file is recorded for the job, and none was written out
    job.refresh_from_db()
    assert (job.state, job.file.name, job.filename, job.size, job.sha256) == ("running", "", "", 0, "")
    assert not job.has_file and not (tmp_path / "killed.xlsx").exists()
    stored = list(walk(storage, "reports"))
    if where == "store":  # the file was stored under the job's name, and nothing names it
        name = line.split(" ", 1)[1]
        assert stored == [name] and name.rsplit("/", 1)[1].startswith(f"job{job.pk}_")
        assert storage.size(name) > 0
    else:
        assert stored == []
    assert job_reap_stale(ReportJob) == 0  # its heartbeat is recent
    # when the reaper runs after the heartbeat went stale
    assert job_reap_stale(ReportJob, now=timezone.now() + LATER) == 1
    # then the job failed with a reason, still without a file, and no stored file is left behind
    job.refresh_from_db()
    assert job.state == "failed" and job.error.strip() and not job.has_file
    assert list(walk(storage, "reports")) == []

    # when the report is asked for again (the unchanged command)
    out = Child("-m", "xiaobao", *report, "--out", str(tmp_path / "oct.xlsx")).finish()
    # then the new job is done with its file; the killed one stays failed
    again = ReportJob.objects.latest("pk")
    assert again.pk != job.pk
    assert again.state == "done" and again.has_file and again.size > 0, out
    with again.file.open("rb") as fh:
        assert fh.read(2) == b"PK"  # an .xlsx (a zip)
    assert (tmp_path / "oct.xlsx").read_bytes()[:2] == b"PK"
    assert ReportJob.objects.filter(state="done").count() == 1
    assert ReportJob.objects.get(pk=job.pk).state == "failed"
    # and the report directory holds exactly the one recorded file
    assert list(walk(storage, "reports")) == [again.file.name]
