"""Satisfaction surveys and questionnaires (满意度调查、问卷调查).

- `Questionnaire`: a title, an introduction and its questions as data (`Question` with `Option` rows for the
  choice kinds). Once any survey using it has an answer it is frozen: its questions never change again (the
  results would no longer match the text people answered); "copy to edit" makes a new version.
- `Survey`: a questionnaire put to a target (an outlet's customers, an education activity's audience,
  complainants after their decision) by an owning unit, open between two dates, with a public link and QR
  code (`token`) that needs no login. Per-unit links (`?at=<outlet code>`) attribute answers to an outlet of
  the survey's subtree.
- `Invitation`: a complainant's personal link to a complainants survey, made by the complaint desk after the
  decision (`?i=<token>` on the public page): answered once, attributed to the complaint's unit. The answers
  stay anonymous — they are not linked to the complaint; the invitation only records the day it was used.
- `Response` + `Answer`: one submission, anonymous unless the person ticks consent and leaves a contact
  (sealed in the personal-data vault, masked on screen). No personal data is needed to stop repeats: a random
  per-browser id (hashed) and a one-time nonce from the form, both unique per survey.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.core.vault.fields import SealedField

VIEW = "surveys.view_surveys"
MANAGE = "surveys.manage_surveys"
INVITE = "surveys.invite_complainants"


class QuestionKind(models.TextChoices):
    CHOICE_ONE = "choice_one", _("Single choice")
    CHOICE_MANY = "choice_many", _("Multiple choice")
    SCALE = "scale", _("Rating scale")
    TEXT = "text", _("Free text")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class SurveyTarget(models.TextChoices):
    OUTLET_CUSTOMERS = "outlet_customers", _("An outlet's customers")
    EVENT_AUDIENCE = "event_audience", _("An education event's audience")
    COMPLAINANTS = "complainants", _("Complainants after their decision")
    OTHER = "other", _("Other")


def _scoped(qs: Any, user: Any) -> Any:
    if not user.has_perm(VIEW):
        return qs.none()
    q = scope_q(user, "org_unit__path")
    return qs if q is None else qs.filter(q)


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def visible_to(self, user: Any) -> QuestionnaireQuerySet:
        """The questionnaires of the user's subtree."""
        return _scoped(self, user)  # type: ignore[no-any-return]


class Questionnaire(TimeStampedModel):
    """A set of questions kept as data. `version` counts copies (a copy of version 2 is version 3);
    `copied_from` keeps the line. Frozen once a survey using it holds an answer (`is_frozen`)."""

    view_permission: ClassVar[str] = VIEW

    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, max_length=2000)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("copy of"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        permissions = [
            ("view_surveys", "Can view surveys and their results"),
            ("manage_surveys", "Can manage questionnaires and surveys"),
            ("invite_complainants", "Can send complainants their personal survey link"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        return Response.objects.filter(survey__questionnaire=self).exists()


class Question(TimeStampedModel):
    """One question. Scales run from `scale_min` to `scale_max` (1–5 or 0–10); an answer at or above
    `satisfied_from` counts as satisfied, and `counts_for_satisfaction` puts the question into the survey's
    satisfaction rate (the threshold is data: 4 on a 1–5 scale by default, 9 on 0–10)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.PositiveSmallIntegerField(
        _("scale from"), default=1, validators=[MaxValueValidator(1)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale to"), default=5, validators=[MinValueValidator(3), MaxValueValidator(10)]
    )
    satisfied_from = models.PositiveSmallIntegerField(
        _("satisfied from"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    counts_for_satisfaction = models.BooleanField(_("counts for the satisfaction rate"), default=False)

    class Meta:
        ordering = ["questionnaire", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lte=1) & Q(scale_max__gte=3) & Q(scale_max__lte=10),
                name="surveys_question_scale_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def threshold(self) -> int:
        """The lowest satisfied answer: the set value, else the top two steps (4–5 of 5, 9–10 of 10)."""
        if self.satisfied_from is not None:
            return self.satisfied_from
        return self.scale_max - 1

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    """A choice of a choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.label


def new_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyQuerySet(models.QuerySet["Survey"]):
    def visible_to(self, user: Any) -> SurveyQuerySet:
        return _scoped(self, user)  # type: ignore[no-any-return]


class Survey(TimeStampedModel):
    """A questionnaire put to a target by a unit between two dates, answered on its public page."""

    view_permission: ClassVar[str] = VIEW

    title = models.CharField(_("title"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("questionnaire")
    )
    target = models.CharField(_("target"), max_length=20, choices=SurveyTarget.choices)
    activity = models.ForeignKey(
        "education.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("education activity"),
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("unit")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True
    )
    one_per_browser = models.BooleanField(
        _("one answer per browser"),
        default=True,
        help_text=_("Untick for a shared tablet at an event where several people answer in turn."),
    )
    ask_contact = models.BooleanField(
        _("offer to leave a contact"),
        default=True,
        help_text=_("People may tick consent and leave a name and phone number for a call back."),
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["org_unit", "opens_on"], name="surveys_survey_unit_opens")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="surveys_dates_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("surveys:detail", args=[self.pk])

    def accepting(self, today: Any) -> bool:
        return self.status == SurveyStatus.OPEN and self.opens_on <= today <= self.closes_on


class Response(models.Model):
    """One submission. `org_unit`: where it was given (the survey's unit or an outlet below it, from the
    per-unit link). `browser` is a keyed hash of a random per-browser id (no personal data); `nonce` the
    form's one-time value. The contact is kept only with consent, sealed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    submitted_on = models.DateField(_("submitted on"))
    nonce = models.CharField(max_length=64)
    browser = models.CharField(max_length=64, blank=True)
    consent = models.BooleanField(_("consented to contact"), default=False)
    contact_name = SealedField(_("name"), kind="name")
    contact_phone = SealedField(_("phone"), kind="phone")

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["org_unit", "submitted_on"], name="surveys_response_unit_day")]
        constraints = [
            models.UniqueConstraint(fields=["survey", "nonce"], name="surveys_response_nonce_once"),
            models.UniqueConstraint(
                fields=["survey", "browser"], condition=~Q(browser=""), name="surveys_response_browser_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class Answer(models.Model):
    """One answer: the chosen option (one row per option ticked), the scale value or the text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["response", "question__order", "pk"]
        indexes = [models.Index(fields=["question", "value"], name="surveys_answer_question_value")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.value or self.text[:20]}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, user: Any) -> InvitationQuerySet:
        """Invitations of the user's subtree (the complaint's unit), for those who view or send them."""
        if not (user.has_perm(VIEW) or user.has_perm(INVITE)):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class Invitation(models.Model):
    """A complainant's personal link to a complainants survey (one per survey and complaint). `org_unit`: the
    complaint's unit when invited (where its answer counts). `answered_on`: the day the link was used — the
    response itself is not linked to the invitation, so the answers stay anonymous."""

    view_permission: ClassVar[str] = VIEW

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="+", verbose_name=_("complaint")
    )
    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "complaint"], name="surveys_invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.complaint_id}"
