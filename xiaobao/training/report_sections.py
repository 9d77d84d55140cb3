"""The training-and-exams section for reports (`Module.report_sections`): a heading, the banks'
sentence ("开展培训 N 场、覆盖 M 人次、考试 K 场、通过率 X%") with paragraphs of the figures, and
tables — the headline against the previous period, by the unit's direct children, by position layer —
for the report's period, computed as the requester (their scope) with `xiaobao.training.figures`.

`training_section(ctx)` takes the reports app's `BuildContext` (user, unit, period) and returns a
`ReportSection` (plain data: `xiaobao.reports.sections` writes it into the quarterly Word report as a chapter
and into the board workbook as a sheet), or None when the requester may not see training figures or the
period holds no session, attendance or exam. Units and layers by name, no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.analytics.templatetags.statistics import format_change, format_value
from xiaobao.training.figures import Tally, TrainingFigures, compute, percent_text
from xiaobao.training.stats import relative_change

P = "training figures"


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # cm, for Word


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)
    data: TrainingFigures | None = None  # the figures behind it (for a builder that wants more)


def _count(n: int) -> str:
    return f"{n:,}"


def _hours(value: Any) -> str:
    return format_value(value, "score")


def training_paragraph(t: Tally, year: int) -> str:
    if not (t.sessions or t.person_times):
        return _("No training session was held and no attendance recorded in this period.")
    return _(
        "%(n)s training sessions were held in the period (%(hours)s hours; %(external)s by external experts, "
        "%(online)s online). The unit's people attended %(m)s times: %(people)s people trained, %(attended)s "
        "hours in all, %(per)s hours per person trained. Of the %(staff)s people in the staff register, "
        "%(target)s have a target for %(year)s and %(covered)s of them have reached it so far: a coverage of "
        "%(coverage)s."
    ) % {
        "n": _count(t.sessions),
        "hours": _hours(t.session_hours),
        "external": _count(t.external_sessions),
        "online": _count(t.online_sessions),
        "m": _count(t.person_times),
        "people": _count(t.trained),
        "attended": _hours(t.attended_hours),
        "per": _hours(t.hours_per_person),
        "staff": _count(t.headcount),
        "target": _count(t.coverage_people),
        "year": year,
        "covered": _count(t.covered),
        "coverage": percent_text(t.coverage),
    }


def exam_paragraph(t: Tally) -> str:
    e = t.exam
    if not (e.exams or e.examined or e.practice):
        return _("No exam opened in this period.")
    return _(
        "%(k)s exams opened in the period (%(contests)s of them contests), besides %(practice)s practice "
        "papers. Of %(invited)s candidates invited from the unit, %(examined)s sat (%(participation)s) and "
        "%(passed)s passed: a pass rate of %(rate)s, with an average best score of %(score)s."
    ) % {
        "k": _count(e.exams),
        "contests": _count(e.contests),
        "practice": _count(e.practice),
        "invited": _count(e.candidates),
        "examined": _count(e.examined),
        "participation": percent_text(e.participation_rate),
        "passed": _count(e.passed),
        "rate": percent_text(e.pass_rate),
        "score": format_value(e.average_score, "score"),
    }


def _unit_table(data: TrainingFigures) -> SectionTable:
    headers = [
        _("Unit"),
        pgettext(P, "Sessions"),
        pgettext(P, "Person-times"),
        pgettext(P, "People trained"),
        pgettext(P, "Coverage"),
    ]
    if data.exams_shown:
        headers += [pgettext(P, "Exams held"), pgettext(P, "Examined"), pgettext(P, "Pass rate")]
    rows = []
    for r in data.by_unit:
        t = r.tally
        row = [
            r.name,
            _count(t.sessions),
            _count(t.person_times),
            _count(t.trained),
            percent_text(t.coverage),
        ]
        if data.exams_shown:
            row += [_count(t.exam.exams), _count(t.exam.examined), percent_text(t.exam.pass_rate)]
        rows.append(row)
    widths = [4.4, 1.8, 2.0, 2.0, 2.0] + ([1.8, 1.8, 2.0] if data.exams_shown else [])
    return SectionTable(
        title=pgettext(P, "Training and exams by unit"), headers=headers, rows=rows, widths=widths
    )


def _layer_table(data: TrainingFigures) -> SectionTable:
    headers = [
        pgettext(P, "Position layer"),
        pgettext(P, "Staff"),
        pgettext(P, "People trained"),
        pgettext(P, "Person-times"),
        pgettext(P, "Hours per person trained"),
        pgettext(P, "Coverage"),
    ]
    if data.exams_shown:
        headers += [pgettext(P, "Examined"), pgettext(P, "Pass rate")]
    rows = []
    for r in data.by_layer:
        t = r.tally
        row = [
            r.name,
            _count(t.headcount),
            _count(t.trained),
            _count(t.person_times),
            _hours(t.hours_per_person),
            percent_text(t.coverage),
        ]
        if data.exams_shown:
            row += [_count(t.exam.examined), percent_text(t.exam.pass_rate)]
        rows.append(row)
    widths = [3.4, 1.6, 1.8, 1.8, 2.2, 1.8] + ([1.8, 1.8] if data.exams_shown else [])
    return SectionTable(
        title=pgettext(P, "Training and exams by position layer"), headers=headers, rows=rows, widths=widths
    )


def training_section(ctx: Any) -> ReportSection | None:
    """The section for the report's unit and period, with the change on the previous period; None without
    `training.view_training` or when the period holds no session, attendance or exam of the unit."""
    memo: dict[Any, Any] = {}
    now = compute(user=ctx.user, unit=ctx.unit, period=ctx.period, memo=memo)
    t = now.total
    if not (t.sessions or t.person_times or t.exam.exams or t.exam.examined or t.exam.practice):
        return None
    before = compute(user=ctx.user, unit=ctx.unit, period=ctx.period.previous(), memo=memo)
    paragraphs = [now.sentence + pgettext(P, "."), training_paragraph(t, now.year)]
    if now.exams_shown:
        paragraphs.append(exam_paragraph(t))
    headline = SectionTable(
        title=pgettext(P, "Training and exam figures"),
        headers=[_("Figure"), _("This period"), pgettext(P, "Previous period"), _("Period on period")],
        rows=[
            [
                str(f.label),
                format_value(f.value, "score" if f.kind in ("hours", "score") else f.kind),
                format_value(before.figure(f.key).value, "score" if f.kind in ("hours", "score") else f.kind),
                format_change(relative_change(f.value, before.figure(f.key).value)),
            ]
            for f in now.figures
        ],
        widths=[6.0, 3.2, 3.2, 3.2],
    )
    return ReportSection(
        key="training",
        title=pgettext(P, "Staff training and exams"),
        paragraphs=paragraphs,
        tables=[t for t in (headline, _unit_table(now), _layer_table(now)) if t.rows],
        data=now,
    )
