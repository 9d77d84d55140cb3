"""Generated report files in storage: one name per job, and removing a file that its job never recorded.

A run stores the file first and records it on the job right after (`report_generate`). A worker killed in
between leaves a stored file that no job names. Every stored name starts with `job<id>_`, so when the reaper
marks that job failed (`ReportJob.on_reaped`) the file is found and deleted; the retention purge also sweeps
the report directory for unrecorded files (xiaobao/retention.py), whatever their name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from xiaobao.core.stored_files import walk

log = logging.getLogger(__name__)

TOP = "reports"
_JOB = re.compile(r"^job(\d+)_")


def stored_name(job_id: int, filename: str) -> str:
    """The name a job's file is stored under (in the dated directory of `ReportJob.file`'s upload_to)."""
    return f"job{job_id}_{filename}"


def job_of(name: str) -> int | None:
    """The job id a stored file name starts with, if any."""
    m = _JOB.match(name.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def discard_unrecorded(model: Any, job_ids: Iterable[int]) -> list[str]:
    """Delete the stored files of these jobs that their rows do not record; returns the deleted names."""
    wanted = set(job_ids)
    if not wanted:
        return []
    recorded = dict(model._default_manager.filter(pk__in=wanted).values_list("pk", "file"))
    storage = model._meta.get_field("file").storage
    deleted = []
    for name in walk(storage, TOP):
        job = job_of(name)
        if job in wanted and name != recorded.get(job):
            storage.delete(name)
            deleted.append(name)
    if deleted:
        log.info("deleted %d report file(s) of jobs whose worker died", len(deleted))
    return deleted
