"""Row access for work items, in one place: what lists, details, the API, exports, statistics and dropdowns
of every module build on.

- `visible_q(user, permission=, path_field=)`: the base rule of `visible_to(user)` — nothing without the
  view permission; everything with `core.view_all_units`; else the subtree of the user's unit (an index range
  on the materialised path). A module's `visible_to` may widen it (complaints add a unit a transfer is
  pending with, the handler, a unit asked to assist) but starts here (`WorkItemQuerySet.visible_to`).
- `in_subtree(qs, unit)` / `subtree_path_q`: the one way to filter by subtree (a range, never a LIKE).
- `subtree_visible(qs, user=, unit=)`: the rows of a unit's subtree as the user's lists show them, for
  statistics: `qs.visible_to(user)` narrowed to the subtree. Statistics analyse only a unit inside the
  user's scope; there every widening of `visible_to` reaches rows outside the subtree (a pending unit's,
  an ancestor's, another unit's) and the base rule keeps the whole subtree, so the result is the subtree
  itself — written as `unit_subtree_q` (the unit id in the subtree's ids: the statistics indexes' form).
  `casework/tests/test_scoping.py` checks it is the list's set on complaints with every widening.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import scope_q, subtree_q, unit_in_scope


def visible_q(user: Any, *, permission: str, path_field: str = "org_unit__path") -> Q | None:
    """The base visibility rule as a Q: None for everything, an always-false Q for nothing."""
    if not user.has_perm(permission):
        return Q(pk__in=[])
    return scope_q(user, path_field)


def subtree_path_q(unit: OrgUnit, path_field: str = "org_unit__path") -> Q:
    """Rows whose unit (reached through `path_field`) lies in the unit's subtree: an index range."""
    return subtree_q(unit.path, path_field)


def in_subtree(qs: QuerySet[Any], unit: OrgUnit, path_field: str = "org_unit__path") -> QuerySet[Any]:
    return qs.filter(subtree_path_q(unit, path_field))


def unit_subtree_q(unit: OrgUnit, fk: str = "org_unit") -> Q:
    """Rows whose unit (the foreign key `fk`) lies in the unit's subtree, as `fk IN (ids of the subtree)` — a
    range on the unit table, then the row table's own index on `fk`; nothing to filter at the root."""
    if unit.parent_id is None:
        return Q()
    return Q(**{f"{fk}__in": OrgUnit.objects.filter(subtree_q(unit.path)).values("pk")})


def may_see_subtree(user: Any, unit: OrgUnit, *, permission: str) -> bool:
    """The user holds the permission and the unit lies within the user's scope."""
    return bool(user.has_perm(permission)) and unit_in_scope(user, unit)


def subtree_visible(
    qs: QuerySet[Any], *, user: Any, unit: OrgUnit, permission: str = "", fk: str = "org_unit"
) -> QuerySet[Any]:
    """`qs.visible_to(user)` narrowed to the unit's subtree (see the module docstring): nothing when the unit
    lies outside the user's scope or the user lacks the model's view permission."""
    permission = permission or qs.model.view_permission
    if not may_see_subtree(user, unit, permission=permission):
        return qs.none()
    return qs.filter(unit_subtree_q(unit, fk))
