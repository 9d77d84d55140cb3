"""API: the education summary — `GET /api/v1/education/summary?campaign=&period=&unit=` — and the edition's
regulator table and campaign summary as files."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from xiaobao.core.api.common import require_perm
from xiaobao.education.figures import VIEW_PERM, summary
from xiaobao.education.models import SEGMENTS, CampaignEdition
from xiaobao.education.summary import read_filters

router = Router()


class SummaryQuery(Schema):
    campaign: str = ""
    edition: str = ""
    period: str = ""
    unit: str = ""


class AudienceOut(Schema):
    elderly: int
    students: int
    young: int
    new_citizens: int
    rural: int
    disabled: int
    other: int


class SummaryOut(Schema):
    activities: int
    people_reached: int
    leaflets: int
    online_reads: int
    media_reports: int
    audience: AudienceOut
    outlets_covered: int
    outlets_total: int


assert tuple(AudienceOut.model_fields) == SEGMENTS


@router.get(
    "/education/summary",
    response=SummaryOut,
    summary="Education figures over the approved activities the caller can see",
)
def education_summary(request: HttpRequest, query: Query[SummaryQuery]):
    """Activities, people reached (and by audience segment), leaflets, online reads, media reports, and the
    outlets with at least one activity against the active outlets, over the **approved** activities of the
    unit's subtree (default: the caller's scope) in the period (`2026`, `2026-09`, `2026-Q3`, `2026-H2`,
    `2026-09-01..2026-09-30`) and campaign (`campaign=<code>`, every edition of it; or `edition=<id>`).
    A unit outside the caller's scope is a 404; bad parameters a 422 naming the field."""
    require_perm(request.user, VIEW_PERM)
    f = read_filters(request.user, query.dict())
    s = f.slice
    return summary(
        request.user, edition=s.edition, campaign=s.campaign, start=s.start, end=s.end, unit=f.unit
    )


def _edition(request: HttpRequest, pk: int) -> CampaignEdition:
    require_perm(request.user, VIEW_PERM)
    edition = CampaignEdition.objects.select_related("campaign").filter(pk=pk).first()
    if edition is None:
        raise Http404
    return edition


@router.get("/education/editions/{edition_id}/table.xlsx", summary="The edition's regulator summary table")
def edition_table_file(request: HttpRequest, edition_id: int) -> HttpResponse:
    from xiaobao.education.views_figures import table_response

    return table_response(request, _edition(request, edition_id))


@router.get("/education/editions/{edition_id}/summary.docx", summary="The edition's campaign summary (Word)")
def edition_summary_file(request: HttpRequest, edition_id: int) -> HttpResponse:
    from xiaobao.education.views_figures import summary_response

    return summary_response(request, _edition(request, edition_id))
