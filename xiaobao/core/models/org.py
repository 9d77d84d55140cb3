from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q, subtree_q

PATH_SEGMENT = 8  # digits per level: the unit's id, zero-padded


class OrgUnitKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")
    SUB_BRANCH = "sub_branch", _("Sub-branch")
    OUTLET = "outlet", _("Outlet")
    DEPARTMENT = "department", _("Department")


# Which kinds may sit directly under which (departments may sit anywhere).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgUnitKind.HEAD_OFFICE: {None},
    OrgUnitKind.BRANCH: {OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH},
    OrgUnitKind.SUB_BRANCH: {OrgUnitKind.BRANCH},
    OrgUnitKind.OUTLET: {OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH},
    OrgUnitKind.DEPARTMENT: {
        OrgUnitKind.HEAD_OFFICE,
        OrgUnitKind.BRANCH,
        OrgUnitKind.SUB_BRANCH,
        OrgUnitKind.DEPARTMENT,
    },
}


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def subtree(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(subtree_q(unit.path))

    def visible_to(self, user: Any) -> OrgUnitQuerySet:
        q = scope_q(user, "path")
        return self if q is None else self.filter(q)

    def active(self) -> OrgUnitQuerySet:
        return self.filter(is_active=True)


class OrgUnit(TimeStampedModel):
    """A unit of the institution tree: head office, branch, sub-branch, outlet or department.

    `path` is a materialised path of zero-padded ids ("00000001" + "00000004" + …) so a subtree is one
    index range scan; `depth` is the number of segments.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=1, editable=False)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()
    audit_exclude = ("path", "depth")

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        permissions = [
            ("view_all_units", "See every unit's data, not only the own subtree"),
            ("manage_org", "Create, move, rename and close units; enter yearly figures"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(kind="head_office"),
                name="orgunit_head_office_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent is not None else None
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
        if parent_kind not in allowed:
            raise ValidationError({"parent": _("A unit of this kind cannot be placed there.")})
        if self.parent_id and self.parent and not self.parent.is_active and self.is_active:
            raise ValidationError({"parent": _("The parent unit is closed.")})

    def is_ancestor_of(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> OrgUnitQuerySet:
        prefixes = [self.path[:i] for i in range(PATH_SEGMENT, len(self.path), PATH_SEGMENT)]
        return OrgUnit.objects.filter(path__in=prefixes).order_by("depth")


class OrgUnitYearFigure(TimeStampedModel):
    """Denominators for normalised statistics, entered per unit and year."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="year_figures", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    retail_customers = models.PositiveIntegerField(_("retail customers"), default=0)
    outlets = models.PositiveIntegerField(_("outlets"), default=0)

    class Meta:
        ordering = ["unit__path", "-year"]
        verbose_name = _("yearly figure")
        verbose_name_plural = _("yearly figures")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="orgunit_year_figure_unique")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}"
