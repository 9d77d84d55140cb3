"""The education figures page (`education:figures`), its Excel export, and the edition's regulator table and
campaign summary. Every figure through `xiaobao.education.figures` (approved activities, the user's scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_book_bytes, xlsx_file_response
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import ALL, user_scope
from xiaobao.core.services.audit import audit_record
from xiaobao.education import regulator_table, summary_doc
from xiaobao.education.figures import (
    VIEW_PERM,
    EducationFigures,
    P,
    compute,
    may_see,
    percent_text,
    root_unit,
)
from xiaobao.education.models import Campaign, CampaignEdition
from xiaobao.education.stats import chart
from xiaobao.education.summary import read_filters

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def edition_visible(user: Any, edition: CampaignEdition) -> bool:
    """An edition is seen by everyone with the view permission whose scope lies under its organising unit
    (a head-office edition: everybody) or contains it."""
    if not user.has_perm(VIEW_PERM):
        return False
    scope = user_scope(user)
    if scope == ALL:
        return True
    if scope is None:
        return False
    mine, its = scope.path, edition.org_unit.path  # type: ignore[union-attr]
    return mine.startswith(its) or its.startswith(mine)


def _filters(request: HttpRequest) -> Any:
    data = request.GET.copy()
    if not any(data.get(k) for k in ("period", "edition", "campaign")):
        data["period"] = str(localdate().year)  # the current year by default
    return read_filters(request.user, data, strict=False)


@require_GET
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def figures_page(request: HttpRequest) -> HttpResponse:
    """Headline figures, people by segment, by venue, by topic, per unit of the next level with drill-down
    (a unit opens its subtree here, a number the activity list filtered to it), the share of outlets with an
    activity, the suggestions panel; `?unit=&period=&campaign=&edition=`."""
    f = _filters(request)
    data = compute(user=request.user, unit=f.unit, slc=f.slice, period_label=f.period_label)
    segments = data.total.segments
    charts = {
        "by_unit": chart(data.by_unit, lambda r: r.tally.people_reached, "drill"),
        "by_segment": {
            "labels": [label for _k, label, _n in segments],
            "values": [n for _k, _l, n in segments],
            "links": ["" for _s in segments],
        },
        "by_venue": chart(data.by_venue, lambda r: r.tally.activities, "activities"),
        "by_topic": chart(data.by_topic, lambda r: r.tally.activities, "activities"),
    }
    from xiaobao.education.suggestions import suggestions

    return render(
        request,
        "education/figures/page.html",
        {
            "data": data,
            "filters": f,
            "charts": charts,
            "units": OrgUnit.objects.visible_to(request.user).order_by("path")[:500],
            "campaigns": Campaign.objects.order_by("sort_order", "code"),
            "editions": [
                e
                for e in CampaignEdition.objects.select_related("campaign", "org_unit")
                if edition_visible(request.user, e)
            ],
            "period_text": request.GET.get("period", "") or f.period_label,
            "suggestions": suggestions(request.user, unit=f.unit),
            "export_query": request.GET.urlencode(),
        },
    )


def figures_workbook(data: EducationFigures) -> bytes:
    from xiaobao.education.regulator_table import cells, headers

    head = [
        [str(fig.label), fig.value if fig.kind == "count" else percent_text(fig.value)]
        for fig in data.figures
    ]
    head += [
        [_("Unit"), data.unit.name],
        [pgettext(P, "Slice"), data.slice.label],
        [pgettext(P, "In words"), data.sentence],
    ]
    units = [cells(r.name, r.tally) for r in data.by_unit] + [cells(_("Total"), data.total)]
    seg = [[label, n] for _k, label, n in data.total.segments]
    venues = [[r.name, r.tally.activities, r.tally.people_reached, r.tally.leaflets] for r in data.by_venue]
    topics = [[r.name, r.tally.activities, r.tally.people_reached] for r in data.by_topic]
    return xlsx_book_bytes(
        [
            (pgettext(P, "Education figures"), [_("Figure"), _("Value")], head),
            (pgettext(P, "By unit"), headers(), units),
            (pgettext(P, "By audience"), [pgettext(P, "Audience"), pgettext(P, "People reached")], seg),
            (
                pgettext(P, "By venue"),
                [
                    pgettext(P, "Venue type"),
                    pgettext(P, "Activities"),
                    pgettext(P, "People reached"),
                    pgettext(P, "Leaflets"),
                ],
                venues,
            ),
            (
                pgettext(P, "By topic"),
                [pgettext(P, "Topic"), pgettext(P, "Activities"), pgettext(P, "People reached")],
                topics,
            ),
        ]
    )


@require_GET
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def figures_export(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    if f.errors:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in f.errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    data = compute(user=request.user, unit=f.unit, slc=f.slice, period_label=f.period_label)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="education.figures",
        object_repr=pgettext(P, "education figures export"),
        changes={"unit": f.unit.code, "slice": data.slice.label},
    )
    return xlsx_file_response(f"education-{f.unit.code}.xlsx", figures_workbook(data))


def _edition_unit(request: HttpRequest, edition: CampaignEdition) -> OrgUnit:
    if not edition_visible(request.user, edition):
        raise Http404
    code = request.GET.get("unit", "").strip()
    unit = (
        OrgUnit.objects.visible_to(request.user).filter(code=code).first()
        if code
        else root_unit(request.user)
    )
    if unit is None or not may_see(request.user, unit):
        raise Http404
    return unit


def table_response(request: HttpRequest, edition: CampaignEdition) -> HttpResponse:
    unit = _edition_unit(request, edition)
    content = regulator_table.build(user=request.user, unit=unit, edition=edition)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="education.edition",
        object_id=str(edition.pk),
        object_repr=str(edition),
        changes={"document": "regulator table", "unit": unit.code},
    )
    return xlsx_file_response(f"education-{edition.year}-{edition.campaign.code}-{unit.code}.xlsx", content)


def summary_response(request: HttpRequest, edition: CampaignEdition) -> HttpResponse:
    unit = _edition_unit(request, edition)
    content = summary_doc.build(user=request.user, unit=unit, edition=edition)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="education.edition",
        object_id=str(edition.pk),
        object_repr=str(edition),
        changes={"document": "campaign summary", "unit": unit.code},
    )
    response = HttpResponse(content, content_type=DOCX)
    name = f"education-summary-{edition.year}-{edition.campaign.code}-{unit.code}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def edition_table(request: HttpRequest, pk: int) -> HttpResponse:
    """The regulator summary table of an edition for the user's scope (`?unit=` narrows it)."""
    return table_response(
        request, get_object_or_404(CampaignEdition.objects.select_related("campaign", "org_unit"), pk=pk)
    )


@require_GET
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def edition_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign summary (Word) of an edition for the user's scope (`?unit=` narrows it)."""
    return summary_response(
        request, get_object_or_404(CampaignEdition.objects.select_related("campaign", "org_unit"), pk=pk)
    )
