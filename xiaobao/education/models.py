"""Education and publicity (宣传教育): the campaign catalogue and each year's edition with its targets per
branch, the activities outlets and branches report (approved by the branch's consumer-protection officer),
their photos, and the code tables (venues, topics) they are described by.

People reached are counted on the activity, in the unit where they were reached: a subtree's figure is the
sum over the activities in it, each counted once, never a unit's total added to its parent's.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.models import WorkEvent, WorkItem
from xiaobao.core.models.base import TimeStampedModel

VIEW = "education.view_education"

# The audience segments an activity counts (the API's `audience` keys, in display order).
# The longest reminder window an edition may set (days before its reporting deadline).
MAX_REMIND_DAYS = 60

SEGMENTS = ("elderly", "students", "young", "new_citizens", "rural", "disabled", "other")


class CodeTable(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Campaign(CodeTable):
    """A standing campaign of the catalogue (3·15 教育宣传周, 金融知识普及月, …), preloaded as data."""

    description = models.TextField(pgettext_lazy("education", "description"), blank=True)

    class Meta(CodeTable.Meta):
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [
            ("view_education", "Can see education campaigns, activities and their figures"),
            ("manage_education", "Can run the campaign catalogue, editions and targets"),
        ]


class Venue(CodeTable):
    """Where an activity is held: 进社区, 进乡村, 进校园, 进企业, 进商圈, 网点公众教育区, 线上 (data)."""

    online = models.BooleanField(_("online"), default=False)

    class Meta(CodeTable.Meta):
        verbose_name = _("venue type")
        verbose_name_plural = _("venue types")


class Topic(CodeTable):
    """What an activity teaches: illegal fund-raising, telecom fraud, credit, pensions fraud, … (data)."""

    fraud = models.BooleanField(
        _("fraud topic"), default=False, help_text=_("Counts as a targeted anti-fraud activity.")
    )

    class Meta(CodeTable.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class CampaignEdition(TimeStampedModel):
    """One year's run of a campaign: dates, theme, the reporting deadline and the head office's targets."""

    view_permission: ClassVar[str] = VIEW

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="editions", verbose_name=_("campaign")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    report_by = models.DateField(_("report by"), help_text=_("Outlets report their activities by this day."))
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    remind_days = models.PositiveSmallIntegerField(
        _("remind days before the deadline"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_REMIND_DAYS)],
        help_text=_("Branches are reminded of silent outlets from this many days before the deadline."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "starts_on", "id"]
        verbose_name = _("campaign edition")
        verbose_name_plural = _("campaign editions")
        constraints = [models.UniqueConstraint(fields=["campaign", "year"], name="edu_edition_unique_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.campaign.name}"

    def get_absolute_url(self) -> str:
        return reverse("education:edition", args=[self.pk])


class EditionTarget(TimeStampedModel):
    """The head office's target for one unit (usually a branch) in an edition."""

    edition = models.ForeignKey(
        CampaignEdition, on_delete=models.CASCADE, related_name="targets", verbose_name=_("edition")
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    activities = models.PositiveIntegerField(_("target activities"), default=0)
    people_reached = models.PositiveIntegerField(_("target people reached"), default=0)
    leaflets = models.PositiveIntegerField(_("target leaflets"), default=0)

    class Meta:
        ordering = ["edition", "org_unit__path"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [models.UniqueConstraint(fields=["edition", "org_unit"], name="edu_target_unique_unit")]


class ActivityStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", pgettext_lazy("education activity", "approved")
    RETURNED = "returned", pgettext_lazy("education activity", "returned")


class Activity(WorkItem):
    """One education activity held by a unit (an outlet or a branch): reported (`submitted`), then approved or
    returned by the branch's consumer-protection officer. Figures count approved activities."""

    view_permission: ClassVar[str] = VIEW

    status = models.CharField(_("status"), max_length=20, choices=ActivityStatus.choices, db_index=True)

    edition = models.ForeignKey(
        CampaignEdition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"), db_index=True)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+", verbose_name=_("venue type"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, related_name="activities", blank=True, verbose_name=_("topics"))
    description = models.TextField(pgettext_lazy("education", "description"), blank=True)
    # audience by segment: their sum is the people reached on site
    audience_elderly = models.PositiveIntegerField(_("elderly"), default=0)
    audience_students = models.PositiveIntegerField(_("students"), default=0)
    audience_young = models.PositiveIntegerField(_("young people"), default=0)
    audience_new_citizens = models.PositiveIntegerField(_("new citizens"), default=0)
    audience_rural = models.PositiveIntegerField(_("rural residents"), default=0)
    audience_disabled = models.PositiveIntegerField(_("people with disabilities"), default=0)
    audience_other = models.PositiveIntegerField(_("others"), default=0)
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    staff_involved = models.PositiveIntegerField(_("staff involved"), default=0)
    leaflets = models.PositiveIntegerField(_("leaflets handed out"), default=0)
    online_articles = models.PositiveIntegerField(_("online articles"), default=0)
    online_reads = models.PositiveIntegerField(_("online reads"), default=0)
    videos = models.PositiveIntegerField(_("videos"), default=0)
    media_reports = models.PositiveIntegerField(_("media reports"), default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("education activity")
        verbose_name_plural = _("education activities")
        permissions = [
            ("report_activity", "Can report education activities"),
            ("approve_activity", "Can approve or return education activities"),
        ]
        indexes = [
            models.Index(fields=["status", "held_on"], name="edu_act_status_held"),
            models.Index(fields=["edition", "status"], name="edu_act_edition_status"),
            models.Index(fields=["org_unit", "held_on"], name="edu_act_unit_held"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("education:activity", args=[self.pk])

    def audience(self) -> dict[str, int]:
        return {s: getattr(self, f"audience_{s}") for s in SEGMENTS}


class ActivityEvent(WorkEvent):
    item = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkEvent.Meta):
        indexes = [models.Index(fields=["item", "at"], name="edu_act_event_item_at")]


class ActivityPhoto(TimeStampedModel):
    """A photo of the activity, content-checked; its own date (EXIF) is compared with the activity's day."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="education/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    date_mismatch = models.BooleanField(_("date differs from the activity's"), default=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.original_name
