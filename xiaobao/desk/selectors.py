"""Read side of the desk: the queue filtered like the list, saved views and their counts, bulk runs — every
read starts from the acting user (`visible_to(user)` / `workable_by(user)` through the complaint
selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, QuerySet, Value, When

from xiaobao.complaints.filtersets import ORDERINGS, apply_filters
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import LIST_COUNT_CAP, complaint_list, my_queue
from xiaobao.desk.models import BulkRun, SavedView, ViewScope

VIEW = "complaints.view_complaint"
HOME_VIEWS = 10  # views counted on the home page (one COUNT each)
COUNT_CAP = LIST_COUNT_CAP  # a view's count stops here ("more than 10,000"), as the list's does


def queue_rows(*, user: Any, filters: dict[str, Any]) -> QuerySet[Complaint]:
    """The handler's queue (`my_queue`) narrowed by the list's filters; ordered by the chosen order, else by
    due date as the queue always is."""
    qs = my_queue(user=user)
    if filters:
        qs = apply_filters(qs, filters, user)
    if filters.get("ordering") in ORDERINGS:
        qs = qs.order_by(*ORDERINGS[filters["ordering"]])
    elif filters:
        qs = qs.order_by(F("decision_due").asc(nulls_last=True), "id")
    return qs


def filtered_rows(*, user: Any, scope: str, filters: dict[str, Any]) -> QuerySet[Complaint]:
    """What the list (in the user's scope) or the queue shows for these filters."""
    if scope == ViewScope.QUEUE:
        return queue_rows(user=user, filters=filters)
    return complaint_list(user=user, filters=filters)


def saved_views(*, user: Any, scope: str | None = None) -> QuerySet[SavedView]:
    """The user's own views and those shared with the user's unit (none without the complaint list)."""
    if not user.has_perm(VIEW):
        return SavedView.objects.none()
    qs = SavedView.objects.for_user(user).select_related("owner")
    return qs.filter(scope=scope) if scope else qs


def saved_view(*, user: Any, pk: int) -> SavedView | None:
    return saved_views(user=user).filter(pk=pk).first()


def view_count(*, user: Any, view: SavedView) -> int:
    """Complaints matching the view within the user's scope, counted up to COUNT_CAP + 1 (one COUNT)."""
    from xiaobao.desk.services import parse_filter

    try:
        _query, filters = parse_filter(view.query, prefix="")
    except Exception:  # a view saved before a filter changed: nothing matches rather than an error
        return 0
    rows = filtered_rows(user=user, scope=view.scope, filters=filters)
    return rows.order_by()[: COUNT_CAP + 1].count()


def home_panel(*, user: Any) -> dict[str, Any] | None:
    """The user's views with their counts (at most HOME_VIEWS, own first) for the home page; None without."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return None
    mine_first = Case(When(owner_id=user.pk, then=Value(0)), default=Value(1))
    views = list(saved_views(user=user).order_by(mine_first, "scope", "name", "id")[: HOME_VIEWS + 1])
    if not views:
        return None
    shown = views[:HOME_VIEWS]
    rows = [{"view": v, "count": view_count(user=user, view=v), "own": v.owner_id == user.pk} for v in shown]
    return {"views": rows, "more": len(views) > HOME_VIEWS, "cap": COUNT_CAP}


def bulk_runs(*, user: Any) -> QuerySet[BulkRun]:
    """The user's own bulk runs (nobody else's: another's run is a 404)."""
    return BulkRun.objects.filter(requested_by_id=user.pk)
