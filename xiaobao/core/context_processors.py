from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Nav, nav_entries

# core's own entries; every module adds its own (`Module.nav`), placed by their order between these
CORE_NAV = [
    Nav("core:home", _("Home"), None, order=0),
    Nav("core:consumers", _("Consumers"), "core.view_consumer", order=100),
    Nav("core:org_tree", _("Organisation"), None, order=110),
    Nav("core:users", _("Users"), "core.manage_users", order=120),
    Nav("core:calendar", _("Calendar"), None, order=130),
    Nav("core:audit", _("Audit trail"), "core.view_auditevent", order=140),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation by module, filtered by the user's permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"institution_name": settings.INSTITUTION_NAME}
    items = sorted([*CORE_NAV, *nav_entries()], key=lambda n: n.order)
    nav = [
        {"url": n.url_name, "label": n.label}
        for n in items
        if n.permission is None or user.has_perm(n.permission)
    ]
    return {"nav_items": nav, "institution_name": settings.INSTITUTION_NAME}
