"""Moving a `BackgroundJob` row through queued → running → done | failed.

All writes are conditional `update()`s, so a job claimed by one worker is never started by another. A job
whose worker died (SIGKILL, power cut) stops sending heartbeats; `job_reap_stale` marks it failed with a
reason (and lets the job's app remove what the dead run left, e.g. a file not yet recorded), and the work
itself is written in transactions, so no partial batch is left behind.

Progress and heartbeat must be visible while the job runs, also while the job holds its own transaction
open (an import writes all its rows in one): a polling progress bar must move, and the reaper must not take
a long write phase for a dead worker. `job_progress` therefore writes outside that transaction:

- PostgreSQL: on a second connection to the same database (autocommit, short lock timeout), so the row
  changes at once for every reader while the job's transaction is still open;
- SQLite: a second writer would wait for the job's own write lock, so the values go to a small side file in
  the data directory (`<DATA_DIR>/jobs/`, written atomically) as well as into the row inside the
  transaction; a running job loaded from the database takes the side file's newer values (see
  `BackgroundJob.from_db`), and the reaper looks at the side file's heartbeat before reaping.

Outside a transaction progress is written straight to the row, as before.

A queued job waits for a task worker (`xiaobao db_worker`). Every worker writes a heartbeat file in the data
directory while it lives (`worker_beat`, from a thread, so a long job does not silence it); a queued job's
page says "no task worker is running" when no worker has beaten for `WORKER_SILENT_AFTER`
(`worker_alive`). Web and workers share the data directory already (report files, uploaded imports).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.models.jobs import BackgroundJob, JobState

log = logging.getLogger(__name__)
J = TypeVar("J", bound=BackgroundJob)

STALE_AFTER = dt.timedelta(minutes=10)
WORKER_BEAT_EVERY = 10.0  # seconds between a worker's heartbeats
WORKER_SILENT_AFTER = dt.timedelta(seconds=45)  # no heartbeat for this long: no worker is running
SIDE_ALIAS = "job_progress"  # the second PostgreSQL connection (not registered in django.db.connections)
LIVE_FIELDS = ("progress_done", "progress_total", "message", "heartbeat_at")


def _connection(job: BackgroundJob) -> BaseDatabaseWrapper:
    return connections[job._state.db or DEFAULT_DB_ALIAS]


def _update(job: BackgroundJob, **fields: object) -> int:
    return type(job)._default_manager.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


# --- progress beside the job's own transaction --------------------------------------------------------

_local = threading.local()


def _side(base: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """This thread's second connection to `base`'s database (PostgreSQL), opened on first use.

    A standalone wrapper rather than an alias in `django.db.connections`: nothing else (requests, test
    set-up) opens, closes or wraps it. The lock timeout keeps a progress write from ever waiting on a row
    lock held by the job's own transaction (it then falls back to writing inside that transaction)."""
    side: BaseDatabaseWrapper | None = getattr(_local, "side", None)
    if side is not None and side.settings_dict["NAME"] == base.settings_dict["NAME"]:
        return side
    _side_close()
    cfg = copy.deepcopy(base.settings_dict)
    cfg["CONN_MAX_AGE"] = None  # kept for the thread; closed when a job run ends
    options = cfg.setdefault("OPTIONS", {})
    options.pop("pool", None)
    options["options"] = (
        f"{options.get('options', '')} -c lock_timeout=2000 -c statement_timeout=10000".strip()
    )
    side = type(base)(cfg, alias=SIDE_ALIAS)
    _local.side = side
    return side


def _side_close() -> None:
    side = getattr(_local, "side", None)
    _local.side = None
    if side is not None:
        try:
            side.close()
        except Exception:  # a broken connection is dropped either way
            log.debug("closing the progress connection failed", exc_info=True)


def _write_beside(job: BackgroundJob, fields: dict[str, Any]) -> bool:
    """UPDATE the job's row on the second connection; True when that changed the row."""
    model = type(job)
    try:
        side = _side(_connection(job))
        qn = side.ops.quote_name
        sets, params = [], []
        for name, value in fields.items():
            f = model._meta.get_field(name)
            assert isinstance(f, models.Field)
            sets.append(f"{qn(str(f.column))} = %s")
            params.append(f.get_db_prep_save(value, side))
        table, pk = qn(model._meta.db_table), qn(str(model._meta.pk.column))
        with side.cursor() as cursor:
            # Names come from the model's metadata, quoted; every value is a parameter.
            cursor.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s", [*params, job.pk])  # noqa: S608
            return cursor.rowcount == 1
    except Exception as exc:  # progress is best effort: never fail the job for it
        log.warning("job progress on a second connection failed: %s", type(exc).__name__)
        _side_close()
        return False


