from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation by module, filtered by the user's permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"institution_name": settings.INSTITUTION_NAME}
    items = [
        ("core:home", _("Home"), None),
        ("complaints:list", _("Complaints"), "complaints.view_complaint"),
        ("analytics:dashboard", _("Statistics"), "complaints.view_complaint"),
        ("early_warning:list", _("Early warnings"), "early_warning.view_earlywarning"),
        ("reports:list", _("Reports"), "reports.view_reportjob"),
        ("imports:list", _("Import"), "imports.import_complaints"),
        ("core:consumers", _("Consumers"), "core.view_consumer"),
        ("core:org_tree", _("Organisation"), None),
        ("core:users", _("Users"), "core.manage_users"),
        ("core:calendar", _("Calendar"), None),
        ("core:audit", _("Audit trail"), "core.view_auditevent"),
    ]
    nav = [{"url": url, "label": label} for url, label, perm in items if perm is None or user.has_perm(perm)]
    return {"nav_items": nav, "institution_name": settings.INSTITUTION_NAME}
