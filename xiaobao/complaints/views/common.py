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


def due_info(due: dt.date | None, state: str | None, today: dt.date | None = None) -> Due:
    today = today or timezone.localdate()
    if due is None:
        return Due(None, "", "")
    if state == ClockState.MET:
        return Due(due, "ok", _("met"))
    if state == ClockState.STOPPED:
        return Due(due, "", _("stopped"))
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
    """Materialise list rows (annotated by the selectors with decision_due/_state) and attach `.due`."""
    today = today or timezone.localdate()
    out = list(rows)
    for row in out:
        row.due = due_info(getattr(row, "decision_due", None), getattr(row, "decision_state", None), today)  # type: ignore[attr-defined]
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
