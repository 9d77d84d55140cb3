"""Staff training (培训): the staff register with position layers, yearly plans with per-layer target hours,
sessions and their attendance (QR sign-in page, imported sign-in list, entered by hand)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.training.choices import SessionKind, SessionMode, SignInMethod, TrainerKind

VIEW = "training.view_training"
MANAGE = "training.manage_training"
VIEW_STAFF = "training.view_staff"
MANAGE_STAFF = "training.manage_staff"
OWN_RECORD = "training.view_own_training"


QS = TypeVar("QS", bound=models.QuerySet[Any])


def _scoped(qs: QS, user: Any, permission: str, path: str) -> QS:
    if not user.has_perm(permission):
        return qs.none()
    q = scope_q(user, path)
    return qs if q is None else qs.filter(q)


class PositionLayer(TimeStampedModel):
    """A code table: senior management, middle management, front line, new hire (data migration)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("position layer")
        verbose_name_plural = _("position layers")

    def __str__(self) -> str:
        return self.name


class StaffMemberQuerySet(models.QuerySet["StaffMember"]):
    def visible_to(self, user: Any) -> StaffMemberQuerySet:
        return _scoped(self, user, VIEW_STAFF, "org_unit__path")


class StaffMember(TimeStampedModel):
    """Someone who must be trained, with or without a login. Minimal personal data: employee number, name,
    unit, layer, hire date. `user` links the account of a person who has one (kept in step with it)."""

    view_permission: ClassVar[str] = VIEW_STAFF

    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="staff_members", verbose_name=_("unit")
    )
    layer = models.ForeignKey(
        PositionLayer, on_delete=models.PROTECT, related_name="staff", verbose_name=_("position layer")
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
        verbose_name=_("account"),
    )

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "employee_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff register")
        indexes = [models.Index(fields=["org_unit", "layer", "active"], name="staff_unit_layer")]
        permissions = [
            ("view_staff", "Can see the staff register"),
            ("manage_staff", "Can edit and import the staff register"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"


class TrainingPlanQuerySet(models.QuerySet["TrainingPlan"]):
    def visible_to(self, user: Any) -> TrainingPlanQuerySet:
        """The plans of the user's subtree and those of the units above it (a branch follows the head
        office's plan)."""
        if not user.has_perm(VIEW):
            return self.none()
        q = scope_q(user, "org_unit__path")
        if q is None:
            return self
        path = user.org_unit.path if user.org_unit_id else ""
        return self.filter(q | models.Q(org_unit__path__in=_ancestor_paths(path)))


def _ancestor_paths(path: str) -> list[str]:
    from xiaobao.core.models.org import PATH_SEGMENT

    return [path[:i] for i in range(PATH_SEGMENT, len(path), PATH_SEGMENT)]


class TrainingPlan(TimeStampedModel):
    """A unit's training plan for a year: courses per layer and each layer's target hours. A unit's people
    are measured against the nearest plan up the tree that sets a target for their layer."""

    view_permission: ClassVar[str] = VIEW

    year = models.PositiveSmallIntegerField(_("year"))
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="training_plans", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = TrainingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "org_unit__path"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [models.UniqueConstraint(fields=["year", "org_unit"], name="training_plan_unit_year")]
        permissions = [
            ("view_training", "Can see training plans, sessions, attendance and coverage"),
            ("manage_training", "Can plan training and record sessions and attendance"),
            ("view_own_training", "Can see the own training record"),
        ]

    def __str__(self) -> str:
        return self.title


class LayerTarget(TimeStampedModel):
    """The hours each person of a layer must have in the plan's year."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="targets")
    layer = models.ForeignKey(PositionLayer, on_delete=models.PROTECT, related_name="+")
    target_hours = models.DecimalField(
        _("target hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["layer__sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "layer"], name="training_target_layer")]


class PlanCourse(TimeStampedModel):
    """A course of the plan for a layer (or for everyone when no layer)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("course"), max_length=200)
    layer = models.ForeignKey(
        PositionLayer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("position layer"),
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("2.0"))
    planned_month = models.PositiveSmallIntegerField(_("planned month"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "planned_month", "pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


def new_signin_token() -> str:
    return secrets.token_urlsafe(18)


class TrainingSessionQuerySet(models.QuerySet["TrainingSession"]):
    def visible_to(self, user: Any) -> TrainingSessionQuerySet:
        return _scoped(self, user, VIEW, "org_unit__path")


class TrainingSession(TimeStampedModel):
    """One session held: date, organising unit, trainer, topic, hours, on site or online, materials. Its
    attendance is signed on the QR page (token), imported from a sign-in list or entered by hand."""

    view_permission: ClassVar[str] = VIEW

    plan = models.ForeignKey(
        TrainingPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("training plan"),
    )
    course = models.ForeignKey(
        PlanCourse,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.LECTURE
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("unit")
    )
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    trainer_kind = models.CharField(
        _("trainer"), max_length=10, choices=TrainerKind.choices, default=TrainerKind.INTERNAL
    )
    trainer_name = models.CharField(_("trainer name"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.ONSITE)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    layers = models.ManyToManyField(
        PositionLayer, blank=True, related_name="+", verbose_name=_("for position layers")
    )
    description = models.TextField(_("description"), blank=True)
    signin_token = models.CharField(max_length=32, unique=True, default=new_signin_token, editable=False)
    signin_open = models.BooleanField(_("sign-in open"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["org_unit", "date"], name="training_session_unit_date")]

    def __str__(self) -> str:
        return self.title


class SessionMaterial(TimeStampedModel):
    """A file handed out or shown at a session (slides, handouts)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="training/materials/%Y/%m/")
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]


class Attendance(TimeStampedModel):
    """One person at one session, with the hours credited. `date` is the session's (kept for coverage)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="attendances")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    method = models.CharField(_("signed by"), max_length=10, choices=SignInMethod.choices)
    signed_at = models.DateTimeField(_("signed at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "staff__employee_no"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="training_attendance_once")]
        indexes = [models.Index(fields=["staff", "date"], name="training_attendance_staff_day")]
