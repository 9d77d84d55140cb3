"""Rule proposals from complaints: a complaint whose cause is marketing or disclosure (营销方式和手段,
信息披露) suggests a change to the checker's rules. The proposer enters a term or pattern (prefilled from what
the complaint quotes), sees which live approved materials it would have caught, and saves it as a DRAFT rule
(the checker's `rule_save`; head office reviews and activates it on the rule page). The rule's version note
names the complaint's reference — no personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from xiaobao.review.approvals import approvals_visible_to, live_approvals
from xiaobao.review.models import Approval

MANAGE_RULES = "checker.manage_rules"
# The complaint causes (JR/T 0169 cause codes, complaints' preset table) about marketing and disclosure;
# the table is data, so a renamed or added cause is recognised by its name too.
CAUSE_CODES = ("C04", "C05")
CAUSE_WORDS = ("营销", "宣传", "信息披露")
MAX_TERMS = 20
MAX_HITS = 200
CONTEXT = 24  # characters shown either side of a hit
_QUOTED = re.compile(r"[“\"「『‘']([^”\"」』’'\n]{2,30})[”\"」』’']")


def cause_matches(complaint: Any) -> bool:
    cause = getattr(complaint, "cause", None)
    if cause is None:
        return False
    return cause.code in CAUSE_CODES or any(w in (cause.name or "") for w in CAUSE_WORDS)


def suggested_terms(complaint: Any) -> list[str]:
    """What the complaint quotes (“保本保息”, 「零风险」): the claims the customer says they were told."""
    found: list[str] = []
    for text in (complaint.description or "", complaint.request or ""):
        for match in _QUOTED.finditer(text):
            term = match.group(1).strip()
            if term and term not in found:
                found.append(term)
    return found[:MAX_TERMS]


def excerpt(complaint: Any, length: int = 120) -> str:
    text = re.sub(r"\s+", " ", complaint.description or "").strip()
    return text if len(text) <= length else text[:length] + "…"


def can_propose(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(MANAGE_RULES))


@dataclass
class Hit:
    start: int
    end: int
    before: str
    match: str
    after: str


@dataclass
class Caught:
    approval: Approval
    hits: list[Hit] = field(default_factory=list)


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in value or [] if str(v).strip()]


def proposal_spec(*, terms: Any, patterns: Any, label: str, product_kinds: Any) -> Any:
    """The engine's rule for a proposal (validated like a rule: patterns must compile)."""
    from xiaobao.checker.engine import LABELS, PRODUCT_KINDS, RuleSpec

    terms, patterns, kinds = _lines(terms), _lines(patterns), _lines(product_kinds)
    errors: dict[str, list[str]] = {}
    if not terms and not patterns:
        errors["terms"] = [_("Enter at least one term or pattern.")]
    if len(terms) > MAX_TERMS or any(len(t) > 100 for t in terms):
        errors["terms"] = [_("At most %(n)d terms of 100 characters.") % {"n": MAX_TERMS}]
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            errors["patterns"] = [_("Not a valid pattern: %(error)s") % {"error": exc}]
            break
        if len(p) > 200:
            errors["patterns"] = [_("At most 200 characters a pattern.")]
    if label not in LABELS:
        errors["label"] = [_("Choose one of the listed values.")]
    if any(k not in PRODUCT_KINDS for k in kinds):
        errors["product_kinds"] = [_("Choose one of the listed values.")]
    if errors:
        raise ValidationError(errors)
    return RuleSpec(
        code="complaint-proposal",
        label=label,
        severity="medium",
        kind="terms" if terms else "pattern",
        terms=tuple(terms),
        patterns=tuple(patterns),
        product_kinds=tuple(kinds),
    )


def preview(*, user: Any, spec: Any) -> list[Caught]:
    """The live approved materials (approvals in force, of reviews the user may see) the rule would have
    caught, each with its hits in context."""
    from xiaobao.checker.services import check_text

    approvals = (
        live_approvals()
        .filter(pk__in=approvals_visible_to(user).values("pk"))
        .select_related("version", "review__product_kind")
        .order_by("-issued_at", "-id")
    )
    caught: list[Caught] = []
    total = 0
    for approval in approvals:
        version, review = approval.version, approval.review
        text = version.text or ""
        if not text:
            continue
        findings = check_text(
            text,
            product_kind=review.product_kind.checker_kind,
            material=review.material,
            blocks=version.blocks or None,
            rules=[spec],
        )
        if not findings:
            continue
        hits = [
            Hit(
                start=f.start,
                end=f.end,
                before=text[max(0, f.start - CONTEXT) : f.start],
                match=text[f.start : f.end],
                after=text[f.end : f.end + CONTEXT],
            )
            for f in findings
        ]
        caught.append(Caught(approval=approval, hits=hits))
        total += len(hits)
        if total >= MAX_HITS:
            break
    return caught


def _code_for(complaint: Any) -> str:
    from xiaobao.checker.models import CheckRule

    base = "complaint-" + re.sub(r"[^a-z0-9]+", "-", complaint.reference.lower()).strip("-")
    base = base[:56]
    code, n = base, 1
    while CheckRule.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def propose(*, by: Any, complaint: Any, data: dict[str, Any]) -> Any:
    """Save the proposal as a DRAFT rule (checker's `rule_save`), its note naming the complaint."""
    from xiaobao.checker.services import rule_save

    if not can_propose(by):
        raise PermissionDenied(_("You may not edit the checker's rules."))
    spec = proposal_spec(
        terms=data.get("terms"),
        patterns=data.get("patterns"),
        label=str(data.get("label") or ""),
        product_kinds=data.get("product_kinds"),
    )
    title = str(data.get("title") or "").strip() or _("Proposed from complaint %(ref)s") % {
        "ref": complaint.reference
    }
    note = _("Proposed from complaint %(ref)s") % {"ref": complaint.reference}
    return rule_save(
        rule=None,
        data={
            "code": _code_for(complaint),
            "title": title[:200],
            "label": spec.label,
            "severity": "medium",
            "kind": spec.kind,
            "terms": list(spec.terms),
            "patterns": list(spec.patterns),
            "product_kinds": list(spec.product_kinds),
            "status": "draft",
            "source": str(data.get("source") or "")[:500],
            "suggestion": str(data.get("suggestion") or "")[:2000],
        },
        by=by,
        note=note[:500],
    )
