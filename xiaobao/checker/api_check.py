"""`POST /api/v1/review-checks`: check pasted text with the rules in force today (mounted by checker/api.py).

Nothing is stored: the text is checked and the findings returned (offsets are Python string indices into
the text as sent). Signed-in users with `checker.use_checker`."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xiaobao.checker.engine import MATERIALS, PRODUCT_KINDS, check
from xiaobao.checker.services import active_rules
from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError

router = Router(tags=["checker"])

USE = "checker.use_checker"
MAX_TEXT = 200_000


class ReviewCheckIn(Schema):
    text: str = Field(..., description=f"The text to check, at most {MAX_TEXT:,} characters")
    product_kind: str = Field(..., max_length=40, description=" | ".join(PRODUCT_KINDS))
    material: str = Field("marketing", max_length=40, description="marketing (default) | contract")


class ReviewCheckFinding(Schema):
    label: str = Field(..., description="absolute, guarantee, no_risk, deposit_confusion, …")
    rule: str = Field(..., description="The rule's code")
    start: int = Field(..., description="Offset of the first character in `text`")
    end: int = Field(..., description="Offset after the last character (`text[start:end]` is the excerpt)")
    excerpt: str
    severity: str = Field(..., description="high, medium or low")
    source: str = Field(..., description="The law or rule it comes from (zh)")
    suggestion: str = Field(..., description="Suggested fix (zh)")


class ReviewCheckOut(Schema):
    findings: list[ReviewCheckFinding]


def _validate(payload: ReviewCheckIn) -> None:
    fields: dict[str, list[str]] = {}
    if not payload.text.strip():
        fields["text"] = [_("Give the text to check.")]
    elif len(payload.text) > MAX_TEXT:
        fields["text"] = [_("The text is longer than %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}]
    if payload.product_kind not in PRODUCT_KINDS:
        fields["product_kind"] = [
            _("Unknown product kind. Use one of: %(kinds)s.") % {"kinds": ", ".join(PRODUCT_KINDS)}
        ]
    if payload.material not in MATERIALS:
        fields["material"] = [_("Unknown material. Use marketing or contract.")]
    if fields:
        raise DomainError(next(iter(fields.values()))[0], fields=fields)


@router.post(
    "/review-checks",
    response=ReviewCheckOut,
    summary="Check marketing or contract text",
    description="Findings of the wording checker's rules in force today, each with its label, rule, offsets "
    "into `text`, excerpt, severity, source and suggestion; an empty list when the text is clean.",
)
def review_check(request: HttpRequest, payload: ReviewCheckIn):
    require_perm(request.user, USE)
    _validate(payload)
    findings = check(
        payload.text,
        product_kind=payload.product_kind,
        material=payload.material,
        rules=active_rules(localdate()),
    )
    return {"findings": findings}
