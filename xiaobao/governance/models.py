"""Governance registers (治理台账): bodies (领导小组, 董事会消保委员会) with members and their
terms, meetings with attendance, topics, resolutions and minutes, action items (督办事项) on the casework
platform
(item, events, clock swept by the shared sweeper, evidence), liaisons (联络员) per unit, external supervisors
(特约监督员) and their feedback, each feedback item answered through an action item (source "feedback").

Scoping: every register row belongs to a unit (a body's, a liaison's, the unit a supervisor watches) and is
read through `visible_to(user)` (the view permission, then the user's subtree), like work items.
Personal data: liaisons' phones and supervisors' names and phones are sealed in the vault (masked on screen).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models import WorkClock, WorkEvent, WorkExtension, WorkItem
from xiaobao.casework.models.base import WorkItemQuerySet
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.vault.fields import SealedField
from xiaobao.governance.choices import BodyKind, Channel, MeetingKind, MemberRole, Source, Status

VIEW = "governance.view_governance"


class Body(TimeStampedModel):
    """A standing body of the institution or a branch: its kind, unit, name and founding day."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "org_unit__path"

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    description = models.TextField(_("remit"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "kind", "name"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        permissions = [
            ("view_governance", "Can view the governance registers"),
            ("manage_governance", "Can keep the governance registers and open action items"),
            ("work_actionitem", "Can work on own action items (evidence, submit)"),
            ("verify_actionitem", "Can close or send back action items"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body", args=[self.pk])


class Member(TimeStampedModel):
    """A person's seat in a body for a term: a member of staff (user) or an outside person by name."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "body__org_unit__path"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    role = models.CharField(_("role in the body"), max_length=20, choices=MemberRole.choices)
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"), null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["body", "term_end", "role", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id and self.user is not None:
            return self.user.full_name or self.user.username
        return self.name


class Meeting(TimeStampedModel):
    """One meeting of a body: day, kind, topics, resolutions, minutes (an uploaded document)."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "body__org_unit__path"
    audit_exclude: ClassVar[tuple[str, ...]] = ("minutes_file",)  # the name and checksum are audited

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    topics = models.TextField(_("topics"), help_text=_("One topic per line."))
    resolutions = models.TextField(_("resolutions"), blank=True, help_text=_("One resolution per line."))
    minutes_file = models.FileField(upload_to="governance/minutes/%Y/", blank=True)
    minutes_name = models.CharField(_("minutes"), max_length=200, blank=True)
    minutes_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["body", "held_on"], name="gov_meeting_body_day")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", args=[self.pk])

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.splitlines() if t.strip()]

    @property
    def resolution_list(self) -> list[str]:
        return [t.strip() for t in self.resolutions.splitlines() if t.strip()]


class Attendance(models.Model):
    """A member at a meeting: present, or absent with the reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "-present", "member_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="gov_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id}"


class Supervisor(TimeStampedModel):
    """An external supervisor (特约监督员) appointed for a term to watch a unit; name and phone sealed."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "org_unit__path"

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit watched")
    )
    name = SealedField(_("name"), kind="name")
    phone = SealedField(_("phone"), kind="phone")
    occupation = models.CharField(_("occupation"), max_length=100)
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"), null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "-term_start", "id"]
        verbose_name = _("external supervisor")
        verbose_name_plural = _("external supervisors")

    def __str__(self) -> str:
        return str(self.name)

    def get_absolute_url(self) -> str:
        return reverse("governance:supervisor", args=[self.pk])


class Feedback(TimeStampedModel):
    """What a supervisor told the institution; answered through its action item (source "feedback")."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "supervisor__org_unit__path"

    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="feedback")
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    content = models.TextField(_("content"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("supervisor feedback")
        verbose_name_plural = _("supervisor feedback")

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.content[:30]}"


class ActionItem(WorkItem):
    """A meeting's resolution to carry out (督办事项), or a supervisor's feedback to answer: owner
    (`handler`),
    due date held as the clock, evidence, closed by somebody who is not the owner."""

    view_permission: ClassVar[str] = VIEW

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is to be done"), blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    feedback = models.OneToOneField(
        Feedback, null=True, blank=True, on_delete=models.PROTECT, related_name="action_item"
    )
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    rule = models.ForeignKey(
        "casework.DeadlineRule", on_delete=models.PROTECT, related_name="+", verbose_name=_("deadline rule")
    )
    result = models.TextField(_("what was done / the answer"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    clock_state = models.CharField(_("deadline"), max_length=10, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["status", "due_date"], name="gov_item_status_due"),
            models.Index(fields=["org_unit", "status"], name="gov_item_unit_status"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("governance:item", args=[self.pk])


class ActionEvent(WorkEvent):
    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkEvent.Meta):
        indexes = [models.Index(fields=["item", "at"], name="gov_event_item_at")]


class ActionClock(WorkClock):
    """The item's deadline clock (one, named "action"), swept by the shared sweeper."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="clocks")

    class Meta:
        ordering = ["item", "name"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="gov_clock_unique_name")]
        indexes = [models.Index(fields=["state", "due_date"], name="gov_clock_state_due")]

    sweep: ClassVar[str] = "xiaobao.governance.sweeping.SWEEP"


class ActionExtension(WorkExtension):
    """The owner asks for a later due date (`to_date`; `to_days` = calendar days from the day assigned);
    somebody who is not the owner and did not ask approves it, which moves the item's due date."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="extensions")
    from_date = models.DateField(_("due date before"))
    to_date = models.DateField(_("extend to"))

    class Meta(WorkExtension.Meta):
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")


class Evidence(TimeStampedModel):
    """A document or photo proving an action item was carried out (content-checked)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="governance/evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class Liaison(TimeStampedModel):
    """A unit's consumer-protection liaison (联络员) since a day (until a day when replaced)."""

    view_permission: ClassVar[str] = VIEW
    unit_path_field: ClassVar[str] = "org_unit__path"

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = SealedField(_("phone"), kind="phone")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "-since", "id"]
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id and self.user is not None:
            return self.user.full_name or self.user.username
        return self.name
