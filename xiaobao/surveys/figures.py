"""Survey figures (满意度调查) for the statistics page's section, the reports' chapter, the annual summary
(`Module.figures`) and the home panel. Banks report them as "满意度调查 N 份，满意率 X%".

Scope and definitions: responses *given in* the analysed unit's subtree (`Response.org_unit`: the survey's
unit, or the outlet of a per-unit link) and submitted in the period (local days), to any survey — a head-
office survey answered at a branch's outlets counts for that branch. The user needs `surveys.view_surveys` and
the unit inside their scope, else nothing. Satisfaction rate: `xiaobao.surveys.results` (answers to the scale
questions that count for it, at or above each question's threshold ÷ those answers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import may_see_subtree, unit_subtree_q
from xiaobao.core.models import OrgUnit
from xiaobao.surveys.models import VIEW, Answer, Response, Survey, SurveyStatus
from xiaobao.surveys.results import ratio, satisfied_q

SECTION_ANCHOR = "survey-figures"
P = "survey figures"


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent
    value: float | None
    url: str = ""


@dataclass
class Tally:
    responses: int = 0
    surveys: int = 0
    rated: int = 0
    satisfied: int = 0
    consented: int = 0

    @property
    def satisfaction(self) -> float | None:
        return ratio(self.satisfied, self.rated)


@dataclass
class Row:
    unit: OrgUnit
    tally: Tally = field(default_factory=Tally)
    drill: str = ""
    own: bool = False


@dataclass
class SurveyFigures:
    unit: OrgUnit
    period: Period
    total: Tally
    by_unit: list[Row]
    figures: list[Figure]

    @property
    def sentence(self) -> str:
        return sentence(self.total)


def sentence(t: Tally) -> str:
    if not t.responses:
        return gettext("No survey answers were received in this period.")
    if t.satisfaction is None:
        return gettext("满意度调查 %(n)s 份。") % {"n": f"{t.responses:,}"}
    return gettext("满意度调查 %(n)s 份，满意率 %(rate)s。") % {
        "n": f"{t.responses:,}",
        "rate": f"{100 * t.satisfaction:.1f}%",
    }


def may_see(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW)


def _responses(unit: OrgUnit, period: Period) -> Any:
    return Response.objects.filter(
        unit_subtree_q(unit), submitted_on__gte=period.start, submitted_on__lte=period.end
    )


def _url(name: str, params: dict[str, str], anchor: str = "") -> str:
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in params.items() if v})
    return f"{reverse(name)}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


def compute(*, user: Any, unit: OrgUnit, period: Period) -> SurveyFigures:
    """The figures of the unit's subtree in the period, split by its direct children (three queries)."""
    empty = SurveyFigures(
        unit=unit, period=period, total=Tally(), by_unit=[], figures=_figures(Tally(), unit)
    )
    if not may_see(user, unit):
        return empty
    responses = _responses(unit, period)
    per_unit: dict[int, Tally] = {}
    for uid, n, consented, surveys in (
        responses.values("org_unit")
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(consent=True)), s=Count("survey", distinct=True))
        .values_list("org_unit", "n", "c", "s")
    ):
        per_unit[uid] = Tally(responses=n, consented=consented, surveys=surveys)
    for row in (
        Answer.objects.filter(
            response__in=responses, question__counts_for_satisfaction=True, value__isnull=False
        )
        .values("response__org_unit")
        .annotate(n=Count("pk"), ok=Count("pk", filter=satisfied_q()))
    ):
        t = per_unit.setdefault(row["response__org_unit"], Tally())
        t.rated, t.satisfied = row["n"], row["ok"]
    total = Tally()
    for t in per_unit.values():
        total.responses += t.responses
        total.rated += t.rated
        total.satisfied += t.satisfied
        total.consented += t.consented
    total.surveys = responses.values("survey").distinct().count() if per_unit else 0
    paths = dict(OrgUnit.objects.filter(pk__in=per_unit).values_list("pk", "path"))
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    rows = {
        c.pk: Row(
            unit=c,
            drill=_url("analytics:dashboard", {"unit": c.code, "period": period.label}, SECTION_ANCHOR),
        )
        for c in children
    }
    own = Row(unit=unit, own=True)
    for uid, t in per_unit.items():
        path = paths.get(uid, "")
        slot = next((rows[c.pk] for c in children if path.startswith(c.path)), own)
        for name in ("responses", "rated", "satisfied", "consented"):
            setattr(slot.tally, name, getattr(slot.tally, name) + getattr(t, name))
    by_unit = ([own] if own.tally.responses else []) + [r for r in rows.values() if r.tally.responses]
    return SurveyFigures(
        unit=unit, period=period, total=total, by_unit=by_unit, figures=_figures(total, unit)
    )


