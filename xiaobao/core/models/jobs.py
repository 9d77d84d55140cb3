"""Background jobs as rows: every long job (report, import…) has a state, progress and a reason when it fails.

Concrete jobs subclass `BackgroundJob` in their own app; `xiaobao.core.jobs` moves them through their states
with conditional updates, so two workers never run one job twice and progress is visible while it runs.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models.base import TimeStampedModel


class JobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job state", "Queued")
    RUNNING = "running", pgettext_lazy("job state", "Running")
    DONE = "done", pgettext_lazy("job state", "Done")
    FAILED = "failed", pgettext_lazy("job state", "Failed")


class BackgroundJob(TimeStampedModel):
    """A long piece of work asked for by a person, for a unit (its scope), with progress and outcome."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=200, blank=True)
    error = models.TextField(_("reason for failure"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kw: Any
    ) -> Self:
        """A running job's progress as its worker last reported it, also while the worker's own transaction
        is open (on SQLite reported beside the database: `xiaobao.core.jobs.job_live`)."""
        job = super().from_db(db, field_names, values, **kw)
        if job.__dict__.get("state") == JobState.RUNNING:
            from xiaobao.core.jobs import job_live

            job_live(job)
        return job

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def waits_for_worker(self) -> bool:
        """Queued while no task worker is running (its page says so)."""
        if self.state != JobState.QUEUED:
            return False
        from xiaobao.core.jobs import worker_alive

        return not worker_alive(self._state.db)

    @property
    def is_active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)
