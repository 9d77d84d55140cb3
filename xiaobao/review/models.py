"""Consumer-protection review (消保审查) on the casework bases: the review request (`Review`), its events,
clock and extensions, its documents and their versions (each version checked by the wording checker), the
reviewer's opinions and the submitter's answers, the approvals bound to the exact approved file, and the
links from complaints to the review of the product they are about.

The checker's findings on a version are `checker.CheckFinding` rows (generic subject → `DocumentVersion`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models import WorkClock, WorkEvent, WorkExtension, WorkItem, WorkItemQuerySet
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.review.choices import (
    ApprovalState,
    Conclusion,
    EscalationDecision,
    Material,
    OpinionCategory,
    OpinionResponse,
    OpinionSeverity,
    OpinionState,
    ReviewKind,
    Status,
    Track,
)

CHECKER_KINDS = [
    ("wealth", "wealth"),
    ("fund", "fund"),
    ("insurance", "insurance"),
    ("deposit", "deposit"),
    ("loan", "loan"),
    ("credit_card", "credit_card"),
    ("payment", "payment"),
    ("precious_metal", "precious_metal"),
    ("other", "other"),
]


class ProductKind(models.Model):
    """A code table of product kinds (存款, 理财, 基金代销 …); `checker_kind`: the checker's product kind."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    checker_kind = models.CharField(_("checker's product kind"), max_length=20, choices=CHECKER_KINDS)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("product kind")
        verbose_name_plural = _("product kinds")

    def __str__(self) -> str:
        return self.name


class ReviewQuerySet(WorkItemQuerySet):
    def visible_to(self, user: Any) -> Any:
        """The submitting unit's subtree (head office sees all with `core.view_all_units`), and the reviews a
        user submitted, created or was assigned to review wherever they are."""
        if not user.has_perm(Review.view_permission):
            return self.none()
        q = scope_q(user, Review.unit_path_field)
        if q is None:
            return self
        own = (
            models.Q(handler_id=user.pk) | models.Q(submitted_by_id=user.pk) | models.Q(created_by_id=user.pk)
        )
        return self.filter(q | own)


