"""Helpers shared by the complaint pages: permissions, fetching one complaint for the user, urgency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiaobao.complaints.choices import ClockState
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import complaint_detail
from xiaobao.core.workdays import get_calendar

VIEW = "complaints.view_complaint"
REGISTER = "complaints.register_complaint"
HANDLE = "complaints.handle_complaint"
APPROVE = "complaints.approve_complaint"
EXPORT = "complaints.export_complaint"
SOON_DAYS = 3  # amber from this many days before the due date

T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    """A due date as the pages show it: a colour (`ok`, `warn`, `bad` or none) and a countdown."""

    date: dt.date | None
    css: str
    text: str


def late_days(due: dt.date, met_on: dt.date, unit: str) -> int:
    """Days after the due date up to and including the day the clock was met: working days for a
    working-day rule, calendar days otherwise; 0 when met on or before the due date."""
    if met_on <= due:
        return 0
    if unit != "working":
        return (met_on - due).days
    cal = get_calendar()
    return sum(cal.is_workday(due + dt.timedelta(days=i)) for i in range(1, (met_on - due).days + 1))


def due_info(
    due: dt.date | None,
    state: str | None,
    today: dt.date | None = None,
    *,
    met_on: dt.date | None = None,
    unit: str = "calendar",
) -> Due:
    """The due date with its colour and text. A clock met late (stored as breached, with `met_on`) says how
    late it was met, in the rule's unit; only a clock not yet met counts to today."""
    today = today or timezone.localdate()
    if due is None:
        return Due(None, "", "")
    if state == ClockState.MET:
        return Due(due, "ok", _("met"))
    if state == ClockState.STOPPED:
        return Due(due, "", _("stopped"))
    if met_on is not None:
        n = late_days(due, met_on, unit)
        if n == 0:
            return Due(due, "bad", _("breached"))
        if unit == "working":
            text = ngettext("Concluded %(n)d working day late", "Concluded %(n)d working days late", n)
        else:
            text = ngettext("Concluded %(n)d day late", "Concluded %(n)d days late", n)
        return Due(due, "bad", text % {"n": n})
    left = (due - today).days
    if left < 0 or state == ClockState.BREACHED:
        n = max(0, -left)
        text = ngettext("%(n)d day overdue", "%(n)d days overdue", n) % {"n": n} if n else _("breached")
        return Due(due, "bad", text)
    if left == 0:
        return Due(due, "warn", _("due today"))
    text = ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    if state == ClockState.PAUSED:
        text = _("paused · %(left)s") % {"left": text}
    return Due(due, "warn" if left <= SOON_DAYS else "", text)


def with_due(rows: Iterable[T], today: dt.date | None = None) -> list[T]:
    """Materialise list rows and attach `.due`: the row's decision clock (decision_due/_state, decided_on =
    the clock's met_on, all kept on the complaint row) and its rule's unit (`decision_unit`, annotated by the
    selectors)."""
    today = today or timezone.localdate()
    out = list(rows)
    for row in out:
        row.due = due_info(  # type: ignore[attr-defined]
            getattr(row, "decision_due", None),
            getattr(row, "decision_state", None),
            today,
            met_on=getattr(row, "decided_on", None),
            unit=getattr(row, "decision_unit", None) or "calendar",
        )
    return out


def get_complaint(request: HttpRequest, pk: int) -> Complaint:
    """The complaint if the user may see it; 404 otherwise (never 403: its existence is not revealed)."""
    complaint = complaint_detail(user=request.user, pk=pk)
    if complaint is None:
        raise Http404
    return complaint


def safe_next(request: HttpRequest, url: Any) -> str | None:
    """A same-site URL to go back to, or None."""
    url = str(url or "")
    ok = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok else None
