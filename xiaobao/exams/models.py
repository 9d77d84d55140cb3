"""The question bank (题库) with versions, exams (试卷: fixed or drawn by rules), candidates, attempts (答卷)
with their answers saved one by one, and each learner's wrong-answer book (错题本)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.exams.choices import (
    AttemptStatus,
    ExamKind,
    ExamStatus,
    MultipleScoring,
    QuestionKind,
    Selection,
    TagKind,
)

VIEW = "exams.view_exams"
MANAGE_QUESTIONS = "exams.manage_questions"
MANAGE_EXAMS = "exams.manage_exams"
TAKE = "exams.take_exam"


QS = TypeVar("QS", bound=models.QuerySet[Any])


def _scoped(qs: QS, user: Any, permission: str, path: str) -> QS:
    if not user.has_perm(permission):
        return qs.none()
    q = scope_q(user, path)
    return qs if q is None else qs.filter(q)


class Tag(TimeStampedModel):
    """A topic, or the regulation (and article) a question tests. When a regulation changes
    (`revised_on` set later than a question's last review) its questions are flagged for review."""

    kind = models.CharField(_("kind"), max_length=12, choices=TagKind.choices, default=TagKind.TOPIC)
    name = models.CharField(_("name"), max_length=100)
    regulation = models.CharField(_("regulation"), max_length=200, blank=True)
    article = models.CharField(_("article"), max_length=60, blank=True)
    revised_on = models.DateField(_("regulation revised on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="exams_tag_unique")]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet["Question"]):
    def visible_to(self, user: Any) -> QuestionQuerySet:
        """The bank is shared down the tree: the user's subtree's questions and those of the units above."""
        if not user.has_perm(VIEW):
            return self.none()
        q = scope_q(user, "org_unit__path")
        if q is None:
            return self
        from xiaobao.core.models.org import PATH_SEGMENT

        path = user.org_unit.path if user.org_unit_id else ""
        above = [path[:i] for i in range(PATH_SEGMENT, len(path), PATH_SEGMENT)]
        return self.filter(q | models.Q(org_unit__path__in=above))


class Question(TimeStampedModel):
    """A question as it stands now. Its content also lives in `QuestionVersion` rows: an edit of a question
    some attempt already used makes a new version; attempts keep pointing at the version they showed.

    `options` is a list of strings (true/false: ["正确", "错误"]); `answer` is a list of option indexes for
    the choice kinds and a string for a blank (accepted alternatives separated by "|")."""

    view_permission: ClassVar[str] = VIEW

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    stem = models.TextField(_("question"))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("answer"))
    explanation = models.TextField(_("explanation"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions", verbose_name=_("tags"))
    active = models.BooleanField(_("active"), default=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    current_version = models.ForeignKey(
        "QuestionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("question")
        verbose_name_plural = _("question bank")
        permissions = [
            ("view_exams", "Can see the question bank, exams and their results"),
            ("manage_questions", "Can edit and import the question bank"),
            ("manage_exams", "Can set exams and contests"),
            ("take_exam", "Can take the exams one is a candidate of"),
        ]

    def __str__(self) -> str:
        return self.stem[:40]


class QuestionVersion(models.Model):
    """An immutable snapshot of a question's content, as attempts showed it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    stem = models.TextField()
    options = models.JSONField(default=list)
    answer = models.JSONField()
    explanation = models.TextField(blank=True)
    difficulty = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="exams_question_version")]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


class ExamQuerySet(models.QuerySet["Exam"]):
    def visible_to(self, user: Any) -> ExamQuerySet:
        """Organisers' view: the exams set by the user's subtree."""
        return _scoped(self, user, VIEW, "org_unit__path")


class Exam(TimeStampedModel):
    """A paper and its sitting: questions fixed or drawn by rules (per candidate, from `seed`), an opening
    window, a time limit, candidates, pass mark, attempts allowed, shuffling, the multiple-choice rule.
    Practice exams give feedback at once; contests rank people and branches."""

    view_permission: ClassVar[str] = VIEW

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ExamKind.choices, default=ExamKind.EXAM)
    status = models.CharField(
        _("status"), max_length=10, choices=ExamStatus.choices, default=ExamStatus.DRAFT, db_index=True
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    description = models.TextField(_("instructions"), blank=True)
    selection = models.CharField(
        _("questions"), max_length=10, choices=Selection.choices, default=Selection.FIXED
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1)]
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    multiple_choice_scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleScoring.choices,
        default=MultipleScoring.ALL_OR_NOTHING,
    )
    seed = models.BigIntegerField(_("seed"), default=0)
    candidate_units = models.ManyToManyField(
        "core.OrgUnit", blank=True, related_name="+", verbose_name=_("candidates' units")
    )
    candidate_layers = models.ManyToManyField(
        "training.PositionLayer", blank=True, related_name="+", verbose_name=_("candidates' layers")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ExamQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        indexes = [models.Index(fields=["org_unit", "opens_at"], name="exams_exam_unit_opens")]

    def __str__(self) -> str:
        return self.title


class ExamQuestion(models.Model):
    """A fixed paper's question with its points."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exam", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["exam", "question"], name="exams_paper_question_once")]

    def __str__(self) -> str:
        return f"{self.exam_id}:{self.question_id}"


class ExamRule(models.Model):
    """Draw `count` questions with this tag (any when empty), kind and difficulty (any when empty)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="rules")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=QuestionKind.choices, blank=True)
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exam", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.count}"


class ExamCandidate(models.Model):
    """Who may sit the exam; `team` is the candidate's branch when the candidate list was made (contests
    rank branches by their members' mean score)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exam", "user"], name="exams_candidate_once")]
        indexes = [models.Index(fields=["user", "exam"], name="exams_candidate_user")]

    def __str__(self) -> str:
        return f"{self.exam_id}:{self.user_id}"


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def visible_to(self, user: Any) -> AttemptQuerySet:
        """Organisers: the attempts at the exams of their subtree; everybody: their own."""
        own = models.Q(user=user)
        if not user.has_perm(VIEW):
            return self.filter(own)
        q = scope_q(user, "exam__org_unit__path")
        return self if q is None else self.filter(q | own)


class Attempt(TimeStampedModel):
    """One candidate's sitting. The server's clock is the only clock: `ends_at` = min(start + limit, the
    exam's close); an answer after it is refused and the attempt is graded with what was saved."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS, db_index=True
    )
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)
    # Where the candidate stood when starting: results per unit and layer, contest teams.
    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    layer = models.ForeignKey(
        "training.PositionLayer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "user", "number"], name="exams_attempt_number")
        ]
        indexes = [
            models.Index(fields=["exam", "status"], name="exams_attempt_exam_status"),
            models.Index(fields=["user", "status"], name="exams_attempt_user_status"),
        ]


class AttemptItem(models.Model):
    """One question of an attempt as shown (version, place, option order) and the answer saved for it.
    `option_order[i]` is the original index of the option shown at place i; answers are stored in original
    indexes. `correct`/`earned` are set when graded (practice: when saved)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    option_order = models.JSONField(default=list)
    points = models.DecimalField(max_digits=6, decimal_places=2)
    answer = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True)
    earned = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="exams_attempt_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class WrongAnswer(TimeStampedModel):
    """The wrong-answer book: a question the learner got wrong, until answered right in practice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    times_wrong = models.PositiveIntegerField(default=1)
    last_wrong_at = models.DateTimeField()
    mastered = models.BooleanField(default=False)

    class Meta:
        ordering = ["mastered", "-last_wrong_at"]
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="exams_wrong_once")]
