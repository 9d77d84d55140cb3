"""Moving a `BackgroundJob` row through queued → running → done | failed.

All writes are conditional `update()`s, so a job claimed by one worker is never started by another; progress
written between the job's own transactions is visible to a polling progress bar at once (progress written
inside one — an import's single write transaction — only when it commits). A job whose worker
died (SIGKILL, power cut) stops sending heartbeats; `job_reap_stale` marks it failed with a reason, and the
work itself is written in transactions, so no partial batch is left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.models.jobs import BackgroundJob, JobState

log = logging.getLogger(__name__)
J = TypeVar("J", bound=BackgroundJob)

STALE_AFTER = dt.timedelta(minutes=10)


def _update(job: BackgroundJob, **fields: object) -> int:
    return type(job)._default_manager.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


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
    """Record progress (and a heartbeat); cheap enough to call every few hundred rows."""
    job.progress_done = done
    fields: dict[str, object] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        job.progress_total = fields["progress_total"] = total
    if message:
        job.message = fields["message"] = message[:200]
    _update(job, **fields)


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


def job_fail(job: BackgroundJob, *, reason: str) -> None:
    now = timezone.now()
    _update(job, state=JobState.FAILED, error=reason, finished_at=now, heartbeat_at=now)
    job.state, job.error, job.finished_at = JobState.FAILED, reason, now


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
    job.refresh_from_db(fields=["state"])
    if job.state == JobState.RUNNING:
        job_finish(job)
    return job


def job_reap_stale(model: type[BackgroundJob], *, now: dt.datetime | None = None) -> int:
    """Mark running jobs without a heartbeat for `STALE_AFTER` as failed (their worker died)."""
    now = now or timezone.now()
    return model._default_manager.filter(state=JobState.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        state=JobState.FAILED,
        error=_("The worker stopped before the job finished; run it again."),
        finished_at=now,
        updated_at=now,
    )
