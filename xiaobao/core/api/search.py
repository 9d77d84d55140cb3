"""The global search: GET /api/v1/search?q=&limit= and POST /api/v1/search {"q", "limit"}.

Both answer `{"groups": [{"kind", "hits": [{"title", "subtitle", "url"}]}], "query_kind", "partial"}`, every
hit within the caller's scope. Send an ID, phone or account number with POST: a GET carrying one is refused
(422 `personal_data_in_url`) without searching, so clients learn to keep personal data out of URLs and access
logs. An identifier search is looked up through the vault's blind indexes and audited with the masked value.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from xiaobao.core import search as core_search
from xiaobao.core.errors import field_error

router = Router(tags=["search"])


class GlobalSearchIn(Schema):
    q: str = Field("", max_length=200, description="Reference, ID/phone/account number, name or text")
    limit: int = Field(
        core_search.DEFAULT_LIMIT, ge=1, le=core_search.MAX_LIMIT, description="Hits per kind at most"
    )


class GlobalSearchHitOut(Schema):
    title: str
    subtitle: str = Field(description="Status, unit, masked name: never unmasked personal data")
    url: str


class GlobalSearchGroupOut(Schema):
    kind: str = Field(description="What the hits are, in the user's language (Complaints, Policies…)")
    hits: list[GlobalSearchHitOut]


class GlobalSearchOut(Schema):
    groups: list[GlobalSearchGroupOut]
    query_kind: str = Field(description="empty, reference, identifier or text")
    partial: bool = Field(description="Some modules were not searched (time budget): narrow the query")


def _answer(request: HttpRequest, q: str, limit: int) -> dict:
    results = core_search.run_search(request.user, q, limit)
    return {
        "groups": [
            {
                "kind": g.kind,
                "hits": [{"title": h.title, "subtitle": h.subtitle, "url": h.url} for h in g.hits],
            }
            for g in results.groups
        ],
        "query_kind": results.query.kind,
        "partial": results.partial,
    }


@router.get(
    "",
    response=GlobalSearchOut,
    summary="Search every module (not for ID, phone or account numbers: POST those)",
)
def global_search_get(request: HttpRequest, params: Query[GlobalSearchIn]):
    if core_search.looks_personal(params.q):
        raise field_error(
            "q",
            _("Send ID, phone and account numbers with POST, so they stay out of addresses and logs."),
            code="personal_data_in_url",
        )
    return _answer(request, params.q, params.limit)


@router.post(
    "",
    response=GlobalSearchOut,
    summary="Search every module; the query in the body (use this for ID, phone or account numbers)",
)
def global_search_post(request: HttpRequest, payload: GlobalSearchIn):
    return _answer(request, payload.q, payload.limit)
