from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    BLANK = "blank", _("Fill in the blank")


class TagKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    REGULATION = "regulation", _("Regulation")


class ExamKind(models.TextChoices):
    EXAM = "exam", _("Exam")
    PRACTICE = "practice", _("Practice")
    CONTEST = "contest", _("Contest")


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Selection(models.TextChoices):
    FIXED = "fixed", _("Fixed questions")
    RULES = "rules", _("Drawn by rules")


class MultipleScoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit without wrong options")


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
