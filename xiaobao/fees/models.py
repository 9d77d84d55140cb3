"""The fee catalogue (收费目录): a service (`FeeItem`) and the versions of its fee (`FeeVersion`).

A fee change is a draft version; it goes through a fee review (a `review.Review` of kind fee_change) and is
published when the review passes: from its effective date it is the fee in force, and the version before it
ends the day before (status superseded). Which version is in force on a day is read from the dates of the
disclosed (published or superseded) versions, never from a flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import scope_q
from xiaobao.fees.choices import DISCLOSED, PENDING, Category, PriceBasis, Status

VIEW = "fees.view_feeitem"
MANAGE = "fees.manage_fees"
PUBLISH = "fees.publish_fees"


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Versions in force on `day`: disclosed, started on or before it, not ended before it."""
    return Q(**{f"{prefix}status__in": DISCLOSED, f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": day})
    )


class FeeItemQuerySet(models.QuerySet["FeeItem"]):
    def visible_to(self, user: Any) -> FeeItemQuerySet:
        """With the view permission: the items of the user's subtree, and the institution-wide items (the
        head office's, which apply everywhere) for everybody."""
        if not user.has_perm(VIEW):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q | Q(org_unit__parent__isnull=True))

    def applying_at(self, unit: Any) -> FeeItemQuerySet:
        """Items whose fees apply at `unit`: its own and those of every unit above it (the head office's
        institution-wide ones included)."""
        paths = [unit.path[:i] for i in range(PATH_SEGMENT, len(unit.path) + 1, PATH_SEGMENT)]
        return self.filter(org_unit__path__in=paths)


class FeeItem(TimeStampedModel):
    """A service the institution charges for, in the catalogue: its fee lives in its versions."""

    view_permission: ClassVar[str] = VIEW

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("service"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("The unit whose fee it is; the head office's fees apply to the whole institution."),
    )
    description = models.TextField(_("service description"), blank=True, max_length=1000)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = FeeItemQuerySet.as_manager()

    class Meta:
        ordering = ["category", "order", "code"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        permissions = [
            ("manage_fees", "Can prepare fee changes"),
            ("publish_fees", "Can publish fee changes whose fee review has passed"),
        ]
        indexes = [models.Index(fields=["org_unit", "category"], name="fee_item_unit_category")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("fees:detail", args=[self.pk])

    @property
    def institution_wide(self) -> bool:
        return self.org_unit.parent_id is None


class FeeVersion(TimeStampedModel):
    """One version of an item's fee: the text shown to customers, the amount when it is one number, the basis,
    the discounts, the dates it is in force, and the fee review that approved it."""

    item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    fee = models.CharField(
        _("fee"),
        max_length=200,
        help_text=_("As customers read it, e.g. 每笔5元 or 0.5%，最低2元，最高50元."),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("When the fee is one number (e.g. 5.00); empty for rates, ranges and tiers."),
    )
    amount_unit = models.CharField(_("per"), max_length=20, blank=True, help_text=_("e.g. 元/笔, 元/年."))
    basis = models.CharField(_("pricing basis"), max_length=10, choices=PriceBasis.choices)
    basis_document = models.CharField(
        _("basis document"),
        max_length=300,
        blank=True,
        help_text=_("The rule or decision the fee rests on (收费依据)."),
    )
    discounts = models.TextField(_("discounts and waivers"), blank=True, max_length=2000)
    reason = models.TextField(_("reason for the change"), blank=True, max_length=2000)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    review = models.ForeignKey(
        "review.Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fee_versions",
        verbose_name=_("fee review"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("fee version")
        verbose_name_plural = _("fee versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="fee_version_unique_number"),
            # one change at a time: at most one draft or in-review version per item
            models.UniqueConstraint(
                fields=["item"], condition=Q(status__in=PENDING), name="fee_version_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="fee_version_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="fee_version_status_from")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def in_force_on(self, day: dt.date) -> bool:
        return (
            self.status in DISCLOSED
            and self.effective_from <= day
            and (self.effective_to is None or self.effective_to >= day)
        )
