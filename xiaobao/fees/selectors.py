"""Read side of the fee catalogue. Staff pages start from `FeeItem.objects.visible_to(user)`; the public
pages read only disclosed versions (published or superseded), never a draft, an in-review or a rejected one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.fees.choices import DISCLOSED, PENDING, Category, Status
from xiaobao.fees.models import FeeItem, FeeVersion, in_force_q

LIST_RELATED = ("org_unit",)


class FeeFilter(forms.Form):
    """One filter set for the catalogue page, its export and the API list."""

    q = forms.CharField(label=_("Code or service"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)
    status = forms.ChoiceField(
        label=_("Has a version that is"), choices=[("", "—"), *Status.choices], required=False
    )


def apply_filters(qs: QuerySet[FeeItem], data: dict[str, Any], user: Any) -> QuerySet[FeeItem]:
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("unit"):
        # any unit: the rows stay those `visible_to` gave (the head office's code: its subtree, all of them)
        unit = OrgUnit.objects.filter(code=data["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if data.get("status"):
        qs = qs.filter(pk__in=FeeVersion.objects.filter(status=data["status"]).values("item_id"))
    return qs


def with_versions(qs: QuerySet[FeeItem], day: dt.date) -> QuerySet[FeeItem]:
    """Each item with `current` (the versions in force on `day`, at most one), `upcoming` (published, not
    yet in force) and `pending` (the draft or in-review change) as prefetched lists."""
    return qs.prefetch_related(
        Prefetch("versions", FeeVersion.objects.filter(in_force_q(day)), to_attr="current"),
        Prefetch(
            "versions",
            FeeVersion.objects.filter(status=Status.PUBLISHED, effective_from__gt=day).order_by(
                "effective_from"
            ),
            to_attr="upcoming",
        ),
        Prefetch(
            "versions",
            FeeVersion.objects.filter(status__in=PENDING).select_related("review"),
            to_attr="pending",
        ),
    )


def category_rank(field: str = "category") -> Case:
    """The categories in their declared order (account services first), not alphabetically by code."""
    return Case(
        *[When(**{field: c}, then=Value(i)) for i, c in enumerate(Category.values)],
        default=Value(len(Category.values)),
        output_field=IntegerField(),
    )


def fee_list(*, user: Any, filters: dict[str, Any] | None = None, day: dt.date) -> QuerySet[FeeItem]:
    qs = apply_filters(FeeItem.objects.visible_to(user), filters or {}, user).select_related(*LIST_RELATED)
    return with_versions(qs.order_by(category_rank(), "order", "code"), day)


def fee_detail(*, user: Any, pk: int) -> FeeItem | None:
    return (
        FeeItem.objects.visible_to(user)
        .select_related("org_unit", "created_by")
        .prefetch_related(
            Prefetch(
                "versions",
                FeeVersion.objects.select_related("review", "created_by", "submitted_by", "published_by"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def first(rows: list[Any] | None) -> Any:
    return rows[0] if rows else None


# --- the public catalogue --------------------------------------------------------------------------------


@dataclass
class PublicRow:
    item: FeeItem
    version: FeeVersion


@dataclass
class PublicGroup:
    category: str
    label: str
    rows: list[PublicRow] = field(default_factory=list)


def public_units() -> QuerySet[OrgUnit]:
    """Units with fees of their own (the choice on the public page); the head office is the default."""
    with_items = FeeItem.objects.filter(org_unit__parent__isnull=False).values("org_unit_id")
    return OrgUnit.objects.active().filter(pk__in=with_items).order_by("path")


def public_unit(code: str) -> OrgUnit | None:
    """The unit the public page is for: an active unit by code; None for the institution (the root)."""
    if not code:
        return None
    return OrgUnit.objects.active().filter(code=code).first()


def public_items(unit: OrgUnit | None) -> QuerySet[FeeItem]:
    """The items whose fees apply at the unit (its own and its ancestors'); the institution-wide ones alone
    without a unit."""
    qs = FeeItem.objects.select_related("org_unit")
    if unit is None:
        return qs.filter(org_unit__parent__isnull=True)
    return qs.applying_at(unit)


def _grouped(pairs: list[PublicRow]) -> list[PublicGroup]:
    labels = dict(Category.choices)
    groups: dict[str, PublicGroup] = {}
    for category in Category.values:
        groups[category] = PublicGroup(category, str(labels[category]))
    for row in pairs:
        groups[row.item.category].rows.append(row)
    return [g for g in groups.values() if g.rows]


def public_in_force(unit: OrgUnit | None, day: dt.date) -> list[PublicGroup]:
    """The fees in force on `day`, grouped by category."""
    versions = (
        FeeVersion.objects.filter(in_force_q(day), item__in=public_items(unit))
        .select_related("item__org_unit")
        .order_by("item__category", "item__order", "item__code")
    )
    return _grouped([PublicRow(v.item, v) for v in versions])


def public_upcoming(unit: OrgUnit | None, day: dt.date) -> list[PublicRow]:
    """Published changes not yet in force (announced in advance), soonest first."""
    versions = (
        FeeVersion.objects.filter(
            status=Status.PUBLISHED, effective_from__gt=day, item__in=public_items(unit)
        )
        .select_related("item__org_unit")
        .order_by("effective_from", "item__category", "item__order", "item__code")
    )
    return [PublicRow(v.item, v) for v in versions]


def public_history(unit: OrgUnit | None, day: dt.date) -> list[PublicGroup]:
    """Every disclosed version that ended before `day`, grouped by category, newest first in each item."""
    versions = (
        FeeVersion.objects.filter(status__in=DISCLOSED, effective_to__lt=day, item__in=public_items(unit))
        .select_related("item__org_unit")
        .order_by("item__category", "item__order", "item__code", "-effective_from")
    )
    return _grouped([PublicRow(v.item, v) for v in versions])