class Review(WorkItem):
    """A request to review a product, fee change, contract, marketing material or service process before it
    goes out: documents with versions, opinions and their answers, a conclusion, approvals."""

    view_permission: ClassVar[str] = "review.view_review"

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices, db_index=True)
    product_kind = models.ForeignKey(
        ProductKind, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("product kind")
    )
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    material = models.CharField(
        _("checked as"), max_length=10, choices=Material.choices, default=Material.MARKETING
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices, default=Track.NORMAL)
    planned_launch = models.DateField(_("planned launch"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    rule = models.ForeignKey(
        "casework.DeadlineRule", on_delete=models.PROTECT, related_name="+", verbose_name=_("deadline rule")
    )
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices, blank=True)
    conclusion_note = models.TextField(_("conclusion note"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    # The clock's outcome on the row (what lists sort and filter by, what statistics count).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    clock_state = models.CharField(_("deadline"), max_length=10, blank=True)

    objects = ReviewQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        permissions = [
            ("submit_review", "Can submit review requests and answer opinions"),
            ("conduct_review", "Can review: claim, write opinions, conclude"),
            ("decide_review", "Can decide escalated opinions (department head) and assign reviewers"),
            ("manage_approval", "Can withdraw approvals and marketing material after launch"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="review_status_due"),
            models.Index(fields=["org_unit", "status"], name="review_unit_status"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("review:detail", args=[self.pk])

    @property
    def is_concluded(self) -> bool:
        return bool(self.conclusion)


class ReviewEvent(WorkEvent):
    item = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkEvent.Meta):
        indexes = [models.Index(fields=["item", "at"], name="review_event_item_at")]


class ReviewClock(WorkClock):
    """The review's deadline clock (one, named "review"): starts at submission, paused while the submitter
    answers opinions, stops at the conclusion or a withdrawal."""

    item = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="clocks")

    class Meta:
        ordering = ["item", "name"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="review_clock_unique_name")]
        indexes = [models.Index(fields=["state", "due_date"], name="review_clock_state_due")]

    sweep: ClassVar[str] = "xiaobao.review.sweeping.SWEEP"


class ReviewExtension(WorkExtension):
    item = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="extensions")

    class Meta(WorkExtension.Meta):
        pass


class ReviewDocument(TimeStampedModel):
    """One document of a review (a leaflet, a contract, a fee schedule), in versions."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("review document")
        verbose_name_plural = _("review documents")

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> DocumentVersion | None:
        """The newest version (from the prefetched `versions` when there are any)."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class DocumentVersion(TimeStampedModel):
    """One uploaded file of a document: stored as uploaded (sha256 of its bytes), with its extracted text
    and blocks (paragraphs, slides, cells) the checker ran on."""

    document = models.ForeignKey(ReviewDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(upload_to="review/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    text = models.TextField(blank=True)
    blocks = models.JSONField(default=list, blank=True)  # [[start, end, label], ...]
    extraction_error = models.TextField(blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="review_docversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.document.title} v{self.number}"

    @property
    def uploaded_at(self) -> Any:
        return self.created_at


class ReviewOpinion(TimeStampedModel):
    """A reviewer's opinion, the submitter's answer and what became of it.

    open → answered (the submitter answers) → closed (the reviewer confirms the change) | waived (the
    reviewer accepts the reason, or the department head waives) | escalated (to the department head, who
    waives or upholds: → open again). A must-change opinion not closed or waived blocks a pass."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="opinions")
    number = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=20, choices=OpinionCategory.choices, db_index=True)
    severity = models.CharField(_("severity"), max_length=12, choices=OpinionSeverity.choices)
    document = models.ForeignKey(
        ReviewDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
        verbose_name=_("document"),
    )
    version = models.ForeignKey(
        DocumentVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
        verbose_name=_("version"),
    )
    location = models.CharField(_("where (page or paragraph)"), max_length=100, blank=True)
    quote = models.TextField(_("quoted text"), blank=True)
    body = models.TextField(_("opinion"))
    finding = models.ForeignKey(
        "checker.CheckFinding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_opinions",
        verbose_name=_("checker finding"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=OpinionState.choices, default=OpinionState.OPEN, db_index=True
    )
    issued = models.BooleanField(_("issued"), default=False)  # sent to the submitter (issue_opinions)
    response = models.CharField(_("answer"), max_length=16, choices=OpinionResponse.choices, blank=True)
    response_note = models.TextField(_("reason"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    answered_version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_note = models.TextField(_("reviewer's note"), blank=True)  # why closed / waived / escalated
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=EscalationDecision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "number"]
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_opinion_unique_number")
        ]
        indexes = [models.Index(fields=["review", "state"], name="review_opinion_state")]

    def __str__(self) -> str:
        return f"{self.review_id}#{self.number}"

    @property
    def is_must_change(self) -> bool:
        return self.severity == OpinionSeverity.MUST_CHANGE


class Approval(models.Model):
    """The pass bound to the exact approved file: a number, a short public code (for a label or QR) and the
    file's SHA-256. One per approved document version."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="approvals")
    number = models.CharField(_("approval number"), max_length=32, unique=True)
    code = models.CharField(_("check code"), max_length=8, unique=True)
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("approved file")
    )
    sha256 = models.CharField(max_length=64, db_index=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ApprovalState.choices, default=ApprovalState.ACTIVE, db_index=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(state="active"),
                name="review_approval_one_active_per_version",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintReviewLink(models.Model):
    """A complaint about a product linked to the review of that product (or its marketing)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="review_links"
    )
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="complaint_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint linked to a review")
        verbose_name_plural = _("complaints linked to reviews")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "review"], name="review_complaint_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.review_id}"
