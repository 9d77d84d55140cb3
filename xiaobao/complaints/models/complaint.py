from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models.base import WorkEvent, WorkItem, WorkItemQuerySet
from xiaobao.complaints.choices import (
    ClockState,
    ComplainantRole,
    Liability,
    NotifyMethod,
    Priority,
    Source,
    Status,
)
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import ALL, scope_q, user_scope
from xiaobao.core.vault.detect import validate_no_c3


def _handler_q(user: Any) -> models.Q:
    """The user's complaints as handler, while his own unit lies within the complaint's responsible unit.

    A handler may sit below the responsible unit (a branch's complaint handled in a sub-branch); a handler
    moved to another unit keeps no access through complaints still naming him (issue 12, item 2)."""
    unit = user.org_unit if user.org_unit_id else None
    if unit is None:
        return models.Q(pk__in=[])
    own_and_above = [unit.path[:i] for i in range(PATH_SEGMENT, len(unit.path) + 1, PATH_SEGMENT)]
    return models.Q(handler_id=user.pk, org_unit__path__in=own_and_above)


class ComplaintQuerySet(WorkItemQuerySet):
    def workable_by(self, user: Any) -> ComplaintQuerySet:
        """Complaints the user may read and act on: in the subtree of the responsible unit, of a unit a
        transfer is pending with, or handled by the user (see `_handler_q`).

        The registering unit is not named: until a transfer is accepted the complaint stays with it
        (`org_unit`); once another unit accepts it, the first responder's access ends (docs/architecture.md,
        Complaints → Scoping). `Complaint.workable_by` is the same rule for one loaded complaint."""
        if not user.has_perm("complaints.view_complaint"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        if q is None:
            return self
        pending = scope_q(user, "pending_unit__path")
        return self.filter(q | pending | _handler_q(user))  # type: ignore[operator]

    def visible_to(self, user: Any) -> ComplaintQuerySet:
        """`workable_by`, and read-only for a unit asked to assist while its request is unanswered."""
        if not user.has_perm("complaints.view_complaint"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        if q is None:
            return self
        from xiaobao.complaints.models.work import Assistance

        asked = Assistance.objects.filter(scope_q(user, "unit__path"), answered_at__isnull=True).values(
            "complaint_id"
        )
        pending = scope_q(user, "pending_unit__path")
        return self.filter(q | pending | _handler_q(user) | models.Q(pk__in=asked))  # type: ignore[operator]

    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=Status.open_statuses())


class Complaint(WorkItem):
    """A consumer complaint (NFRA 2020 Art 2) from intake to archive: a casework item (`WorkItem`: reference,
    status, version, responsible unit, handler) with the complaint's own statuses and related names."""

    view_permission = "complaints.view_complaint"

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.DIRECT)
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    channel = models.ForeignKey(
        "complaints.ComplaintCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    business_type = models.ForeignKey(
        "complaints.ComplaintCode",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business type"),
    )
    cause = models.ForeignKey(
        "complaints.ComplaintCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("cause")
    )
    received_at = models.DateTimeField(_("received at"))
    receipt_date = models.DateField(_("day of receipt"), db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first responder"),
    )
    registering_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("registering unit")
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("responsible unit"),
    )
    pending_unit = models.ForeignKey(
        "core.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transfer awaiting acceptance by"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_complaints",
        verbose_name=_("handler"),
    )
    product = models.CharField(_("product"), max_length=100, blank=True)
    amount_in_dispute = models.DecimalField(
        _("amount in dispute"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    complainant = models.ForeignKey(
        "core.Consumer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("complainant")
    )
    complainant_role = models.CharField(
        _("complainant is"), max_length=20, choices=ComplainantRole.choices, default=ComplainantRole.SELF
    )
    consumer = models.ForeignKey(
        "core.Consumer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consumer represented"),
    )
    special_groups = models.JSONField(_("special groups"), default=list, blank=True)
    request = models.TextField(_("request"), validators=[validate_no_c3])
    description = models.TextField(_("description"), validators=[validate_no_c3])
    sensitivity_tags = models.JSONField(_("sensitivity tags"), default=list, blank=True)
    people_count = models.PositiveIntegerField(_("number of people"), default=1)
    face_to_face = models.BooleanField(_("made face to face"), default=False)
    is_major = models.BooleanField(_("major complaint"), default=False, db_index=True)
    # Set at registration from the complainant's earlier complaints (statistics; glossary 重复/二次投诉):
    # repeat = same complainant and business type within REPEAT_WINDOW_DAYS; secondary = the earlier one had
    # already been decided, or this one comes through a regulator after a direct one (escalated).
    is_repeat = models.BooleanField(_("repeat complaint"), default=False, db_default=False)
    is_secondary = models.BooleanField(_("secondary complaint"), default=False, db_default=False)
    # Kept in step with the decision clock by complaint_recompute_clocks and the sweeper, so statistics count
    # on-time decisions, handling days and extensions from the complaint row alone (covering index).
    decision_state = models.CharField(
        _("decision clock"), max_length=10, choices=ClockState.choices, blank=True, default="", db_default=""
    )
    decided_on = models.DateField(_("decision notified on"), null=True, blank=True)
    # The decision clock's due date, kept with it for lists ordered by urgency (my queue, "due" order): a
    # per-row subquery sorted 35,000 matches in 0.3 s at 1M where an index gives the first 50.
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    is_extended = models.BooleanField(_("extension approved"), default=False, db_default=False)
    # Retention (PIPL Art 19, 47; regulations.md §5.4): a complaint on legal hold is never purged; a purged
    # one keeps its codes, dates, unit and outcome (statistics) but no text or personal data (anonymised_at).
    legal_hold = models.BooleanField(_("legal hold"), default=False, db_default=False)
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    major_reason = models.CharField(_("why major"), max_length=200, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    staff_named = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("staff complained about")
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    # decision and notice (Art 19, 21)
    decision_verification = models.TextField(_("how the facts were verified"), blank=True)
    decision_basis = models.TextField(_("basis and reasons"), blank=True)
    decision_result = models.TextField(_("decision"), blank=True)
    decision_remedies = models.TextField(_("remedies available"), blank=True)
    needs_approval = models.BooleanField(_("decision needs approval"), default=False)
    decision_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decision approved by"),
    )
    notify_method = models.CharField(
        _("notified by"), max_length=20, choices=NotifyMethod.choices, blank=True
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notify_proof = models.CharField(_("proof of notification"), max_length=200, blank=True)
    # outcome
    liability = models.CharField(_("liability"), max_length=20, choices=Liability.choices, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    redress_amount = models.DecimalField(
        _("redress amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    redress_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("redress approved by"),
    )
    redress_approved_at = models.DateTimeField(_("redress approved at"), null=True, blank=True)
    redress_paid_at = models.DateField(_("redress paid on"), null=True, blank=True)
    case_library = models.BooleanField(_("add to the case library"), default=False)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("follow-up comment"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # review request (Art 20)
    review_unit = models.ForeignKey(
        "core.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing unit"),
    )
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_result = models.TextField(_("review result"), blank=True)
    decline_reason = models.TextField(_("reason for not accepting"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)

    # notifications about this complaint: `Notification.objects.filter(complaint=c)` (no column)
    notifications = GenericRelation("casework.Notification", related_query_name="complaint")

    objects = ComplaintQuerySet.as_manager()  # type: ignore[misc]
    audit_exclude = (
        "version",
        "idempotency_key",
        "decision_state",
        "decided_on",
        "decision_due",
        "is_extended",
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        default_permissions = ("view",)
        permissions = [
            ("register_complaint", "Register complaints"),
            ("handle_complaint", "Handle complaints: accept, pause, draft, notify, follow up, close"),
            ("assign_complaint", "Assign and transfer complaints"),
            ("approve_complaint", "Approve decisions and extensions beyond 30 days"),
            ("respond_complaint", "Answer co-handling requests as a business line"),
            ("export_complaint", "Export complaint lists"),
            ("hold_complaint", "Put complaints on legal hold and run the retention purge"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                name="complaint_idempotency",
                condition=models.Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "status"], name="complaint_unit_status"),
            models.Index(fields=["handler", "status"], name="complaint_handler_status"),
            models.Index(fields=["-received_at", "-id"], name="complaint_received_desc"),
            models.Index(fields=["decision_due", "id"], name="complaint_decision_due"),
            # open complaints by urgency (my queue, "open" lists in "due" order): through the full index the
            # earliest due dates are long-closed complaints, walked past one by one (2.5 s at 1M)
            models.Index(
                fields=["decision_due", "id"],
                condition=models.Q(status__in=sorted(Status.open_statuses())),
                name="complaint_open_due",
            ),
        ]

    # set on the instance `complaint_register` returns: the clocks it has just written (not a field)
    registered_clocks: list[Any]
    registered_staff: list[Any]  # and the staff it names

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    def workable_by(self, user: Any) -> bool:
        """`Complaint.objects.workable_by(user)` for this complaint, without a query (units loaded)."""
        return bool(self._reach(user))

    def only_receives(self, user: Any) -> bool:
        """The user reaches this complaint only as the unit a transfer is pending with (not through the
        responsible unit, nor as its handler): until that unit accepts, it may take it, nothing more."""
        return self._reach(user) == "receiving"

    def _reach(self, user: Any) -> str:
        """How the user reaches this complaint as work: "own" (the responsible unit's subtree, or its handler
        while his unit lies within that unit), "receiving" (only as the unit a transfer is pending with),
        or "" (not at all)."""
        if not user.has_perm("complaints.view_complaint"):
            return ""
        scope = user_scope(user)
        if scope == ALL:
            return "own"
        if scope is None:
            return ""
        path = scope.path  # type: ignore[union-attr]
        if self.org_unit.path.startswith(path):
            return "own"
        if self.handler_id == user.pk and path.startswith(self.org_unit.path):
            return "own"
        if self.pending_unit_id and self.pending_unit.path.startswith(path):  # type: ignore[union-attr]
            return "receiving"
        return ""


class ComplaintEvent(WorkEvent):
    """One transition of a complaint: the regulator's audit trail and the source of clocks and statistics
    (the casework event, `WorkEvent`; its time is indexed with the complaint, its actor may be empty for
    imported history)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(  # type: ignore[assignment]
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"
