"""Approvals API (mounted in review's router): /approvals (the register, visible ones), /approvals/{number},
/approvals/{number}/withdraw, and /approvals/verify/{code} — the check a QR code leads to, for any signed-in
user (read-only: what the public page shows, nothing internal). The public, unauthenticated check is the page
/public/verify/<code>/."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.review import approvals as svc
from xiaobao.review.choices import ApprovalState

router = Router(tags=["review"])
VIEW = "review.view_review"


class ApprovalOut(Schema):
    number: str
    code: str = Field(..., description="The short public check code, as printed (ABCD-EFGH)")
    state: str = Field(..., description="active, withdrawn, expired or superseded (as of today)")
    review: str = Field(..., description="The review's reference")
    product_name: str
    file_name: str
    version: int
    sha256: str
    issued_at: dt.datetime
    issued_by: str
    valid_until: dt.date | None
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return svc.format_code(obj.code)

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return svc.effective_state(obj)

    @staticmethod
    def resolve_review(obj: Any) -> str:
        return obj.review.reference

    @staticmethod
    def resolve_file_name(obj: Any) -> str:
        return obj.version.original_name

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number

    @staticmethod
    def resolve_issued_by(obj: Any) -> str:
        return obj.issued_by.username

    @staticmethod
    def resolve_withdrawn_by(obj: Any) -> str | None:
        return obj.withdrawn_by.username if obj.withdrawn_by else None


class ApprovalListFilter(Schema):
    state: str = Field("", description="active, withdrawn, expired or superseded")
    q: str = Field("", max_length=100, description="Number, code, product, file name or review reference")


class ApprovalWithdrawIn(Schema):
    reason: str = Field(..., max_length=1000)


class ApprovalVerifyOut(Schema):
    found: bool
    state: str = Field(..., description="active, withdrawn, expired, superseded or not_found")
    valid: bool
    number: str | None = None
    code: str | None = None
    product_name: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    withdrawn_on: dt.date | None = None
    file_matches: bool | None = None


def _qs(request: HttpRequest) -> Any:
    return svc.approvals_visible_to(request.user).select_related(
        "review", "version", "issued_by", "withdrawn_by"
    )


def _visible(request: HttpRequest, number: str) -> Any:
    require_perm(request.user, VIEW)
    return get_visible(_qs(request), number=number.strip().upper()[:32])


@router.get("/approvals", response=list[ApprovalOut], summary="Approvals of the reviews you can see")
@paginate(LimitOffsetPagination)
def approvals(request: HttpRequest, filters: Query[ApprovalListFilter]):
    require_perm(request.user, VIEW)
    qs = _qs(request)
    if filters.state == ApprovalState.ACTIVE:
        qs = qs.filter(pk__in=svc.live_approvals().values("pk"))
    elif filters.state == ApprovalState.EXPIRED:
        qs = qs.exclude(pk__in=svc.live_approvals().values("pk")).filter(
            state__in=[ApprovalState.ACTIVE, ApprovalState.EXPIRED]
        )
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.q.strip():
        from django.db.models import Q

        q = filters.q.strip()
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(code=svc.normalise_code(q))
            | Q(product_name__icontains=q)
            | Q(review__reference__icontains=q)
            | Q(version__original_name__icontains=q)
        )
    return qs.order_by("-issued_at", "-id")


@router.get(
    "/approvals/verify/{code}", response=ApprovalVerifyOut, summary="Check an approval code or number"
)
def approval_verify(request: HttpRequest, code: str, sha256: str = ""):
    """What the public check page says about a code or number (and, with `sha256`, whether a file is the
    approved one). Any signed-in user; nothing internal."""
    result = svc.verify(code, sha256 or None)
    out: dict[str, Any] = {
        "found": result.found,
        "state": result.state,
        "valid": result.valid,
        "file_matches": result.file_matches,
    }
    if result.approval is not None:
        out.update(svc.public_facts(result.approval))
    return out


@router.get("/approvals/{number}", response=ApprovalOut, summary="One approval")
def approval_detail(request: HttpRequest, number: str):
    return _visible(request, number)


@router.post("/approvals/{number}/withdraw", response=ApprovalOut, summary="Withdraw an approval")
def approval_withdraw(request: HttpRequest, number: str, payload: ApprovalWithdrawIn):
    """Withdraw an approval in force (marketing taken off after launch); needs review.manage_approval."""
    require_perm(request.user, svc.MANAGE_PERM)
    approval = _visible(request, number)
    done = svc.approval_withdraw(approval, by=request.user, reason=payload.reason)
    return _qs(request).get(pk=done.pk)