def side_file_path(model: type[BackgroundJob], pk: Any, db: str | None = None) -> Path:
    name = str(connections[db or DEFAULT_DB_ALIAS].settings_dict["NAME"])
    key = hashlib.sha256(name.encode()).hexdigest()[:12]  # one data directory may serve several databases
    return Path(settings.DATA_DIR) / "jobs" / f"{key}-{model._meta.label_lower}-{pk}.json"


def _write_side_file(job: BackgroundJob, fields: dict[str, Any]) -> None:
    path = side_file_path(type(job), job.pk, job._state.db)
    data = {
        "started_at": job.started_at.isoformat() if job.started_at else "",
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "message": job.message,
        "heartbeat_at": fields["heartbeat_at"].isoformat(),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError as exc:
        log.warning("job progress file not written: %s", type(exc).__name__)


def _read_side_file(
    model: type[BackgroundJob], pk: Any, started_at: dt.datetime | None, db: str | None
) -> dict:
    """The side file's values for this run of the job (matched on its start), or {}."""
    try:
        data = json.loads(side_file_path(model, pk, db).read_text())
    except (OSError, ValueError):
        return {}
    if not started_at or data.get("started_at") != started_at.isoformat():
        return {}  # another run of the job, or another database's job with the same id
    try:
        data["heartbeat_at"] = dt.datetime.fromisoformat(data["heartbeat_at"])
    except (KeyError, TypeError, ValueError):
        return {}
    return data


def _discard_side_file(model: type[BackgroundJob], pks: Iterable[Any], db: str | None = None) -> None:
    for pk in pks:
        try:
            side_file_path(model, pk, db).unlink(missing_ok=True)
        except OSError:
            log.debug("job progress file not removed", exc_info=True)


def job_live(job: BackgroundJob) -> None:
    """Give a running job loaded from SQLite the progress its worker wrote beside the database (the worker's
    transaction is still open); called by `BackgroundJob.from_db`, so pages, the API and the reaper see it."""
    loaded = job.__dict__
    if loaded.get("state") != JobState.RUNNING or not all(f in loaded for f in (*LIVE_FIELDS, "started_at")):
        return
    if connections[job._state.db or DEFAULT_DB_ALIAS].vendor != "sqlite":
        return
    data = _read_side_file(type(job), job.pk, job.started_at, job._state.db)
    if data and (job.heartbeat_at is None or data["heartbeat_at"] > job.heartbeat_at):
        for name in LIVE_FIELDS:
            if name in data:
                setattr(job, name, data[name])


# --- the job's states ---------------------------------------------------------------------------------


def job_claim(job: BackgroundJob) -> bool:
    """queued → running; False when another worker has it already (or it has finished)."""
    now = timezone.now()
    claimed = (
        type(job)
        ._default_manager.filter(pk=job.pk, state=JobState.QUEUED)
        .update(state=JobState.RUNNING, started_at=now, heartbeat_at=now, updated_at=now)
    )
    if claimed:
        job.state, job.started_at, job.heartbeat_at = JobState.RUNNING, now, now
    return bool(claimed)


def job_progress(job: BackgroundJob, *, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress (and a heartbeat) where other processes see it at once, also from inside the job's
    own transaction (see the module's description); cheap enough to call every few hundred rows."""
    now = timezone.now()
    job.progress_done, job.heartbeat_at = done, now
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": now}
    if total is not None:
        job.progress_total = fields["progress_total"] = total
    if message:
        job.message = fields["message"] = message[:200]
    conn = _connection(job)
    if not conn.in_atomic_block:
        _update(job, **fields)
        return
    if conn.vendor == "postgresql":
        # Once the row had to be written inside the transaction (it was not visible beside it, e.g. a test's
        # own transaction), it is locked there until the end: keep writing it there.
        if getattr(job, "_progress_beside", True) and _write_beside(job, {**fields, "updated_at": now}):
            return
        job._progress_beside = False  # type: ignore[attr-defined]
    elif conn.vendor == "sqlite":
        _write_side_file(job, fields)
    _update(job, **fields)


def job_finish_with_file(
    job: BackgroundJob, *, stored: str, filename: str, content: bytes, **fields: object
) -> None:
    """Store the job's file under `stored` (a name starting with the job's id, so the reaper finds the file
    a worker killed in between leaves), then record it and finish the job; a recording that fails takes its
    file with it. The job's model has a FileField `file`."""
    file = job.file  # type: ignore[attr-defined]
    file.save(stored, ContentFile(content), save=False)
    try:
        job_finish(
            job,
            message=filename,
            file=file.name,
            filename=filename,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            **fields,
        )
    except BaseException:
        file.delete(save=False)
        raise


def job_finish(job: BackgroundJob, *, message: str = "", **fields: object) -> None:
    now = timezone.now()
    values = {"state": JobState.DONE, "finished_at": now, "heartbeat_at": now, **fields}
    if message:
        values["message"] = message[:200]
    if job.progress_total:
        values["progress_done"] = job.progress_total
    _update(job, **values)
    for key, value in values.items():
        setattr(job, key, value)
    _discard_side_file(type(job), [job.pk], job._state.db)


def job_enqueue(job: BackgroundJob, task: Any) -> None:
    """Queue `task` (a django-tasks task taking the job's id) for the job; a queue that refuses the work
    fails the job instead of leaving it queued for ever."""
    try:
        task.enqueue(job.pk)
    except Exception as exc:
        log.warning("%s %s could not be queued: %s", job._meta.model_name, job.pk, type(exc).__name__)
        job_fail(job, reason=_("The job could not be queued: %(error)s") % {"error": type(exc).__name__})


def job_fail(job: BackgroundJob, *, reason: str) -> None:
    now = timezone.now()
    _update(job, state=JobState.FAILED, error=reason, finished_at=now, heartbeat_at=now)
    job.state, job.error, job.finished_at = JobState.FAILED, reason, now
    _discard_side_file(type(job), [job.pk], job._state.db)


def job_run(job: J, work: Callable[[J], None]) -> J:
    """Claim the job, run `work(job)`, and record the outcome; an exception marks it failed with its reason.

    `work` owns its transactions; it calls `job_progress` as it goes and `job_finish` (or returns, and the job
    is finished here). The reason stored is the exception's message, never a traceback with data in it.
    """
    if not job_claim(job):
        return job
    try:
        work(job)
    except Exception as exc:  # the job's outcome is recorded, not lost in a worker log
        log.warning("job %s.%s failed: %s", type(job).__name__, job.pk, type(exc).__name__)
        job_fail(job, reason=str(exc) or type(exc).__name__)
        return job
    finally:
        _side_close()
    job.refresh_from_db(fields=["state"])
    if job.state == JobState.RUNNING:
        job_finish(job)
    return job


def job_reap_stale(
    model: type[BackgroundJob],
    *,
    now: dt.datetime | None = None,
    cleanup: Callable[[list[Any]], None] | None = None,
) -> int:
    """Mark running jobs without a heartbeat for `STALE_AFTER` as failed (their worker died); how many.

    A heartbeat written beside the database (SQLite, inside the job's transaction) counts too. `cleanup`
    (default: the model's `on_reaped` classmethod, if it has one) gets the ids of the jobs reaped here, to
    remove what their dead runs left behind (a report's file stored but not recorded).
    Only reads when nothing is stale: on SQLite a write would wait for a running import's write lock.
    """
    now = now or timezone.now()
    limit = now - STALE_AFTER
    manager = model._default_manager
    candidates = list(manager.filter(state=JobState.RUNNING, heartbeat_at__lt=limit))  # from_db: live beats
    stale = [job.pk for job in candidates if job.heartbeat_at is None or job.heartbeat_at < limit]
    if not stale:
        return 0
    reaped = manager.filter(pk__in=stale, state=JobState.RUNNING, heartbeat_at__lt=limit).update(
        state=JobState.FAILED,
        error=_("The worker stopped before the job finished; run it again."),
        finished_at=now,
        updated_at=now,
    )
    if reaped:
        ids = list(
            manager.filter(pk__in=stale, state=JobState.FAILED, finished_at=now).values_list("pk", flat=True)
        )
        _discard_side_file(model, ids)
        cleanup = cleanup or getattr(model, "on_reaped", None)
        if cleanup is not None:
            cleanup(ids)
    return reaped


# --- is a task worker running? ------------------------------------------------------------------------


def worker_beat_path(db: str | None = None) -> Path:
    name = str(connections[db or DEFAULT_DB_ALIAS].settings_dict["NAME"])
    key = hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(settings.DATA_DIR) / "jobs" / f"{key}-worker.beat"


def worker_beat(db: str | None = None) -> None:
    """Record that a task worker for this database is alive now (written atomically)."""
    path = worker_beat_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".beat")
        with os.fdopen(fd, "w") as fh:
            fh.write(timezone.now().isoformat())
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("worker heartbeat not written: %s", type(exc).__name__)


def worker_alive(db: str | None = None) -> bool:
    """Whether a task worker beat within `WORKER_SILENT_AFTER`."""
    try:
        beat = dt.datetime.fromisoformat(worker_beat_path(db).read_text().strip())
    except (OSError, ValueError):
        return False
    return timezone.now() - beat < WORKER_SILENT_AFTER


def worker_beating(stop: threading.Event, every: float = WORKER_BEAT_EVERY) -> threading.Thread:
    """Beat now, then start a daemon thread that beats until `stop` is set (the worker process's lifetime)."""
    worker_beat()

    def run() -> None:
        while not stop.wait(every):
            worker_beat()

    thread = threading.Thread(target=run, name="worker-heartbeat", daemon=True)
    thread.start()
    return thread
