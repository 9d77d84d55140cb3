from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Nav, nav_entries

# The menus of the bar (label, place). Modules name one in `Nav.group`; entries without a group stand on the
# bar. With twenty entries for a head-office officer a flat bar no longer fits a 1366 px screen.
NAV_GROUPS = {
    "review": (pgettext_lazy("menu", "Review & disclosure"), 30),
    "field": (pgettext_lazy("menu", "Inspections & rectification"), 45),
    "people": (pgettext_lazy("menu", "Training & exams"), 50),
    "outreach": (pgettext_lazy("menu", "Education & services"), 55),
    "governance": (pgettext_lazy("menu", "Governance & policies"), 90),
    "admin": (pgettext_lazy("menu", "Administration"), 100),
}

# core's own entries; every module adds its own (`Module.nav`), placed by their order between these
CORE_NAV = [
    Nav("core:home", _("Home"), None, order=0),
    Nav("core:consumers", _("Consumers"), "core.view_consumer", order=100, group="admin"),
    Nav("core:org_tree", _("Organisation"), None, order=110, group="admin"),
    Nav("core:users", _("Users"), "core.manage_users", order=120, group="admin"),
    Nav("core:calendar", _("Calendar"), None, order=130, group="admin"),
    Nav("core:audit", _("Audit trail"), "core.view_auditevent", order=140, group="admin"),
]


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The bar for a user: entries and menus (`children`) in order, each holding what the user may open;
    a menu with one entry for the user becomes that entry."""
    items = sorted([*CORE_NAV, *nav_entries()], key=lambda n: n.order)
    bar: list[dict[str, Any]] = []
    menus: dict[str, dict[str, Any]] = {}
    for n in items:
        if n.permission is not None and not user.has_perm(n.permission):
            continue
        entry: dict[str, Any] = {"url": n.url_name, "label": n.label}
        if not n.group or n.group not in NAV_GROUPS:
            bar.append({**entry, "order": n.order})
            continue
        menu = menus.get(n.group)
        if menu is None:
            label, order = NAV_GROUPS[n.group]
            menu = menus[n.group] = {"group": n.group, "label": label, "order": order, "children": []}
            bar.append(menu)
        menu["children"].append(entry)
    out: list[dict[str, Any]] = []
    for item in sorted(bar, key=lambda e: e["order"]):
        children = item.get("children")
        out.append({**children[0], "order": item["order"]} if children and len(children) == 1 else item)
    return out


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation by module, filtered by the user's permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"institution_name": settings.INSTITUTION_NAME}
    return {"nav_items": nav_for(user), "institution_name": settings.INSTITUTION_NAME}
