"""Checker API: the rules (list, one, create, change, versions), a reviewer's decision on a stored finding,
and (from `api_check`) `POST /review-checks`."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.checker.api_check import router as check_router
from xiaobao.checker.apps import MANAGE, USE, VIEW
from xiaobao.checker.models import LABEL_NAMES, CheckFinding, CheckRule
from xiaobao.checker.services import (
    finding_decide,
    finding_visible,
    may_decide,
    rule_history,
    rule_precision,
    rule_save,
)
from xiaobao.core.clock import localdate
from xiaobao.core.errors import field_error

router = Router(tags=["checker"])
router.add_router("", check_router)

ITEMS = 300
LINE = 500


class CheckRuleIn(Schema):
    code: str = Field(..., max_length=64, description="Unique slug: lower-case letters, digits, hyphens")
    title: str = Field(..., max_length=200)
    label: str = Field(..., description="One of the checker's labels (absolute, guarantee, no_risk, …)")
    severity: str = Field("medium", description="high, medium or low")
    kind: str = Field(..., description="terms, pattern, required or numeric")
    terms: list[str] = Field([], max_length=ITEMS, description="Literal terms")
    patterns: list[str] = Field([], max_length=ITEMS, description="Regular expressions")
    exceptions: list[str] = Field([], max_length=ITEMS, description="Regexes: such a context is no hit")
    product_kinds: list[str] = Field([], max_length=20, description="Product kinds it applies to; [] = all")
    materials: list[str] = Field([], max_length=2, description="marketing and/or contract; [] = both")
    required: list[str] = Field([], max_length=ITEMS, description="Required statements (regexes)")
    near: list[str] = Field([], max_length=ITEMS, description="Triggers the statement must stand near")
    params: dict[str, Any] = Field({}, description="Numeric rules: {check, …thresholds}")
    source: str = Field("", max_length=500, description="The law or rule it comes from")
    suggestion: str = Field("", max_length=2000, description="Suggested fix")
    status: str = Field("draft", description="draft, active or retired")
    effective_from: dt.date | None = Field(None, description="Empty: at once; later: pending until then")
    effective_to: dt.date | None = None
    note: str = Field("", max_length=500, description="What changed and why (the version's note)")


class CheckRulePatch(Schema):
    title: str | None = Field(None, max_length=200)
    label: str | None = None
    severity: str | None = None
    kind: str | None = None
    terms: list[str] | None = Field(None, max_length=ITEMS)
    patterns: list[str] | None = Field(None, max_length=ITEMS)
    exceptions: list[str] | None = Field(None, max_length=ITEMS)
    product_kinds: list[str] | None = Field(None, max_length=20)
    materials: list[str] | None = Field(None, max_length=2)
    required: list[str] | None = Field(None, max_length=ITEMS)
    near: list[str] | None = Field(None, max_length=ITEMS)
    params: dict[str, Any] | None = None
    source: str | None = Field(None, max_length=500)
    suggestion: str | None = Field(None, max_length=2000)
    status: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    note: str = Field("", max_length=500)
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The version you edited (or If-Match): another save since → 409"
    )


class CheckRuleOut(Schema):
    code: str
    title: str
    label: str
    label_name: str
    severity: str
    kind: str
    terms: list[str]
    patterns: list[str]
    exceptions: list[str]
    product_kinds: list[str]
    materials: list[str]
    required: list[str]
    near: list[str]
    params: dict[str, Any]
    source: str
    suggestion: str
    status: str
    state: str = Field(..., description="Today: draft, pending, active, expired or retired")
    effective_from: dt.date | None
    effective_to: dt.date | None
    version: int
    is_preset: bool
    updated_by: str | None
    updated_at: dt.datetime
    rechecked_at: dt.datetime | None
    confirmed: int
    dismissed: int
    precision: float | None = Field(..., description="confirmed / (confirmed + dismissed); null when none")


class CheckRuleFilter(Schema):
    q: str = Field("", max_length=100)
    label: str = Field("", max_length=32)
    state: str = Field("", max_length=10, description="draft, pending, active, expired or retired")


class CheckRuleChangeOut(Schema):
    field: str
    before: Any = None
    after: Any = None
    added: list[Any] = []
    removed: list[Any] = []


class CheckRuleVersionOut(Schema):
    version: int
    changed_by: str | None
    changed_at: dt.datetime
    note: str
    snapshot: dict[str, Any]
    changes: list[CheckRuleChangeOut]


class CheckFindingDecisionIn(Schema):
    decision: str = Field(..., description="confirmed or dismissed")
    note: str = Field("", max_length=1000)


class CheckFindingOut(Schema):
    id: int
    rule: str
    label: str
    severity: str
    start: int
    end: int
    excerpt: str
    source: str
    suggestion: str
    decision: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


def _read(request: HttpRequest) -> None:
    if not any(request.user.has_perm(p) for p in (USE, VIEW, MANAGE)):  # type: ignore[union-attr]
        raise PermissionDenied


def _manage(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE):  # type: ignore[union-attr]
        raise PermissionDenied


def _rule(code: str) -> CheckRule:
    rule = CheckRule.objects.select_related("updated_by").filter(code=code).first()
    if rule is None:
        raise Http404
    return rule


def rule_out(rule: CheckRule, precision: dict[str, Any], today: dt.date) -> dict[str, Any]:
    confirmed, dismissed, share = precision.get(rule.code, (0, 0, None))
    return {
        "code": rule.code,
        "title": rule.title,
        "label": rule.label,
        "label_name": str(LABEL_NAMES.get(rule.label, rule.label)),
        "severity": rule.severity,
        "kind": rule.kind,
        "terms": rule.terms,
        "patterns": rule.patterns,
        "exceptions": rule.exceptions,
        "product_kinds": rule.product_kinds,
        "materials": rule.materials,
        "required": rule.required,
        "near": rule.near,
        "params": rule.params,
        "source": rule.source,
        "suggestion": rule.suggestion,
        "status": rule.status,
        "state": rule.state_on(today),
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "version": rule.version,
        "is_preset": rule.is_preset,
        "updated_by": rule.updated_by.username if rule.updated_by else None,
        "updated_at": rule.updated_at,
        "rechecked_at": rule.rechecked_at,
        "confirmed": confirmed,
        "dismissed": dismissed,
        "precision": share,
    }


@router.get("/review-rules", response=list[CheckRuleOut], summary="The checker's rules")
@paginate(LimitOffsetPagination)
def rules(request: HttpRequest, filters: Query[CheckRuleFilter]):
    _read(request)
    qs = CheckRule.objects.select_related("updated_by").order_by("label", "code")
    if filters.label:
        qs = qs.filter(label=filters.label)
    if filters.q:
        qs = qs.filter(code__icontains=filters.q) | qs.filter(title__icontains=filters.q)
    today, precision = localdate(), rule_precision()
    return [
        rule_out(r, precision, today) for r in qs if not filters.state or r.state_on(today) == filters.state
    ]


@router.get("/review-rules/{code}", response=CheckRuleOut, summary="One rule")
def rule_get(request: HttpRequest, code: str):
    _read(request)
    return rule_out(_rule(code), rule_precision(), localdate())


@router.post("/review-rules", response={201: CheckRuleOut}, summary="Create a rule (version 1)")
def rule_create(request: HttpRequest, payload: CheckRuleIn):
    _manage(request)
    data = payload.dict()
    note = data.pop("note")
    rule = rule_save(rule=None, data=data, by=request.user, note=note)
    return Status(201, rule_out(_rule(rule.code), rule_precision(), localdate()))


@router.patch(
    "/review-rules/{code}",
    response=CheckRuleOut,
    summary="Change a rule: the fields given; a new version (If-Match or version: 409 when it changed)",
)
def rule_patch(request: HttpRequest, code: str, payload: CheckRulePatch):
    _manage(request)
    rule = _rule(code)
    data = payload.dict(exclude_unset=True)
    note = data.pop("note", "")
    version = data.pop("version", None)
    header = request.headers.get("If-Match", "").strip().strip('"')
    if header:
        if not header.isdigit() or len(header) > 10:
            raise field_error("If-Match", _("The If-Match header must be the rule's version number."))
        version = int(header)
    for name in [k for k, v in data.items() if v is None and k not in ("effective_from", "effective_to")]:
        raise field_error(name, _("This field cannot be null."))
    rule = rule_save(rule=rule, data=data, by=request.user, note=note, expected_version=version)
    return rule_out(_rule(rule.code), rule_precision(), localdate())


@router.get(
    "/review-rules/{code}/versions",
    response=list[CheckRuleVersionOut],
    summary="The rule's versions, newest first, with what each changed",
)
def rule_versions(request: HttpRequest, code: str):
    _read(request)
    return [
        {
            "version": row["version"].version,
            "changed_by": row["version"].changed_by.username if row["version"].changed_by else None,
            "changed_at": row["version"].changed_at,
            "note": row["version"].note,
            "snapshot": row["version"].snapshot,
            "changes": row["changes"],
        }
        for row in rule_history(_rule(code))
    ]


def finding_out(f: CheckFinding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "rule": f.rule_code,
        "label": f.label,
        "severity": f.severity,
        "start": f.start,
        "end": f.end,
        "excerpt": f.excerpt,
        "source": f.source,
        "suggestion": f.suggestion,
        "decision": f.decision,
        "decided_by": f.decided_by.username if f.decided_by else None,
        "decided_at": f.decided_at,
        "decision_note": f.decision_note,
    }


@router.post(
    "/review-findings/{finding_id}/decision",
    response=CheckFindingOut,
    summary="Confirm or dismiss a stored finding (its subject must be visible to you)",
)
def finding_decision(request: HttpRequest, finding_id: int, payload: CheckFindingDecisionIn):
    if not request.user.has_perm(USE):  # type: ignore[union-attr]
        raise PermissionDenied
    found = finding_visible(request.user, finding_id)
    if found is None:
        raise Http404
    finding, subject = found
    if not may_decide(request.user, subject):
        raise PermissionDenied(_("You may not decide the checker's findings on this item."))
    finding = finding_decide(finding, decision=payload.decision, by=request.user, note=payload.note)
    return finding_out(finding)
