"""Read side of sales recording: the register, monthly progress (recorded ÷ required) with a subtree roll-up,
samples and their items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q, user_scope
from xiaobao.sales_recording.filtersets import apply_filters, recorded_q
from xiaobao.sales_recording.models import (
    VIEW_PERM,
    RecordedSale,
    RecordingSample,
    SampleItem,
    SamplingRule,
)


def sale_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[RecordedSale]:
    qs = RecordedSale.objects.visible_to(user).select_related("org_unit")
    return apply_filters(qs, filters or {}, user).order_by("-sale_at", "-id")


# --- progress -------------------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    unit: OrgUnit | None
    label: str
    required: int = 0
    recorded: int = 0

    @property
    def missing(self) -> int:
        return self.required - self.recorded

    @property
    def percent(self) -> Decimal | None:
        if not self.required:
            return None
        return (Decimal(self.recorded) * 100 / self.required).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Progress:
    root: OrgUnit
    year: int
    month: int
    total: ProgressRow
    units: list[ProgressRow] = field(default_factory=list)  # the root's child units, each its subtree
    months: list[ProgressRow] = field(default_factory=list)  # the root's subtree, month by month


def progress_root(user: Any, code: str | None) -> OrgUnit | None:
    """The unit the progress is for: the given code in the user's scope, else the user's own scope root."""
    units = OrgUnit.objects.visible_to(user)
    if code:
        return units.filter(code=code).first()
    scope = user_scope(user)
    if scope is None:
        return None
    if isinstance(scope, OrgUnit):
        return scope
    return units.filter(parent__isnull=True).order_by("path").first()


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _counts() -> dict[str, Any]:
    return {"required": Count("id"), "recorded": Count("id", filter=recorded_q())}


def sale_progress(*, user: Any, root: OrgUnit, year: int, month: int) -> Progress:
    """Sales requiring recording and those recorded in the month, for the root's subtree and for each child
    unit's subtree (one grouped query over the subtree's range, rolled up by path), and month by month."""
    start, end = _month_bounds(year, month)
    in_root = RecordedSale.objects.visible_to(user).filter(subtree_q(root.path, "org_unit__path"))
    by_path = {
        row["org_unit__path"]: row
        for row in in_root.filter(sale_at__gte=start, sale_at__lt=end)
        .values("org_unit__path")
        .annotate(**_counts())
        .order_by()
    }
    total = ProgressRow(root, root.name)
    for row in by_path.values():
        total.required += row["required"]
        total.recorded += row["recorded"]
    children = list(OrgUnit.objects.filter(parent=root).order_by("path"))
    units = []
    for child in children:
        line = ProgressRow(child, child.name)
        for path, row in by_path.items():
            if path.startswith(child.path):
                line.required += row["required"]
                line.recorded += row["recorded"]
        if line.required or child.kind != "department":  # departments sell nothing: shown only with sales
            units.append(line)
    own = [row for path, row in by_path.items() if path == root.path]
    if own:
        units.insert(0, ProgressRow(root, root.name, own[0]["required"], own[0]["recorded"]))
    year_start, _unused = _month_bounds(year, 1)
    year_end = _month_bounds(year, 12)[1]
    tz = timezone.get_default_timezone()
    series = {
        row["m"]: row
        for row in in_root.filter(sale_at__gte=year_start, sale_at__lt=year_end)
        .annotate(m=ExtractMonth("sale_at", tzinfo=tz))
        .values("m")
        .annotate(**_counts())
        .order_by()
    }
    months = [
        ProgressRow(
            None,
            f"{year}-{m:02d}",
            series.get(m, {}).get("required", 0),
            series.get(m, {}).get("recorded", 0),
        )
        for m in range(1, 13)
    ]
    return Progress(root, year, month, total, units, months)


# --- samples --------------------------------------------------------------------------------------------


def sample_list(*, user: Any) -> QuerySet[RecordingSample]:
    return (
        RecordingSample.objects.visible_to(user)
        .select_related("org_unit", "rule", "created_by")
        .annotate(
            item_count=Count("items"),
            must_count=Count("items", filter=Q(items__reason="must_check")),
            checked=Count("items", filter=Q(items__inspection__status="submitted")),
        )
        .order_by("-year", "-quarter", "org_unit__path", "-id")
    )


def sample_detail(*, user: Any, pk: int) -> RecordingSample | None:
    return (
        RecordingSample.objects.visible_to(user)
        .select_related("org_unit", "rule", "created_by")
        .filter(pk=pk)
        .first()
    )


@dataclass
class ItemView:
    item: SampleItem
    findings: list[Any]


def sample_items(sample: RecordingSample) -> list[ItemView]:
    """The sample's items with their sale, check (inspection) and the check's findings (two queries)."""
    from xiaobao.inspections.models import Finding

    items = list(
        SampleItem.objects.filter(sample=sample)
        .select_related("sale__org_unit", "inspection")
        .order_by("stratum", "sale__sale_at", "id")
    )
    ids = [i.inspection_id for i in items if i.inspection_id]
    findings: dict[int, list[Any]] = {}
    for f in Finding.objects.filter(inspection_id__in=ids).order_by("id") if ids else []:
        findings.setdefault(f.inspection_id or 0, []).append(f)
    return [ItemView(i, findings.get(i.inspection_id or 0, [])) for i in items]


def sample_item_for(*, user: Any, pk: int) -> SampleItem | None:
    """A sample item of a sample the user may see."""
    visible = RecordingSample.objects.visible_to(user)
    return (
        SampleItem.objects.filter(pk=pk, sample__in=visible)
        .select_related("sample", "sale__org_unit")
        .first()
    )


def active_rules() -> QuerySet[SamplingRule]:
    return SamplingRule.objects.filter(is_active=True).order_by("code")


def home_panel(user: Any) -> dict[str, Any]:
    """This month's recording progress in the user's scope and the sampled sales still to check."""
    if not user.has_perm(VIEW_PERM):
        return {}
    root = progress_root(user, None)
    if root is None:
        return {}
    today = timezone.localdate()
    start, end = _month_bounds(today.year, today.month)
    month = (
        RecordedSale.objects.visible_to(user)
        .filter(subtree_q(root.path, "org_unit__path"), sale_at__gte=start, sale_at__lt=end)
        .aggregate(**_counts())
    )
    row = ProgressRow(root, root.name, month["required"], month["recorded"])
    to_check = (
        SampleItem.objects.filter(sample__in=RecordingSample.objects.visible_to(user))
        .exclude(inspection__status="submitted")
        .count()
    )
    if not row.required and not to_check:
        return {}
    return {"month": row, "to_check": to_check, "today": today}
