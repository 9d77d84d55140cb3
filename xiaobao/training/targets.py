"""Target hours: how many hours a person must have in a year.

The rule, one definition for a person's record and for coverage: a person of unit U and layer L is measured
against the **nearest plan up the tree** (U itself, then its parent, … up to head office) of that year that
sets a target for L (a `LayerTarget`). A branch plan without a target for L does not hide head office's
target for L. No such plan → no target (None): the person is not counted in coverage.

- `target_hours_for(staff, year)` — one person (one query).
- `target_table(year)` — every target of the year, resolved in memory (`TargetTable.for_unit`).
- `targets_by_unit_layer(year, root=None)` — {(unit path, layer id): hours} for every unit (of a subtree).
- `target_expression(year, …)` — the same rule as an SQL CASE for querysets of staff (or attendance) rows:
  coverage compares summed hours to it without loading people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Q, Value, When

from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q

if TYPE_CHECKING:
    from xiaobao.core.models import OrgUnit
    from xiaobao.training.models import StaffMember


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's, nearest first."""
    return [path[:i] for i in range(len(path), 0, -PATH_SEGMENT)]


@dataclass(frozen=True)
class TargetTable:
    """The year's layer targets keyed by (plan unit path, layer id)."""

    year: int
    targets: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def for_unit(self, path: str, layer_id: int) -> Decimal | None:
        """The target of a person of unit `path` and layer `layer_id` (nearest plan up the tree)."""
        for prefix in ancestor_paths(path):
            found = self.targets.get((prefix, layer_id))
            if found is not None:
                return found
        return None

    def layers(self) -> set[int]:
        return {layer for _, layer in self.targets}

    def __bool__(self) -> bool:
        return bool(self.targets)

    def deepest_first(self) -> list[tuple[str, int, Decimal]]:
        """(plan unit path, layer id, hours), deeper plans first: the first match is the nearest."""
        rows = [(path, layer, hours) for (path, layer), hours in self.targets.items()]
        return sorted(rows, key=lambda r: (-len(r[0]), r[0], r[1]))


def target_table(year: int) -> TargetTable:
    """Every layer target of the year's plans (one query)."""
    from xiaobao.training.models import LayerTarget

    rows = LayerTarget.objects.filter(plan__year=year).values_list(
        "plan__org_unit__path", "layer_id", "target_hours"
    )
    return TargetTable(year=year, targets={(path, layer): hours for path, layer, hours in rows})


def target_hours_for(staff: StaffMember, year: int) -> Decimal | None:
    """The hours `staff` must have in `year`: the nearest plan up the tree with a target for their layer."""
    from xiaobao.training.models import LayerTarget

    path = staff.org_unit.path
    found = (
        LayerTarget.objects.filter(
            plan__year=year, layer_id=staff.layer_id, plan__org_unit__path__in=ancestor_paths(path)
        )
        .values_list("plan__org_unit__path", "target_hours")
        .order_by()
    )
    best: tuple[str, Decimal] | None = None
    for unit_path, hours in found:
        if best is None or len(unit_path) > len(best[0]):
            best = (unit_path, hours)
    return best[1] if best else None


def targets_by_unit_layer(
    year: int, root: OrgUnit | None = None, *, table: TargetTable | None = None
) -> dict[tuple[str, int], Decimal]:
    """{(unit path, layer id): target hours} for every unit (of `root`'s subtree, else all) and every layer
    some plan of the year sets a target for; pairs without a target are absent."""
    from xiaobao.core.models import OrgUnit

    table = table if table is not None else target_table(year)
    if not table:
        return {}
    units = OrgUnit.objects.all() if root is None else OrgUnit.objects.filter(subtree_q(root.path))
    layers = sorted(table.layers())
    out: dict[tuple[str, int], Decimal] = {}
    for path in units.values_list("path", flat=True).iterator():
        for layer in layers:
            hours = table.for_unit(path, layer)
            if hours is not None:
                out[(path, layer)] = hours
    return out


def target_expression(
    year: int,
    *,
    path_field: str = "org_unit__path",
    layer_field: str = "layer_id",
    table: TargetTable | None = None,
) -> Case | Value:
    """An SQL expression giving each row's target hours (NULL when none) by the nearest-plan rule: one WHEN
    per layer target of the year, deepest plan first (the first match wins), each a range on the path."""
    table = table if table is not None else target_table(year)
    output = models.DecimalField(max_digits=5, decimal_places=1)
    whens = [
        When(Q(**{layer_field: layer}) & subtree_q(path, path_field), then=Value(hours, output_field=output))
        for path, layer, hours in table.deepest_first()
    ]
    if not whens:
        return Value(None, output_field=output)
    return Case(*whens, default=Value(None, output_field=output), output_field=output)


def describe(staff: Any, year: int) -> dict[str, Any]:
    """The target and the plan it comes from, for a person's record page."""
    from xiaobao.training.models import LayerTarget

    path = staff.org_unit.path
    rows = list(
        LayerTarget.objects.filter(
            plan__year=year, layer_id=staff.layer_id, plan__org_unit__path__in=ancestor_paths(path)
        ).select_related("plan", "plan__org_unit")
    )
    if not rows:
        return {"hours": None, "plan": None}
    best = max(rows, key=lambda t: len(t.plan.org_unit.path))
    return {"hours": best.target_hours, "plan": best.plan}
