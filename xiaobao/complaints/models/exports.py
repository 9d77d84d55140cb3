"""A large complaint-list export, run by the task worker: the list's filters, progress, and the workbook."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import BackgroundJob


class ExportJob(BackgroundJob):
    """The filtered complaint list as Excel, built in the background for its requester (their scope, their
    filters, masked as the synchronous export); only the requester may download the file.

    `org_unit` is the requester's unit when asked (the job's scope for the reaper and the audit trail);
    `query` holds the list's query string (lists of values), sealed by the vault (a search text may name a
    person), until the worker has bound it again to `ComplaintFilter`; then it is emptied.
    """

    query = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("complaint export")
        verbose_name_plural = _("complaint exports")
        default_permissions = ()
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="exportjob_user_created")]

    def __str__(self) -> str:
        return self.filename or f"export {self.pk}"

    @property
    def has_file(self) -> bool:
        return bool(self.file) and self.state == "done"
