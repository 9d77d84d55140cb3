"""Internal notes on complaints (with @mentions) and reply templates for decision text and notices.

Notes are staff-only: never shown to the complainant, never in the decision notice or an export meant for a
complainant. Reply templates are data a consumer-protection officer keeps per business type and cause, owned
by a unit (head office's serve everybody, a branch's its own subtree), with `{{placeholder}}` fields filled by
`xiaobao.notes.placeholders` (never the Django template engine on user input).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.core.vault.detect import validate_no_c3

EDIT_MINUTES = 15  # the author may edit or delete a note this long after writing it; then it is kept


class NoteQuerySet(models.QuerySet["Note"]):
    def on(self, complaint: Any) -> NoteQuerySet:
        return self.filter(complaint=complaint).select_related("author").prefetch_related("mentions")


class Note(TimeStampedModel):
    """A member of staff's note on a complaint; `mentions`: the people it told (who can see the complaint)."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="internal_notes",
        verbose_name=_("complaint"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("text"), max_length=5000, validators=[validate_no_c3])
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people mentioned")
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        indexes = [models.Index(fields=["complaint", "created_at"], name="note_complaint_time")]
        permissions = [("write_note", "Write internal notes on complaints")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class TemplateKind(models.TextChoices):
    DECISION = "decision", _("Decision text")
    NOTICE = "notice", _("Notice text")


class ReplyTemplateQuerySet(models.QuerySet["ReplyTemplate"]):
    def manageable_by(self, user: Any) -> ReplyTemplateQuerySet:
        """Templates of units in the user's scope (head office's only for those who see every unit)."""
        if not user.has_perm("notes.manage_replytemplate"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)

    def usable_at(self, path: str) -> ReplyTemplateQuerySet:
        """Active templates owned by the unit at `path` or one above it (head office's serve every unit)."""
        from xiaobao.core.models.org import PATH_SEGMENT

        prefixes = [path[:i] for i in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]
        return self.filter(is_active=True, org_unit__path__in=prefixes)


class ReplyTemplate(TimeStampedModel):
    """Decision text (the draft's four fields) or notice text for a business type and cause (blank = any)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TemplateKind.choices, default=TemplateKind.DECISION
    )
    business_type = models.ForeignKey(
        "complaints.ComplaintCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dimension": "business_type"},
        verbose_name=_("business type"),
    )
    cause = models.ForeignKey(
        "complaints.ComplaintCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"dimension": "cause"},
        verbose_name=_("cause"),
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    verification = models.TextField(_("how the facts were verified"), max_length=5000, blank=True)
    basis = models.TextField(_("basis and reasons"), max_length=5000, blank=True)
    result = models.TextField(_("decision"), max_length=5000, blank=True)
    remedies = models.TextField(_("remedies available"), max_length=5000, blank=True)
    body = models.TextField(_("notice text"), max_length=10000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = ReplyTemplateQuerySet.as_manager()

    TEXT_FIELDS = ("verification", "basis", "result", "remedies", "body")
    DECISION_FIELDS = ("verification", "basis", "result", "remedies")

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        permissions = [("manage_replytemplate", "Maintain templates for decision text and notices")]

    def __str__(self) -> str:
        return self.name

    def texts(self) -> dict[str, str]:
        """The template's texts by field: the draft's four for decision text, `body` for a notice."""
        names = self.DECISION_FIELDS if self.kind == TemplateKind.DECISION else ("body",)
        return {name: getattr(self, name) for name in names}
