"""The governance registers as one Excel workbook for a unit and a period: the figures by unit, bodies with
their members, meetings held in the period (attendance, topics, resolutions), action items (assigned in the
period or still open), liaisons (current), supervisors and the feedback received in the period.

Every sheet prints on A4 (landscape, fit to width, the header row repeated) under the configured institution's
name; units, people and choices by name, never by code; supervisors' names and every phone masked (the vault's
mask — nothing is revealed for an export). Everything read through `visible_to(user)` and the unit's subtree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.analytics.periods import Period
from xiaobao.casework.choices import ClockState
from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.governance import selectors as sel
from xiaobao.governance.figures import compute, sentence
from xiaobao.governance.models import Attendance, Body, Feedback, Meeting, Member, Supervisor
from xiaobao.governance.stats import by_unit
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.xlsx import BORDER, header_row, new_book, put, save, title_block, widths

P = "governance export"
WRAP = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws: Worksheet, header: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header}:{header}"
    ws.oddFooter.center.text = "&P / &N"


def _sheet(
    wb: Any, title: str, lines: list[str], headers: Sequence[str], sizes: list[int]
) -> tuple[Worksheet, int]:
    ws = wb.create_sheet(title[:31])
    row = title_block(ws, f"{institution_name()} {title}", lines)
    header_row(ws, row, [str(h) for h in headers])
    widths(ws, sizes)
    _print_setup(ws, row)
    return ws, row + 1


def _rows(ws: Worksheet, start: int, rows: Iterable[Sequence[Any]]) -> None:
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value, border=BORDER, alignment=WRAP)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float):
                cell.number_format = "0.0%"


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def workbook(*, user: Any, unit: OrgUnit, period: Period) -> bytes:
    today = localdate()
    lines = [
        f"{_('Unit')}: {unit.name}",
        f"{_('Period')}: {period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}",
        f"{pgettext(P, 'Exported on')}: {today:%Y-%m-%d}",
    ]
    wb = new_book()
    wb.remove(wb.active)

    # figures by unit
    tally = compute(user, unit, period.start, period.end)
    ws, r = _sheet(
        wb,
        pgettext(P, "Figures by unit"),
        [*lines, sentence(tally)],
        [
            _("Unit"),
            pgettext(P, "Meetings held"),
            pgettext(P, "Action items open"),
            pgettext(P, "Overdue and still open"),
            pgettext(P, "Action items due"),
            pgettext(P, "Completed on time"),
        ],
        [28, 12, 12, 12, 12, 12],
    )
    _rows(
        ws,
        r,
        ([x.name, x.meetings, x.open, x.overdue, x.due, x.on_time_rate] for x in by_unit(user, unit, period)),
    )

    # bodies and their members
    bodies = (
        Body.objects.visible_to(user)
        .filter(subtree_q(unit.path, "org_unit__path"))
        .select_related("org_unit")
        .prefetch_related(Prefetch("members", queryset=Member.objects.select_related("user")))
        .order_by("org_unit__path", "kind", "name")
    )
    ws, r = _sheet(
        wb,
        pgettext(P, "Bodies and members"),
        lines,
        [
            pgettext(P, "Body"),
            pgettext(P, "Kind"),
            _("Unit"),
            pgettext(P, "Established on"),
            pgettext(P, "Member"),
            pgettext(P, "Position"),
            pgettext(P, "Role in the body"),
            pgettext(P, "Term from"),
            pgettext(P, "Term until"),
        ],
        [26, 22, 18, 12, 12, 18, 12, 12, 12],
    )
    rows: list[list[Any]] = []
    for b in bodies:
        head = [b.name, b.get_kind_display(), b.org_unit.name, b.established_on]
        members = list(b.members.all())
        if not members:
            rows.append([*head, "", "", "", None, None])
        for m in members:
            rows.append([*head, m.display_name, m.position, m.get_role_display(), m.term_start, m.term_end])
    _rows(ws, r, rows)

    # meetings held in the period
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(subtree_q(unit.path, "body__org_unit__path"), held_on__range=(period.start, period.end))
        .select_related("body", "body__org_unit")
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.select_related("member__user")))
        .annotate(n_items=Count("action_items"))
        .order_by("held_on", "id")
    )
    ws, r = _sheet(
        wb,
        pgettext(P, "Meetings"),
        lines,
        [
            pgettext(P, "Held on"),
            pgettext(P, "Body"),
            _("Unit"),
            pgettext(P, "Kind"),
            pgettext(P, "Title"),
            pgettext(P, "Present"),
            pgettext(P, "Absent (reason)"),
            pgettext(P, "Topics"),
            pgettext(P, "Resolutions"),
            pgettext(P, "Action items"),
            pgettext(P, "Minutes"),
        ],
        [11, 20, 14, 12, 24, 18, 18, 30, 30, 8, 16],
    )
    rows = []
    for m in meetings:
        att = list(m.attendance.all())
        rows.append(
            [
                m.held_on,
                m.body.name,
                m.body.org_unit.name,
                m.get_kind_display(),
                m.title,
                "、".join(a.member.display_name for a in att if a.present),
                "、".join(f"{a.member.display_name}（{a.absence_reason}）" for a in att if not a.present),
                "\n".join(m.topic_list),
                "\n".join(m.resolution_list),
                m.n_items,  # type: ignore[attr-defined]
                m.minutes_name,
            ]
        )
    _rows(ws, r, rows)

    # action items assigned in the period or still open
    items = (
        sel.items(user, {"unit": unit})
        .filter(
            Q(assigned_on__range=(period.start, period.end))
            | Q(status__in=sel.OPEN, assigned_on__lte=period.end)
        )
        .select_related("verified_by", "feedback__supervisor")
        .order_by("due_on", "id")
    )
    ws, r = _sheet(
        wb,
        pgettext(P, "Action items"),
        lines,
        [
            pgettext(P, "Reference"),
            pgettext(P, "Title"),
            pgettext(P, "Source"),
            pgettext(P, "Meeting"),
            pgettext(P, "Responsible unit"),
            pgettext(P, "Owner"),
            pgettext(P, "Assigned on"),
            pgettext(P, "Due on"),
            pgettext(P, "Status"),
            pgettext(P, "Deadline"),
            pgettext(P, "Closed on"),
            pgettext(P, "What was done / the answer"),
        ],
        [14, 28, 12, 22, 16, 10, 11, 11, 12, 10, 11, 36],
    )
    clock_labels = dict(ClockState.choices)
    _rows(
        ws,
        r,
        (
            [
                i.reference,
                i.title,
                i.get_source_display(),
                f"{i.meeting.body.name} {i.meeting.held_on:%Y-%m-%d}" if i.meeting else "",
                i.org_unit.name,
                _person(i.handler),
                i.assigned_on,
                i.due_on,
                i.get_status_display(),
                clock_labels.get(i.clock_state, i.clock_state),
                i.verified_at.date() if i.verified_at else None,
                i.result,
            ]
            for i in items
        ),
    )

    # liaisons (current)
    ws, r = _sheet(
        wb,
        pgettext(P, "Liaisons"),
        lines,
        [_("Unit"), pgettext(P, "Liaison"), pgettext(P, "Phone (masked)"), pgettext(P, "Since")],
        [26, 14, 16, 12],
    )
    liaisons = sel.liaisons(user).filter(subtree_q(unit.path, "org_unit__path")).order_by("org_unit__path")
    _rows(
        ws, r, ([x.org_unit.name, x.display_name, str(x.phone) if x.phone else "", x.since] for x in liaisons)
    )

    # supervisors and their feedback in the period
    supervisors = (
        Supervisor.objects.visible_to(user)
        .filter(subtree_q(unit.path, "org_unit__path"))
        .select_related("org_unit")
        .order_by("org_unit__path", "-term_start", "id")
    )
    ws, r = _sheet(
        wb,
        pgettext(P, "Supervisors"),
        lines,
        [
            pgettext(P, "Supervisor (masked)"),
            pgettext(P, "Phone (masked)"),
            pgettext(P, "Occupation"),
            pgettext(P, "Unit watched"),
            pgettext(P, "Term from"),
            pgettext(P, "Term until"),
        ],
        [16, 16, 20, 22, 12, 12],
    )
    _rows(
        ws,
        r,
        (
            [
                str(s.name),
                str(s.phone) if s.phone else "",
                s.occupation,
                s.org_unit.name,
                s.term_start,
                s.term_end,
            ]
            for s in supervisors
        ),
    )
    feedback = (
        Feedback.objects.visible_to(user)
        .filter(
            subtree_q(unit.path, "supervisor__org_unit__path"), received_on__range=(period.start, period.end)
        )
        .select_related("supervisor", "supervisor__org_unit", "action_item", "action_item__handler")
        .order_by("received_on", "id")
    )
    ws, r = _sheet(
        wb,
        pgettext(P, "Supervisor feedback"),
        lines,
        [
            pgettext(P, "Received on"),
            pgettext(P, "Supervisor (masked)"),
            pgettext(P, "Unit watched"),
            pgettext(P, "Channel"),
            pgettext(P, "Content"),
            pgettext(P, "Owner"),
            pgettext(P, "Due on"),
            pgettext(P, "Status"),
            pgettext(P, "Answer"),
        ],
        [11, 14, 18, 12, 36, 10, 11, 12, 36],
    )
    rows = []
    for f in feedback:
        item = getattr(f, "action_item", None)
        rows.append(
            [
                f.received_on,
                str(f.supervisor.name),
                f.supervisor.org_unit.name,
                f.get_channel_display(),
                f.content,
                _person(item.handler) if item else "",
                item.due_on if item else None,
                item.get_status_display() if item else "",
                item.result if item else "",
            ]
        )
    _rows(ws, r, rows)
    return save(wb)
