"""Special-group services (适老化与特殊群体服务): the facilities checklist as data (FacilityItem),
each outlet's current state (OutletFacility) with every tick kept (FacilityCheck), and home / off-site
services (HomeService) whose person served is a core Consumer — name, phone, ID number and address in
the personal-data vault, masked on screen and in exports, revealed only with a logged reason."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.core.scoping import scope_q
from xiaobao.core.vault.detect import validate_no_c3

VIEW = "special_services.view_special_services"
MANAGE = "special_services.manage_special_services"
MANAGE_ITEMS = "special_services.manage_facility_items"


class CodeTable(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class FacilityItem(CodeTable):
    """One line of the facilities checklist (爱心窗口, 老花镜, 轮椅 …). `inspection_item` names the item
    code of the inspections module's facilities checklist that checks the same thing (e.g. "EF01"), if any."""

    inspection_item = models.CharField(_("inspection checklist item"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta(CodeTable.Meta):
        verbose_name = _("facility item")
        verbose_name_plural = _("facility items")
        permissions = [
            ("view_special_services", "See special-group services"),
            ("manage_special_services", "Keep outlets' facilities and record home services"),
            ("manage_facility_items", "Maintain the facilities checklist"),
        ]


class ServiceReason(CodeTable):
    """Why the service was given off-site (行动不便, 重病, 高龄, 残障, 其他)."""

    class Meta(CodeTable.Meta):
        verbose_name = _("home-service reason")
        verbose_name_plural = _("home-service reasons")


class ServiceKind(CodeTable):
    """The business done (开户, 挂失, 密码重置, 社保卡激活, 取款, 其他)."""

    class Meta(CodeTable.Meta):
        verbose_name = _("kind of service")
        verbose_name_plural = _("kinds of service")


class ScopedQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> Any:
        if not user.has_perm(VIEW):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class OutletFacility(models.Model):
    """An outlet's current state of one checklist item (one row per outlet and item)."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    item = models.ForeignKey(FacilityItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    present = models.BooleanField(_("present"))
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[validate_no_c3])
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    view_permission: ClassVar[str] = VIEW

    class Meta:
        verbose_name = _("outlet facility")
        verbose_name_plural = _("outlet facilities")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["org_unit", "item"], name="outlet_facility_unique")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}:{self.item_id}"


class FacilityCheck(models.Model):
    """Every tick as it was saved (the register's history; the audit trail has it too)."""

    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(FacilityItem, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("saved at"), db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility check")
        default_permissions = ()
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["org_unit", "-at"], name="facility_check_unit_at")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}:{self.item_id}@{self.checked_on}"


class Place(models.TextChoices):
    HOME = "home", _("At home")
    HOSPITAL = "hospital", _("In hospital")
    CARE_HOME = "care_home", _("Care home")
    OTHER = "other", _("Elsewhere")


class Outcome(models.TextChoices):
    DONE = "done", _("Done")
    PARTLY = "partly", _("Partly done")
    NOT_DONE = "not_done", _("Not done")


class HomeService(models.Model):
    """A home or off-site service (上门服务): the unit that went, the day, the person served (a core Consumer,
    personal data in the vault), why, what was done and how it ended."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    served_on = models.DateField(_("date"), db_index=True)
    consumer = models.ForeignKey(
        "core.Consumer", on_delete=models.PROTECT, related_name="+", verbose_name=_("person served")
    )
    reason = models.ForeignKey(
        ServiceReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason")
    )
    service = models.ForeignKey(
        ServiceKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    place = models.CharField(_("place"), max_length=20, choices=Place.choices, default=Place.HOME)
    staff_involved = models.PositiveSmallIntegerField(_("staff involved"), default=2)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.DONE)
    notes = models.TextField(_("notes"), blank=True, max_length=2000, validators=[validate_no_c3])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    view_permission: ClassVar[str] = VIEW

    class Meta:
        verbose_name = _("home service")
        verbose_name_plural = _("home services")
        default_permissions = ()
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["org_unit", "served_on"], name="home_service_unit_day")]

    def __str__(self) -> str:
        return f"{self.served_on} {self.consumer.masked_name if self.consumer_id else ''}"

    def get_absolute_url(self) -> str:
        return reverse("special_services:home_service", args=[self.pk])
