"""The consumer portal's own records: its settings (one row), which complaints came in through it, the
consumers' ratings and the review requests they sent. The complaints themselves are the complaints app's."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel

VIEW = "portal.view_portalsubmission"
MANAGE = "portal.manage_portal"

DEFAULT_CHANNEL = "A0304"  # 电子渠道 › 网络公众平台: the institution's own web page
DEFAULT_CAUSE = "C99"  # 其他: the handler classifies the cause after reading the complaint
DEFAULT_FILE_TYPES = ["pdf", "png", "jpg"]
REVIEW_WINDOW_MAX = 30  # NFRA 2020 Art 20: apply to the superior institution within 30 days of the decision

DEFAULT_INTRO = (
    "您可以在这里向我们提交投诉。我们将在收到投诉之日起15日内作出处理决定并告知您；情况复杂的，可以延长。"
    "提交后请妥善保存投诉编号，凭编号和手机号后四位可查询处理进度。"
)
DEFAULT_PRIVACY = (
    "为处理您的投诉，我们将收集您填写的姓名、手机号码、电子邮箱及投诉内容和附件，仅用于投诉受理、调查、"
    "处理、答复及依法报送监管部门，加密保存，保存期限遵守法律法规及监管要求。您有权查询、更正您的个人信息。"
    "不同意的，可以通过客服热线或营业网点提出投诉。"
)


def default_file_types() -> list[str]:
    return list(DEFAULT_FILE_TYPES)


class PortalSettings(TimeStampedModel):
    """How the public complaint pages behave (one row, pk=1): where complaints land, what the consumer may
    choose, attachment limits, the texts shown and the throttles."""

    enabled = models.BooleanField(_("accepting complaints online"), default=True)
    institution_name = models.CharField(
        _("institution name shown"),
        max_length=100,
        blank=True,
        help_text=_("Empty: the configured institution name."),
    )
    receiving_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where complaints land (empty: the head office)."),
    )
    branch_choice = models.BooleanField(_("the consumer may pick a branch"), default=False)
    listed_units = models.ManyToManyField(
        "core.OrgUnit",
        verbose_name=_("units listed"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every open branch."),
    )
    channel_code = models.CharField(_("channel code"), max_length=20, default=DEFAULT_CHANNEL)
    cause_code = models.CharField(
        _("cause code until classified"),
        max_length=20,
        default=DEFAULT_CAUSE,
        help_text=_("Consumers do not classify their complaint; the handler corrects the cause."),
    )
    business_types = models.JSONField(
        _("business types offered"),
        default=list,
        blank=True,
        help_text=_("Codes; empty: every top-level business type. Consumers see the names only."),
    )
    max_files = models.PositiveSmallIntegerField(
        _("attachments at most"), default=3, validators=[MaxValueValidator(10)]
    )
    max_file_mb = models.PositiveSmallIntegerField(
        _("MB per file at most"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_total_mb = models.PositiveSmallIntegerField(
        _("MB in all at most"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    file_types = models.JSONField(_("file types allowed"), default=default_file_types, blank=True)
    intro = models.TextField(_("introduction"), blank=True, default=DEFAULT_INTRO)
    privacy_notice = models.TextField(_("personal information notice"), default=DEFAULT_PRIVACY)
    review_window_days = models.PositiveSmallIntegerField(
        _("days to request a review"),
        default=REVIEW_WINDOW_MAX,
        validators=[MinValueValidator(1), MaxValueValidator(REVIEW_WINDOW_MAX)],
        help_text=_("After the decision was notified; at most 30 (Art 20)."),
    )
    lookups_per_address = models.PositiveSmallIntegerField(
        _("status lookups per address"), default=10, validators=[MinValueValidator(1)]
    )
    lookup_window_minutes = models.PositiveSmallIntegerField(
        _("lookup window (minutes)"), default=15, validators=[MinValueValidator(1)]
    )
    failures_per_reference = models.PositiveSmallIntegerField(
        _("failed lookups per reference"), default=5, validators=[MinValueValidator(1)]
    )
    reference_window_minutes = models.PositiveSmallIntegerField(
        _("reference window (minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    submissions_per_address = models.PositiveSmallIntegerField(
        _("submissions per address"), default=5, validators=[MinValueValidator(1)]
    )
    submission_window_minutes = models.PositiveSmallIntegerField(
        _("submission window (minutes)"), default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")
        default_permissions = ()
        permissions = [("manage_portal", "Edit the consumer portal's settings")]
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="portal_settings_singleton")]

    def __str__(self) -> str:
        return str(_("portal settings"))


class PortalSubmission(TimeStampedModel):
    """A complaint that came in through the portal (page or API), with what the consumer chose."""

    class Via(models.TextChoices):
        PAGE = "page", _("web page")
        API = "api", _("app (API)")

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="portal_submission"
    )
    via = models.CharField(_("through"), max_length=10, choices=Via.choices, default=Via.PAGE)
    unit_chosen = models.BooleanField(_("unit picked by the consumer"), default=False)
    attachments = models.PositiveSmallIntegerField(_("attachments"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal submission")
        verbose_name_plural = _("portal submissions")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.complaint_id}"


class ConsumerRating(TimeStampedModel):
    """The consumer's own rating of the handling, given once after the decision was notified."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="consumer_rating"
    )
    score = models.PositiveSmallIntegerField(
        _("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consumer rating")
        verbose_name_plural = _("consumer ratings")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="portal_rating_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"


class PortalReviewRequest(TimeStampedModel):
    """A review (核查) the consumer requested on the portal; the complaint moved to "under review"."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="portal_review_requests"
    )
    reason = models.TextField(_("reason"), max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review request from the portal")
        verbose_name_plural = _("review requests from the portal")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.complaint_id}"
