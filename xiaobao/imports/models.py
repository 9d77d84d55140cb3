"""Bulk import of historical complaints: named presets (column and value mappings) and import jobs.

A preset says which column of the other system's file feeds which field of ours (with header aliases), how
the other system's values map to our codes (value maps per dimension) and what to use when a column is
absent (defaults). A job is one uploaded file: it takes a copy of the preset's mapping that the user may
adjust on the mapping screen, is validated (dry run) and then imported, with progress and a summary.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models import BackgroundJob, JobState
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.imports.kinds import COMPLAINTS, kind_of, kinds_for

IMPORT_PERM = "imports.import_complaints"
MANAGE_PRESETS_PERM = "imports.manage_importpreset"


class ImportPreset(TimeStampedModel):
    """A named mapping from another system's export to Xiaobao complaints (editable data).

    - `columns`: our field → list of source headers, first match wins; headers are compared normalised
      (case, spaces/underscores/hyphens, a trailing '?').
    - `value_maps`: dimension (business_type, cause, channel, status, liability, special_groups) →
      {source value: our value}; source values are compared case- and space-insensitively.
    - `defaults`: the code or value used when a column is absent or a value is empty or not in the value
      map ("other"), plus options: source, external_prefix, date_order, list_separator, complainant_name.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind of import"), max_length=30, default=COMPLAINTS, db_index=True)
    description = models.CharField(_("what the preset is for"), max_length=300, blank=True)
    file_kinds = models.JSONField(_("file kinds"), default=list, blank=True)
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    value_maps = models.JSONField(_("value mapping"), default=dict, blank=True)
    defaults = models.JSONField(_("defaults"), default=dict, blank=True)
    is_builtin = models.BooleanField(_("shipped with Xiaobao"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("import preset")
        verbose_name_plural = _("import presets")
        default_permissions = ()
        permissions = [("manage_importpreset", "Maintain import presets (column and value mappings)")]

    def __str__(self) -> str:
        return self.name


class ImportStage(models.TextChoices):
    READ = "read", _("Reading the file")
    MAPPING = "mapping", _("Awaiting mapping")
    VALIDATE = "validate", _("Validation")
    IMPORT = "import", pgettext_lazy("import stage", "Import")


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Any) -> ImportJobQuerySet:
        """Imports into a unit of the user's subtree, of the kinds the user may import."""
        kinds = [k.code for k in kinds_for(user)]
        if not kinds:
            return self.none()
        q = scope_q(user, "org_unit__path")
        qs = self.filter(kind__in=kinds)
        return qs if q is None else qs.filter(q)


class ImportJob(BackgroundJob):
    """One uploaded file imported into one unit (`org_unit`, the responsible and registering unit).

    `stage` says what the job's current (or last) run does: read the uploaded file in the worker (read),
    nothing (mapping, once read), a dry run (validate) or the import itself; `state`/`progress_*` come from
    BackgroundJob. The mapping (`columns` resolved to the file's own headers, `value_maps`, `defaults`) is the
    job's copy, taken from the preset when the file is read.
    """

    kind = models.CharField(_("kind of import"), max_length=30, default=COMPLAINTS, editable=False)
    preset = models.ForeignKey(
        ImportPreset,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        verbose_name=_("preset"),
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=ImportStage.choices, default=ImportStage.MAPPING
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    # Set when the retention purge deleted the uploaded file (and the preview and error report taken from
    # it); the summary (counts, checksum, file name and size) stays.
    file_purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    file_kind = models.CharField(_("file kind"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")  # of messages and reports
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    received_on = models.DateField(_("default date of receipt"), null=True, blank=True)
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    value_maps = models.JSONField(_("value mapping"), default=dict, blank=True)
    defaults = models.JSONField(_("defaults"), default=dict, blank=True)
    profile = models.JSONField(default=dict, blank=True, editable=False)  # headers, preview, distinct values
    rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    invalid = models.PositiveIntegerField(_("invalid rows"), default=0)
    created = models.PositiveIntegerField(_("complaints created"), default=0)
    skipped_existing = models.PositiveIntegerField(_("already imported"), default=0)
    duplicates = models.PositiveIntegerField(_("repeated in the file"), default=0)
    unmapped = models.JSONField(_("values not in the value mapping"), default=dict, blank=True)
    errors = models.JSONField(_("error report"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        default_permissions = ()
        permissions = [("import_complaints", "Import historical complaints into the own subtree")]
        indexes = [models.Index(fields=["org_unit", "-created_at"], name="importjob_unit_created")]

    def __str__(self) -> str:
        return f"{self.original_name} #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Queued or running validation/import (a job awaiting its mapping is queued but not active)."""
        return self.stage != ImportStage.MAPPING and self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def phase(self) -> str:
        """What the lists show: reading, awaiting mapping, validating, validated, importing, imported or
        failed."""
        if self.stage == ImportStage.MAPPING:
            return str(_("Awaiting mapping"))
        if self.state == JobState.FAILED:
            return str(_("Failed"))
        if self.stage == ImportStage.READ:
            return str(_("Reading the file"))
        if self.stage == ImportStage.VALIDATE:
            return str(_("Validating") if self.is_active else _("Validated"))
        return str(_("Importing") if self.is_active else _("Imported"))

    @property
    def is_imported(self) -> bool:
        return self.stage == ImportStage.IMPORT and self.state == JobState.DONE

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None and not self.is_active

    @property
    def can_run(self) -> bool:
        """The file may be imported: validated without errors, or the user chose to skip invalid rows."""
        if self.is_active or self.is_imported or self.file_purged_at:
            return False
        return self.is_validated and (self.invalid == 0 or self.skip_invalid) and self.valid_rows > 0

    @property
    def kind_label(self) -> str:
        """What the import fills, as the lists show it."""
        try:
            return str(kind_of(self.kind).label)
        except KeyError:
            return self.kind

    @property
    def unmapped_total(self) -> int:
        return sum(sum(v.values()) for v in (self.unmapped or {}).values())