def _figures(t: Tally, unit: OrgUnit) -> list[Figure]:
    surveys_url = _url("surveys:surveys", {"unit": unit.code})
    return [
        Figure("survey_responses", pgettext_lazy(P, "Survey answers"), "count", t.responses, surveys_url),
        Figure("survey_satisfaction", pgettext_lazy(P, "Satisfaction rate"), "percent", t.satisfaction),
        Figure("survey_surveys", pgettext_lazy(P, "Surveys answered"), "count", t.surveys, surveys_url),
    ]


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline survey figures of the user's scope (or `unit`), start to end."""
    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    return compute(user=user, unit=unit, period=Period(start, end)).figures


# --- the statistics page's section --------------------------------------------------------------------------


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    if not may_see(user, unit):
        return None
    data = compute(user=user, unit=unit, period=period)
    before = compute(user=user, unit=unit, period=period.previous())
    return {
        "data": data,
        "previous": before,
        "previous_period": period.previous(),
        "chart": {  # the statistics page's charts read `<data-source>[<data-chart>]`
            "by_unit": {
                "labels": [r.unit.name for r in data.by_unit],
                "values": [round(100 * (r.tally.satisfaction or 0), 1) for r in data.by_unit],
                "links": [r.drill for r in data.by_unit],
            }
        },
    }


# --- the reports' chapter -----------------------------------------------------------------------------------


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def report_section(ctx: Any) -> ReportSection | None:
    """The chapter "满意度调查" for the report's unit and period, as the requester; None without answers."""
    if not may_see(ctx.user, ctx.unit):
        return None
    data = compute(user=ctx.user, unit=ctx.unit, period=ctx.period)
    if not data.total.responses:
        return None
    t = data.total
    paragraphs = [
        data.sentence,
        gettext(
            "%(n)s answers to %(s)s surveys were received in the period; %(c)s people consented to be "
            "contacted. Satisfaction rate: answers at or above each question's threshold among the answers "
            "to the rating questions that count for it (%(ok)s of %(rated)s)."
        )
        % {"n": t.responses, "s": t.surveys, "c": t.consented, "ok": t.satisfied, "rated": t.rated},
    ]
    rows = [
        [
            r.unit.name + (gettext(" (own)") if r.own else ""),
            f"{r.tally.responses:,}",
            f"{r.tally.rated:,}",
            _pct(r.tally.satisfaction),
        ]
        for r in data.by_unit
    ]
    table = SectionTable(
        title=gettext("Survey answers by unit"),
        headers=[
            gettext("Unit"),
            pgettext("surveys", "Answers"),
            gettext("Rated answers"),
            gettext("Satisfaction rate"),
        ],
        rows=rows,
        widths=[6.0, 3.0, 3.0, 3.0],
    )
    return ReportSection(key="surveys", title=gettext("满意度调查"), paragraphs=paragraphs, tables=[table])


# --- the home panel -----------------------------------------------------------------------------------------


def home_panel(user: Any) -> dict[str, Any]:
    """Surveys open today in the user's view with their answers so far, and drafts waiting to be opened."""
    from xiaobao.core.clock import localdate
    from xiaobao.surveys.selectors import open_surveys, surveys

    if not user.has_perm(VIEW):
        return {}
    today = localdate()
    rows = list(open_surveys(user, today)[:6])
    drafts = surveys(user).filter(status=SurveyStatus.DRAFT).count()
    if not rows and not drafts:
        return {}
    return {"open": rows[:5], "more": len(rows) > 5, "drafts": drafts, "today": today}


__all__ = ["Survey", "compute", "figures", "home_panel", "report_section", "stats_section"]
