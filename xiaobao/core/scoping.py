"""Branch scoping: who sees which part of the institution tree.

Every model that belongs to a unit gets `objects.visible_to(user)` built on `unit_path_filter`, and every
list, detail, API endpoint, export and form choice goes through it. A user either sees everything
(permission `core.view_all_units`: head-office consumer protection, auditors, administrators) or the subtree
rooted at their own unit. Nobody without a unit sees anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from xiaobao.core.models import OrgUnit

ALL = "__all__"


def path_upper_bound(path: str) -> str:
    """Smallest digit string of the same length greater than every path starting with `path`."""
    return str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose materialised path lies in the subtree at `path` (index range scan on both databases)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


def user_scope(user: Any) -> OrgUnit | str | None:
    """ALL, the user's own unit (subtree root), or None when the user may see nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.has_perm("core.view_all_units"):
        return ALL
    return user.org_unit if user.org_unit_id else None


def scope_q(user: Any, path_field: str) -> Q | None:
    """Q restricting `path_field` to the user's scope; None means no restriction; raises nothing."""
    scope = user_scope(user)
    if scope == ALL:
        return None
    if scope is None:
        return Q(pk__in=[])
    return subtree_q(scope.path, path_field)  # type: ignore[union-attr]


def import_root(user: Any) -> OrgUnit | None:
    """Root for writes that must stay inside the user's scope: None = the whole institution.

    Refuses a user who sees nothing (no unit, no view-all permission) rather than treating them as "all".
    """
    from django.core.exceptions import PermissionDenied

    scope = user_scope(user)
    if scope is None:
        raise PermissionDenied
    return None if scope == ALL else scope  # type: ignore[return-value]


def unit_in_scope(user: Any, unit: OrgUnit) -> bool:
    scope = user_scope(user)
    if scope == ALL:
        return True
    if scope is None:
        return False
    root_path = scope.path  # type: ignore[union-attr]
    return unit.path.startswith(root_path)
