from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    CASE_STUDY = "case_study", _("Case study")
    ROLE_PLAY = "role_play", _("Role play")
    EXAM_INSTEAD = "exam_instead", _("Exam instead of training")
    CONTEST = "contest", _("Contest")
    OTHER = "other", _("Other")


class TrainerKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External expert")


class SessionMode(models.TextChoices):
    ONSITE = "onsite", _("On site")
    ONLINE = "online", _("Online")


class SignInMethod(models.TextChoices):
    QR = "qr", _("QR sign-in page")
    IMPORT = "import", _("Imported sign-in list")
    MANUAL = "manual", _("Entered by the organiser")
    EXAM = "exam", _("Passed the exam")
