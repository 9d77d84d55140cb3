"""A review's due date as the register and the review page show it (complaints' `Due`: date, colour, text).

Unlike complaints' `due_info`, which counts any breached clock to today, a review that has ended is shown
as it ended: a concluded review says how late it was concluded (working days after the due date up to the
conclusion, for a working-day rule) or nothing when it was on time; a withdrawn review says its clock
stopped. Only a live review counts to today. A paused review clock waits for the submitter's answers: its
stored due date moves on each day of the pause, so no countdown is shown while it lasts.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from xiaobao.casework.choices import ClockState
from xiaobao.complaints.views.common import Due, due_info
from xiaobao.core.workdays import get_calendar

# The review's own word for a paused clock (complaints' "Paused" reads 已中止, a suspended complaint).
PAUSED_LABEL = gettext_lazy("Paused (awaiting the submitter's answers)")


def late_days(due: dt.date, met_on: dt.date, unit: str) -> int:
    """Days after the due date up to and including the day of the conclusion: working days for a
    working-day rule, calendar days otherwise; 0 when concluded on or before the due date."""
    if met_on <= due:
        return 0
    if unit != "working":
        return (met_on - due).days
    cal = get_calendar()
    return sum(cal.is_workday(due + dt.timedelta(days=i)) for i in range(1, (met_on - due).days + 1))


def review_due(
    due: dt.date | None,
    state: str | None,
    today: dt.date,
    *,
    live: bool,
    met_on: dt.date | None = None,
    unit: str = "working",
    word_pause: bool = True,
) -> Due:
    """The due date with its colour and text: counted to today only while the review is `live`. A paused
    clock says so unless `word_pause` is off (the review page says it once, as the clock's state)."""
    if due is None:
        return Due(None, "", "")
    if met_on is not None:
        n = late_days(due, met_on, unit)
        if n == 0:
            return Due(due, "ok", "")
        if unit == "working":
            text = ngettext("Concluded %(n)d working day late", "Concluded %(n)d working days late", n) % {
                "n": n
            }
        else:
            text = ngettext("Concluded %(n)d day late", "Concluded %(n)d days late", n) % {"n": n}
        return Due(due, "bad", text)
    if not live:
        return Due(due, "", _("stopped"))
    if state == ClockState.PAUSED:
        return Due(due, "", str(PAUSED_LABEL) if word_pause else "")
    return due_info(due, state, today)


def state_label(state: str, display: str) -> str:
    """The clock state's name on the review page: the review's own wording for a paused clock."""
    return str(PAUSED_LABEL) if state == ClockState.PAUSED else display
