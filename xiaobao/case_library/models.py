"""The case library (典型案例): anonymised entries, circulations of a selection to units, read receipts.

Scope (decided in issue 17, see docs-caselib notes):

- An entry belongs to a unit (`org_unit`, the publishing unit: by default the unit of the officer who drafts
  it) and is published either to the **whole institution** (`Audience.INSTITUTION`, only by someone who sees
  the whole institution, i.e. head office) or to the **owning unit's subtree** (`Audience.SUBTREE`, the
  default for a branch). Head office's entries default to the whole institution.
- A published entry is visible to holders of the view permission: institution-wide ones to everybody, the
  others to users whose scope covers the owning unit (the unit, the units above it through view-all) and to
  users inside the owning unit's subtree. A draft is visible only to managers whose scope covers its unit.
- Widening (documented reason): a published entry circulated to a unit is readable in that unit's subtree,
  so a circulation always reaches its readers.
- A circulation belongs to the sender's unit; managers whose scope covers that unit see its receipts. Its
  readers are the holders of the view permission in the subtrees of the units it was sent to: rows are made
  for them when it is sent, and for anybody who joins those units later when they first open it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import scope_q

VIEW = "case_library.view_caseentry"
MANAGE = "case_library.manage_caseentry"


def unit_chain_paths(user: Any) -> list[str]:
    """The paths of the user's unit and every unit above it (empty without a unit)."""
    unit = user.org_unit if getattr(user, "org_unit_id", None) else None
    if unit is None:
        return []
    return [unit.path[:i] for i in range(PATH_SEGMENT, len(unit.path) + 1, PATH_SEGMENT)]


class Audience(models.TextChoices):
    INSTITUTION = "institution", _("The whole institution")
    SUBTREE = "subtree", _("The owning unit and the units below it")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CaseEntryQuerySet(models.QuerySet["CaseEntry"]):
    def visible_to(self, user: Any) -> CaseEntryQuerySet:
        """Published entries the user may read and the drafts the user may edit (see the module docstring)."""
        if user is None or not user.is_authenticated or not user.has_perm(VIEW):
            return self.none()
        published = models.Q(status=EntryStatus.PUBLISHED)
        scoped = scope_q(user, "org_unit__path")
        if scoped is None:  # the whole institution
            if user.has_perm(MANAGE):
                return self
            return self.filter(published)
        chain = unit_chain_paths(user)
        readable = (
            models.Q(audience=Audience.INSTITUTION)
            | scoped
            | models.Q(audience=Audience.SUBTREE, org_unit__path__in=chain)
        )
        if chain:
            circulated = CirculationUnit.objects.filter(unit__path__in=chain).values("circulation_id")
            readable |= models.Q(
                pk__in=Circulation.entries.through.objects.filter(circulation_id__in=circulated).values(
                    "caseentry_id"
                )
            )
        q = published & readable
        if user.has_perm(MANAGE):
            q |= scoped
        return self.filter(q)

    def published(self) -> CaseEntryQuerySet:
        return self.filter(status=EntryStatus.PUBLISHED)


class CaseEntry(TimeStampedModel):
    """One anonymised typical case: what happened, how it was handled, the outcome and the lessons."""

    view_permission = VIEW

    title = models.CharField(_("title"), max_length=200)
    facts = models.TextField(_("summary of the facts"), max_length=8000)
    handling = models.TextField(_("handling"), max_length=8000, blank=True)
    outcome = models.TextField(_("outcome"), max_length=4000, blank=True)
    lessons = models.TextField(_("lessons and risk points"), max_length=4000, blank=True)
    business_type = models.ForeignKey(
        "complaints.ComplaintCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business type"),
    )
    cause = models.ForeignKey(
        "complaints.ComplaintCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cause"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # "|tag1|tag2|": the tags as one indexed text, so a tag filter is the same plain lookup on both databases
    tag_index = models.CharField(max_length=600, blank=True, editable=False)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    audience = models.CharField(
        _("published to"), max_length=20, choices=Audience.choices, default=Audience.SUBTREE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.DRAFT, db_index=True
    )
    source_complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source complaint"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = CaseEntryQuerySet.as_manager()
    audit_exclude = ("tag_index",)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("case library entry")
        verbose_name_plural = _("case library entries")
        default_permissions = ()
        permissions = [
            ("view_caseentry", "Read the case library"),
            ("manage_caseentry", "Draft, publish and circulate case library entries"),
        ]
        indexes = [models.Index(fields=["status", "year"], name="caselib_status_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_complaint"],
                condition=models.Q(source_complaint__isnull=False),
                name="caselib_one_entry_per_complaint",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("case_library:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == EntryStatus.PUBLISHED


class CirculationQuerySet(models.QuerySet["Circulation"]):
    def visible_to(self, user: Any) -> CirculationQuerySet:
        """Circulations whose sending unit lies in a manager's scope (receipts are the sender side's)."""
        if user is None or not user.is_authenticated or not (user.has_perm(VIEW) and user.has_perm(MANAGE)):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)

    def addressed_to(self, user: Any) -> CirculationQuerySet:
        """Circulations sent to the user's unit or a unit above it (the user is one of their readers)."""
        if user is None or not user.is_authenticated or not user.has_perm(VIEW):
            return self.none()
        chain = unit_chain_paths(user)
        if not chain:
            return self.none()
        return self.filter(
            pk__in=CirculationUnit.objects.filter(unit__path__in=chain).values("circulation_id")
        )


class Circulation(TimeStampedModel):
    """A selection of entries sent to units with a message; each reader gets a receipt."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("sending unit")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    entries = models.ManyToManyField(CaseEntry, related_name="circulations", verbose_name=_("entries"))
    units = models.ManyToManyField(
        "core.OrgUnit", through="CirculationUnit", related_name="+", verbose_name=_("units")
    )

    objects = CirculationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{_('Circulation')} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("case_library:reading", args=[self.pk])


class CirculationUnit(models.Model):
    circulation = models.ForeignKey(Circulation, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["circulation", "unit"], name="caselib_circ_unit")]

    def __str__(self) -> str:
        return f"{self.circulation_id} → {self.unit_id}"


class Receipt(models.Model):
    """One reader of a circulation: when it was opened, when the reader said "I have read", reminders."""

    circulation = models.ForeignKey(Circulation, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")  # the reader's unit
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("read at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)

    class Meta:
        ordering = ["unit__path", "user__username"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["circulation", "user"], name="caselib_receipt_once")]

    def __str__(self) -> str:
        return f"{self.circulation_id} · {self.user_id}"

    @property
    def is_read(self) -> bool:
        return self.acknowledged_at is not None
