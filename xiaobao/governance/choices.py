from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BodyKind(models.TextChoices):
    LEADERSHIP_GROUP = "leadership_group", _("Consumer protection leadership group")
    BOARD_COMMITTEE = "board_committee", _("Board consumer rights protection committee")
    OTHER = "other", pgettext_lazy("governance body", "Other body")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Group leader")
    DEPUTY_LEADER = "deputy_leader", _("Deputy group leader")
    MEMBER = "member", _("Group member")
    SECRETARY = "secretary", _("Secretary")
    CHAIR = "chair", _("Committee chair")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting")
    EXTRAORDINARY = "extraordinary", _("Extraordinary meeting")
    SPECIAL = "special", _("Special-topic meeting")


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("action item", "Submitted for verification")
    CLOSED = "closed", pgettext_lazy("action item", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("action item", "Cancelled")


class Source(models.TextChoices):
    MEETING = "meeting", _("Meeting resolution")
    FEEDBACK = "feedback", _("Supervisor feedback")


class Channel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("feedback channel", "Phone")
    LETTER = "letter", pgettext_lazy("feedback channel", "Letter")
    VISIT = "visit", pgettext_lazy("feedback channel", "Visit to an outlet")
    MEETING = "meeting", pgettext_lazy("feedback channel", "Supervisors' meeting")
    ONLINE = "online", pgettext_lazy("feedback channel", "Online")
    OTHER = "other", pgettext_lazy("feedback channel", "Other")
