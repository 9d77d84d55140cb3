"""Read side of the foundation: every function takes the acting user and applies `visible_to(user)`.

Each list has one filter function used by the HTML page, the API and the Excel export alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiaobao.core.models import AuditEvent, Consumer, OrgUnit, User


def _day_start(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


def audit_event_list(*, user: Any, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(user)
    if filters.get("user"):
        qs = qs.filter(actor_username=filters["user"])
    if filters.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=filters["unit"]).first()
        qs = qs.filter(unit_path__startswith=unit.path) if unit else qs.none()
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("date_from"):
        qs = qs.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    return qs.order_by("-id")


def org_unit_list(
    *, user: Any, q: str = "", kind: str = "", include_closed: bool = False, parent: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.visible_to(user)
    if not include_closed:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("path")


def org_tree_rows(*, user: Any, q: str = "", include_closed: bool = False) -> list[OrgUnit]:
    """Units in tree order with user counts, depth relative to the user's top visible unit."""
    qs = org_unit_list(user=user, q=q, include_closed=include_closed).annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    )
    rows: list[OrgUnit] = list(qs)
    top = min((u.depth for u in rows), default=1)
    for u in rows:
        u.indent = u.depth - top  # type: ignore[attr-defined]
    return rows


def user_list(
    *, user: Any, q: str = "", unit: OrgUnit | None = None, role: str = "", include_inactive: bool = False
) -> QuerySet[User]:
    qs = User.objects.visible_to(user).select_related("org_unit").prefetch_related("groups")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(groups__name=role)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return qs.order_by("username")


def consumer_list(*, user: Any, q: str = "") -> QuerySet[Consumer]:
    qs = Consumer.objects.visible_to(user).select_related("org_unit")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("-id")


def health_status() -> tuple[int, dict[str, str]]:
    """(HTTP status, body) of the check behind `/health` and `/api/v1/health`: is the database up?"""
    from django.db import connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception:
        return 503, {"status": "error", "database": "unavailable"}
    return 200, {"status": "ok", "database": "ok"}


def admin_warnings(*, user: Any) -> list[str]:
    """Problems an administrator must act on: calendar years without data, development vault keys."""
    from django.utils.translation import gettext as _

    from xiaobao.core.vault.keys import keyring
    from xiaobao.core.workdays import missing_years

    if not (user.has_perm("core.manage_calendar") or user.has_perm("core.manage_users")):
        return []
    warnings = []
    today = timezone.localdate()
    years = [today.year, today.year + 1]
    for year in missing_years(years):
        warnings.append(
            _(
                "No holiday data for %(year)s: deadlines in that year are provisional (weekends "
                "only). Enter the State Council notice on the calendar page."
            )
            % {"year": year}
        )
    if keyring().is_development:
        warnings.append(
            _(
                "The personal-data vault uses a development key. Configure real keys before "
                "storing real customers' data."
            )
        )
    return warnings
