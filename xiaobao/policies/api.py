"""Policies API (/api/v1/...): the catalogue, versions (approve → frozen; PATCH of an approved version → 409),
revise / repeal drafts, reviews, clause ↔ article mapping, the coverage report, the yearly 废改立 list, the
policies due for review, regulations and their articles."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit
from xiaobao.policies import selectors, services
from xiaobao.policies.models import (
    MANAGE,
    MANAGE_REGULATIONS,
    VIEW,
    Policy,
    PolicyClause,
    PolicyVersion,
    Regulation,
)

router = Router(tags=["policies"])


class ClauseIn(Schema):
    number: str = Field(..., max_length=40, description="第十二条")
    text: str = Field(..., max_length=10000)


class PolicyIn(Schema):
    org_unit: str = Field(..., max_length=32, description="Head office's or a branch's code")
    number: str = Field(..., max_length=40, description="Catalogue number")
    title: str = Field(..., max_length=200)
    document_number: str = Field("", max_length=100)
    owner_department: str = Field(..., max_length=100)
    higher_rule: str = Field("", max_length=300)
    regulation: str = Field("", max_length=60, description="Code of the regulation it implements")
    effective_on: dt.date
    reason: str = Field(..., max_length=4000)
    clauses: list[ClauseIn] = Field(..., max_length=300)


class DraftIn(Schema):
    reason: str = Field(..., max_length=4000)
    effective_on: dt.date
    title: str = Field("", max_length=200)
    document_number: str = Field("", max_length=100)
    clauses: list[ClauseIn] | None = Field(
        None, max_length=300, description="Revision: the new clauses (default: copied)"
    )


class RepealIn(Schema):
    reason: str = Field(..., max_length=4000)
    effective_on: dt.date
    document_number: str = Field("", max_length=100)


class VersionPatch(Schema):
    title: str | None = Field(None, max_length=200)
    document_number: str | None = Field(None, max_length=100)
    reason: str | None = Field(None, max_length=4000)
    effective_on: dt.date | None = None
    clauses: list[ClauseIn] | None = Field(None, max_length=300)


class ApproveIn(Schema):
    approved_on: dt.date | None = None
    note: str = Field("", max_length=500)


class PolicyReviewIn(Schema):
    reviewed_on: dt.date | None = None
    note: str = Field("", max_length=500)


class MappingIn(Schema):
    article: int
    note: str = Field("", max_length=300)


class RegulationIn(Schema):
    code: str = Field(..., max_length=60)
    name: str = Field(..., max_length=200)
    document_number: str = Field("", max_length=100)
    issuer: str = Field("", max_length=100)
    effective_on: dt.date | None = None
    unconfirmed: bool = False
    note: str = Field("", max_length=300)


class ArticleIn(Schema):
    number: str = Field(..., max_length=40)
    summary: str = Field(..., max_length=2000)
    unconfirmed: bool = False


class PolicyFilterIn(Schema):
    q: str = Field("", max_length=100)
    status: list[str] = []
    level: str = Field("", max_length=20)
    owner: str = Field("", max_length=100)
    unit: str = Field("", max_length=32, description="Unit code: the unit and every unit below it")


class PolicyListOut(Schema):
    id: int
    number: str
    title: str
    document_number: str
    org_unit: str
    level: str
    owner_department: str
    status: str
    effective_on: dt.date | None
    current_version: int | None
    last_reviewed_on: dt.date | None

    @staticmethod
    def resolve_org_unit(obj: Policy) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_current_version(obj: Policy) -> int | None:
        return obj.current_version.number if obj.current_version else None


def _clauses_out(v: PolicyVersion) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "number": c.number,
            "text": c.text,
            "articles": [
                {
                    "id": m.article_id,
                    "regulation": m.article.regulation.code,
                    "number": m.article.number,
                    "note": m.note,
                }
                for m in c.mappings.all()
            ],
        }
        for c in v.clauses.prefetch_related("mappings__article__regulation")
    ]


def version_out(v: PolicyVersion, *, clauses: bool = True) -> dict[str, Any]:
    out = {
        "id": v.pk,
        "policy": v.policy_id,
        "number": v.number,
        "kind": v.kind,
        "title": v.title,
        "document_number": v.document_number,
        "reason": v.reason,
        "effective_on": v.effective_on,
        "frozen": v.frozen,
        "approved_by": v.approved_by.username if v.approved_by else None,
        "approved_on": v.approved_on,
        "document": v.document_name or None,
    }
    if clauses:
        out["clauses"] = _clauses_out(v)
    return out


def policy_out(p: Policy) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "title": p.title,
        "document_number": p.document_number,
        "org_unit": p.org_unit.code,
        "level": p.level,
        "owner_department": p.owner_department,
        "status": p.status,
        "effective_on": p.effective_on,
        "higher_rule": p.higher_rule,
        "regulation": p.regulation.code if p.regulation else None,
        "last_reviewed_on": p.last_reviewed_on,
        "current_version": version_out(p.current_version) if p.current_version else None,
        "versions": [version_out(v, clauses=False) for v in selectors.versions_of(p)],
    }


def _policy(request: HttpRequest, policy_id: int) -> Policy:
    require_perm(request.user, VIEW)
    p = selectors.policy_detail(user=request.user, pk=policy_id)
    if p is None:
        raise Http404
    return p


def _version(request: HttpRequest, version_id: int) -> PolicyVersion:
    require_perm(request.user, VIEW)
    v = selectors.version_detail(user=request.user, pk=version_id)
    if v is None:
        raise Http404
    return v


def _clauses_data(items: list[ClauseIn] | None) -> list[dict[str, str]] | None:
    return None if items is None else [c.dict() for c in items]


@router.get("/policies", response=list[PolicyListOut], summary="The policy catalogue in your scope")
@paginate(LimitOffsetPagination)
def policies(request: HttpRequest, filters: Query[PolicyFilterIn]):
    require_perm(request.user, VIEW)
    data: dict[str, Any] = {k: v for k, v in filters.dict().items() if v not in ("", [], None)}
    if "unit" in data:
        unit = OrgUnit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise field_error("unit", _("No such unit."))
        data["unit"] = unit
    return selectors.policy_list(user=request.user, filters=data)


@router.post("/policies", response={201: dict}, summary="A new policy with its enacting draft (v1)")
def policy_create(request: HttpRequest, payload: PolicyIn):
    require_perm(request.user, MANAGE)
    data = payload.dict()
    data["clauses"] = _clauses_data(payload.clauses)
    p = services.policy_create(actor=request.user, data=data)
    return Status(201, policy_out(_policy(request, p.pk)))


@router.get("/policies/{policy_id}", response=dict, summary="A policy with its version history")
def policy_get(request: HttpRequest, policy_id: int):
    return policy_out(_policy(request, policy_id))


@router.post("/policies/{policy_id}/revisions", response={201: dict}, summary="Draft a revision (修订)")
def policy_revise(request: HttpRequest, policy_id: int, payload: DraftIn):
    p = _policy(request, policy_id)
    data = payload.dict()
    data["clauses"] = _clauses_data(payload.clauses)
    return Status(201, version_out(services.revision_draft(actor=request.user, policy=p, data=data)))


@router.post("/policies/{policy_id}/repeal", response={201: dict}, summary="Draft a repeal (废止)")
def policy_repeal(request: HttpRequest, policy_id: int, payload: RepealIn):
    p = _policy(request, policy_id)
    return Status(201, version_out(services.repeal_draft(actor=request.user, policy=p, data=payload.dict())))


@router.post(
    "/policies/{policy_id}/reviews", response={201: dict}, summary="Record a review that changes nothing"
)
def policy_review(request: HttpRequest, policy_id: int, payload: PolicyReviewIn):
    p = _policy(request, policy_id)
    r = services.policy_mark_reviewed(actor=request.user, policy=p, data=payload.dict())
    return Status(201, {"id": r.pk, "policy": p.pk, "reviewed_on": r.reviewed_on, "note": r.note})


@router.get("/policy-versions/{version_id}", response=dict, summary="A version with its clauses and mapping")
def version_get(request: HttpRequest, version_id: int):
    return version_out(_version(request, version_id))


@router.patch(
    "/policy-versions/{version_id}", response=dict, summary="Edit a draft (an approved version → 409)"
)
def version_patch(request: HttpRequest, version_id: int, payload: VersionPatch):
    v = _version(request, version_id)
    data = {k: val for k, val in payload.dict(exclude_unset=True).items()}
    if "clauses" in data:
        data["clauses"] = _clauses_data(payload.clauses)
    services.version_update(actor=request.user, version=v, data=data)
    return version_out(_version(request, version_id))


@router.delete(
    "/policy-versions/{version_id}", response={204: None}, summary="Discard a draft (approved → 409)"
)
def version_delete(request: HttpRequest, version_id: int):
    v = _version(request, version_id)
    services.version_discard(actor=request.user, version=v)
    return Status(204, None)


@router.post("/policy-versions/{version_id}/approve", response=dict, summary="Approve a draft: it is frozen")
def version_approve(request: HttpRequest, version_id: int, payload: ApproveIn | None = None):
    v = _version(request, version_id)
    body = payload or ApproveIn(approved_on=None, note="")
    services.version_approve(actor=request.user, version=v, approved_on=body.approved_on, note=body.note)
    return version_out(_version(request, version_id))


@router.post(
    "/policy-versions/{version_id}/document", response=dict, summary="Attach the document (PDF/.docx)"
)
def version_document(request: HttpRequest, version_id: int, file: File[UploadedFile]):
    v = _version(request, version_id)
    services.document_attach(actor=request.user, version=v, fileobj=file, name=file.name or "file")
    return version_out(_version(request, version_id), clauses=False)


def _clause(request: HttpRequest, clause_id: int) -> PolicyClause:
    require_perm(request.user, VIEW)
    clause = PolicyClause.objects.select_related("version__policy__org_unit").filter(pk=clause_id).first()
    if clause is None or selectors.version_detail(user=request.user, pk=clause.version_id) is None:
        raise Http404
    return clause


@router.post(
    "/policy-clauses/{clause_id}/articles", response={201: dict}, summary="Map a clause to an article"
)
def clause_map(request: HttpRequest, clause_id: int, payload: MappingIn):
    clause = _clause(request, clause_id)
    link = services.mapping_add(
        actor=request.user, clause=clause, article_id=payload.article, note=payload.note
    )
    return Status(201, {"clause": clause.pk, "article": link.article_id, "note": link.note})


@router.delete(
    "/policy-clauses/{clause_id}/articles/{article_id}", response={204: None}, summary="Remove a mapping"
)
def clause_unmap(request: HttpRequest, clause_id: int, article_id: int):
    clause = _clause(request, clause_id)
    services.mapping_remove(actor=request.user, clause=clause, article_id=article_id)
    return Status(204, None)


@router.get(
    "/policy-coverage", response=list[dict], summary="Every article and the clauses in force implementing it"
)
def policy_coverage(request: HttpRequest, regulation: str = "", uncovered: bool = False):
    require_perm(request.user, VIEW)
    reg = None
    if regulation:
        reg = get_visible(Regulation.objects.all(), code=regulation)
    out = []
    for r in selectors.coverage(user=request.user, regulation=reg):
        out.append(
            {
                "regulation": r.regulation.code,
                "name": r.regulation.name,
                "total": r.total,
                "covered": r.covered,
                "articles": [
                    {
                        "id": a.article.pk,
                        "number": a.article.number,
                        "summary": a.article.summary,
                        "unconfirmed": a.article.unconfirmed,
                        "covered": a.covered,
                        "clauses": [
                            {
                                "policy": link.clause.version.policy_id,
                                "version": link.clause.version_id,
                                "clause": link.clause.number,
                            }
                            for link in a.clauses
                        ],
                    }
                    for a in r.articles
                    if not uncovered or not a.covered
                ],
            }
        )
    return out


@router.get("/policy-changes", response=dict, summary="The yearly 废改立 list: versions approved in the year")
def policy_changes(request: HttpRequest, year: int):
    require_perm(request.user, VIEW)
    if not 1990 <= year <= 2100:
        raise field_error("year", _("Enter a year between 1990 and 2100."))
    versions = selectors.yearly_changes(user=request.user, year=year)
    return {
        "year": year,
        "counts": selectors.change_counts(versions),
        "versions": [
            {
                **version_out(v, clauses=False),
                "policy_number": v.policy.number,
                "org_unit": v.policy.org_unit.code,
            }
            for v in versions
        ],
    }


@router.get("/policy-reviews-due", response=list[dict], summary="Policies in force due for review")
def policy_reviews_due(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [
        {
            "id": p.pk,
            "number": p.number,
            "title": p.title,
            "org_unit": p.org_unit.code,
            "due_on": getattr(p, "review_due", None),
            "last_reviewed_on": p.last_reviewed_on,
        }
        for p in selectors.due_for_review(Policy.objects.visible_to(request.user))
    ]


def regulation_out(r: Regulation, *, articles: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "document_number": r.document_number,
        "issuer": r.issuer,
        "effective_on": r.effective_on,
        "unconfirmed": r.unconfirmed,
        "active": r.active,
    }
    if articles:
        out["articles"] = [
            {"id": a.pk, "number": a.number, "summary": a.summary, "unconfirmed": a.unconfirmed}
            for a in r.articles.all()
        ]
    return out


@router.get("/regulations", response=list[dict], summary="Regulations whose articles policies implement")
def regulations(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [regulation_out(r) for r in Regulation.objects.all()]


@router.post("/regulations", response={201: dict}, summary="Add a regulation (head office)")
def regulation_create(request: HttpRequest, payload: RegulationIn):
    require_perm(request.user, MANAGE_REGULATIONS)
    return Status(201, regulation_out(services.regulation_create(actor=request.user, data=payload.dict())))


@router.get("/regulations/{regulation_id}", response=dict, summary="A regulation with its articles")
def regulation_get(request: HttpRequest, regulation_id: int):
    require_perm(request.user, VIEW)
    return regulation_out(get_visible(Regulation.objects.all(), pk=regulation_id), articles=True)


@router.post("/regulations/{regulation_id}/articles", response={201: dict}, summary="Add an article")
def article_create(request: HttpRequest, regulation_id: int, payload: ArticleIn):
    require_perm(request.user, VIEW)
    reg = get_visible(Regulation.objects.all(), pk=regulation_id)
    if not request.user.has_perm(MANAGE_REGULATIONS):
        raise PermissionDenied
    a = services.article_create(actor=request.user, regulation=reg, data=payload.dict())
    return Status(201, {"id": a.pk, "number": a.number, "summary": a.summary, "unconfirmed": a.unconfirmed})
