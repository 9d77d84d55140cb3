"""Report templates (uploaded Excel layouts) and report jobs (each keeps its generated file)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models import BackgroundJob
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.reports.choices import TEMPLATE_KINDS, ReportKind

TEMPLATE_KIND_CHOICES = [(k.value, k.label) for k in TEMPLATE_KINDS]


class ReportTemplate(TimeStampedModel):
    """An Excel layout a bank uploads so that a generated table matches its regulator's form.

    Cells hold placeholders that the generator fills; the grammar (xiaobao/reports/placeholders.py):

        {{ name }}  or  {{ name key=value … }}
        period, period_start, period_end, org, org_code, institution, generated_on  → text
        total  (= {{count}})                                                         → number
        count channel=<code> business_type=<code> cause=<code>                      → number
              source=direct|nfra_transfer|pboc_transfer|other_referral|forwarded
              unit=<unit code>

    e.g. {{count business_type=B01 unit=0101}}, {{count cause=C03}}, {{count source=nfra_transfer}}.
    A code counts with its sub-codes, a unit with its subtree. Unknown names, keys, codes or units are refused
    on upload (a validation error naming the cell); the file is checked again when a report uses it.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("report"), max_length=20, choices=TEMPLATE_KIND_CHOICES)
    description = models.CharField(
        pgettext_lazy("report template", "description"), max_length=300, blank=True
    )
    file = models.FileField(_("file"), upload_to="report_templates/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        default_permissions = ()
        permissions = [("manage_reporttemplate", "Upload and retire report templates")]

    def __str__(self) -> str:
        return self.name


class ReportJobQuerySet(models.QuerySet["ReportJob"]):
    def visible_to(self, user: Any) -> ReportJobQuerySet:
        """Reports about a unit in the user's scope (a branch sees its subtree's reports, never another's)."""
        if not user.has_perm("reports.view_reportjob"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class ReportJob(BackgroundJob):
    """One report asked for by a person: kind, period and analysed unit, the generated file and its checksum.

    `org_unit` is the unit analysed (its subtree is counted); it was in the requester's scope when asked.
    """

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=32)
    template = models.ForeignKey(
        ReportTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        verbose_name=_("template"),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # Set when the retention purge deleted the file; the row keeps its name, size and SHA-256.
    file_purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True, editable=False)

    objects = ReportJobQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        default_permissions = ("view",)
        permissions = [("run_report", "Generate reports")]
        indexes = [models.Index(fields=["org_unit", "-created_at"], name="reportjob_unit_created")]

    def __str__(self) -> str:
        return self.filename or f"{self.get_kind_display()} {self.period}"

    @property
    def has_file(self) -> bool:
        return bool(self.file) and self.state == "done"

    @classmethod
    def on_reaped(cls, job_ids: list[int]) -> None:
        """Jobs whose worker died (`job_reap_stale`): delete any file they stored but never recorded."""
        from xiaobao.reports.files import discard_unrecorded

        discard_unrecorded(cls, job_ids)
