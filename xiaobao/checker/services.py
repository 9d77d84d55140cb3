"""Checker services: rules as versioned data (save, validate, history), the rules in force on a day (cached
per process, refreshed when any rule changes), checking text with them, storing findings on a subject, the
reviewer's confirm/dismiss decision and each rule's precision from those decisions, and the preset sync.

Keyword-only, own their transaction, validate everything before writing (all field errors at once)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from xiaobao.checker.engine import (
    LABELS,
    MATERIALS,
    NUMERIC_CHECKS,
    PRODUCT_KINDS,
    Finding,
    RuleSpec,
    check,
    validate_rule,
)
from xiaobao.checker.models import (
    LIST_FIELDS,
    REGEX_FIELDS,
    CheckFinding,
    CheckRule,
    CheckRuleVersion,
    Decision,
    RuleKind,
    RuleStatus,
    Severity,
)
from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.services.audit import audit_change, snapshot

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
RESERVED_CODES = {"new", "bench"}  # the pages /review-rules/new/ and /review-rules/bench/
MAX_ITEMS = 300  # entries of one list
MAX_ITEM_LENGTH = 500  # characters of one term or pattern
MAX_PARAMS_JSON = 4000
TEXT_LIMITS = {"title": 200, "source": 500, "suggestion": 2000}
# Fields a save may change (code only on create).
EDITABLE = (
    "title",
    "label",
    "severity",
    "kind",
    *LIST_FIELDS,
    "params",
    "source",
    "suggestion",
    "status",
    "effective_from",
    "effective_to",
)


# --- validation -----------------------------------------------------------------------------------------


def _err(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _as_list(errors: dict[str, list[str]], name: str, value: Any) -> list[str]:
    """A JSON list of strings (a newline-separated string is accepted too): trimmed, blanks and repeats
    dropped, order kept."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        _err(errors, name, _("Give a list of texts."))
        return []
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            _err(errors, name, _("Every entry must be a text."))
            return []
        text = item.strip()
        if "\x00" in text:
            _err(errors, name, _("Null characters are not allowed."))
            return []
        if len(text) > MAX_ITEM_LENGTH:
            _err(errors, name, _("An entry has more than %(n)d characters.") % {"n": MAX_ITEM_LENGTH})
            return []
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_ITEMS:
        _err(errors, name, _("At most %(n)d entries.") % {"n": MAX_ITEMS})
        return []
    return out


def _regexes(errors: dict[str, list[str]], name: str, values: list[str]) -> None:
    for pattern in values:
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            _err(
                errors,
                name,
                _("“%(p)s” is not a valid regular expression: %(e)s") % {"p": pattern, "e": exc},
            )


def _choice_list(errors: dict[str, list[str]], name: str, values: list[str], allowed: Sequence[str]) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        _err(errors, name, _("Unknown value(s): %(v)s.") % {"v": "、".join(bad)})


def _date(errors: dict[str, list[str]], name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2200:
        _err(errors, name, _("Enter a date (YYYY-MM-DD)."))
        return None
    return day


def _text(errors: dict[str, list[str]], name: str, value: Any, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        _err(errors, name, _("Null characters are not allowed."))
        return ""
    if required and not text:
        _err(errors, name, _("This field is required."))
    elif len(text) > TEXT_LIMITS[name]:
        _err(errors, name, _("At most %(n)d characters.") % {"n": TEXT_LIMITS[name]})
    return text


def _params(errors: dict[str, list[str]], value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            _err(errors, "params", _("Parameters must be a JSON object."))
            return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        _err(errors, "params", _("Parameters must be a JSON object."))
        return {}
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        _err(errors, "params", _("Parameters must be a JSON object."))
        return {}
    if len(encoded) > MAX_PARAMS_JSON or "\x00" in encoded or "\\u0000" in encoded:
        _err(errors, "params", _("At most %(n)d characters.") % {"n": MAX_PARAMS_JSON})
        return {}
    return value


def _clean(rule: CheckRule | None, data: dict[str, Any]) -> dict[str, Any]:
    """The rule's fields after `data` is applied, validated; ValidationError with every field's errors."""
    errors: dict[str, list[str]] = {}
    current = rule_values(rule) if rule is not None else {}

    def given(name: str, default: Any = None) -> Any:
        return data[name] if name in data else current.get(name, default)

    out: dict[str, Any] = {}
    if rule is None:
        code = str(data.get("code") or "").strip()
        if not CODE.fullmatch(code):
            _err(errors, "code", _("Use 2–64 lower-case letters, digits and hyphens (e.g. absolute-terms)."))
        elif code in RESERVED_CODES:
            _err(errors, "code", _("This code is reserved."))
        elif CheckRule.objects.filter(code=code).exists():
            _err(errors, "code", _("A rule with this code exists already."))
        out["code"] = code
    elif "code" in data and data["code"] not in (None, "", rule.code):
        _err(errors, "code", _("A rule's code cannot be changed."))

    out["title"] = _text(errors, "title", given("title"), required=True)
    out["source"] = _text(errors, "source", given("source", ""))
    out["suggestion"] = _text(errors, "suggestion", given("suggestion", ""))
    for name, allowed, default in (
        ("label", LABELS, None),
        ("severity", Severity.values, "medium"),
        ("kind", RuleKind.values, None),
        ("status", RuleStatus.values, "draft"),
    ):
        value = given(name, default)
        if value not in allowed:
            _err(errors, name, _("Choose one of the listed values."))
        out[name] = value
    for name in LIST_FIELDS:
        out[name] = _as_list(errors, name, given(name, []))
    for name in REGEX_FIELDS:
        _regexes(errors, name, out[name])
    _choice_list(errors, "product_kinds", out["product_kinds"], PRODUCT_KINDS)
    _choice_list(errors, "materials", out["materials"], MATERIALS)
    out["params"] = _params(errors, given("params", {}))
    out["effective_from"] = _date(errors, "effective_from", given("effective_from"))
    out["effective_to"] = _date(errors, "effective_to", given("effective_to"))
    start, end = out["effective_from"], out["effective_to"]
    if start and end and end < start:
        _err(errors, "effective_to", _("The end cannot be before the start."))

    kind = out["kind"]
    if kind == RuleKind.TERMS and not (out["terms"] or out["patterns"]):
        _err(errors, "terms", _("A term-list rule needs at least one term or pattern."))
    elif kind == RuleKind.PATTERN and not out["patterns"]:
        _err(errors, "patterns", _("A pattern rule needs at least one pattern."))
    elif kind == RuleKind.REQUIRED and not out["required"]:
        _err(errors, "required", _("A required-statement rule needs at least one statement."))
    elif kind == RuleKind.NUMERIC:
        if out["params"].get("check") not in NUMERIC_CHECKS:
            _err(
                errors,
                "params",
                _('A numeric rule needs "check" in its parameters: one of %(v)s.')
                % {"v": ", ".join(NUMERIC_CHECKS)},
            )
        if not out["patterns"]:
            _err(errors, "patterns", _("A numeric rule needs a pattern with a (?P<num>…) group."))
        elif "patterns" not in errors:
            for pattern in out["patterns"]:
                if "num" not in re.compile(pattern).groupindex:
                    _err(errors, "patterns", _("“%(p)s” has no (?P<num>…) group.") % {"p": pattern})
    if not errors:
        # Whatever else the engine refuses (its own words): the editor never stores an unusable rule.
        spec = RuleSpec(code=out.get("code") or "x", **{k: v for k, v in _spec_fields(out).items()})
        for problem in validate_rule(spec):
            name, _sep, message = problem.partition(": ")
            _err(errors, name if name in EDITABLE else "__all__", message or problem)
    if errors:
        raise ValidationError(errors)
    return out


def _spec_fields(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("label", "severity", "kind", "source", "suggestion", "title"):
        out[name] = values.get(name) or ""
    for name in LIST_FIELDS:
        out[name] = tuple(values.get(name) or ())
    out["params"] = dict(values.get("params") or {})
    return out


# --- rules: saving and history -----------------------------------------------------------------------


def rule_values(rule: CheckRule) -> dict[str, Any]:
    """The rule's editable content as JSON-ready values (what a version snapshot holds)."""
    values: dict[str, Any] = {"code": rule.code}
    for name in EDITABLE:
        value = getattr(rule, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


@transaction.atomic
def rule_save(
    *,
    rule: CheckRule | None,
    data: dict[str, Any],
    by: Any,
    note: str = "",
    expected_version: int | None = None,
) -> CheckRule:
    """Create (`rule=None`) or change a rule: validates, bumps the version, keeps a snapshot and an audit row.

    `data` holds the fields to set (on a change, missing fields keep their value). `expected_version`: the
    version the editor saw; another save since → Conflict (409)."""
    if rule is not None:
        rule = CheckRule.objects.select_for_update().get(pk=rule.pk)
        if expected_version is not None and expected_version != rule.version:
            raise Conflict(
                _("The rule was changed meanwhile (now version %(v)d). Reload and try again.")
                % {"v": rule.version},
                code="conflict",
            )
    note = str(note or "").strip()
    if len(note) > 500 or "\x00" in note:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": 500}]})
    values = _clean(rule, data)
    before = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = CheckRule(code=values.pop("code"), version=1)
    else:
        values.pop("code", None)
        current = rule_values(rule)
        if all(current[k] == (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()):
            return rule  # nothing changed: no new version
        rule.version += 1
    previous_start = rule.effective_from
    for name, value in values.items():
        setattr(rule, name, value)
    today = localdate()
    if (
        rule.effective_from != previous_start
        and rule.effective_from is not None
        and rule.effective_from > today
    ):
        rule.rechecked_at = None  # pending again: review's recheck job checks live materials when it starts
    rule.updated_by = by if getattr(by, "is_authenticated", False) else None
    rule.save()
    CheckRuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        snapshot=rule_values(rule),
        changed_by=rule.updated_by,
        changed_at=recorded_now(),
        note=note,
    )
    audit_change(actor=by, obj=rule, before=before)
    transaction.on_commit(rules_invalidate)
    rules_invalidate()
    return rule


def version_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two snapshots: per field, entries added/removed (lists) or old → new."""
    old = old or {}
    rows = []
    for name in ("code", *EDITABLE):
        before, after = old.get(name), new.get(name)
        if before == after or (old == {} and after in (None, "", [], {})):
            continue
        if isinstance(after, list) or isinstance(before, list):
            b, a = list(before or []), list(after or [])
            rows.append(
                {
                    "field": name,
                    "added": [x for x in a if x not in b],
                    "removed": [x for x in b if x not in a],
                    "list": True,
                }
            )
        else:
            rows.append({"field": name, "before": before, "after": after, "list": False})
    return rows


def rule_history(rule: CheckRule) -> list[dict[str, Any]]:
    """The rule's versions, newest first, each with what it changed against the one before."""
    versions = list(rule.versions.select_related("changed_by").order_by("version"))
    rows = []
    previous: dict[str, Any] | None = None
    for v in versions:
        rows.append({"version": v, "changes": version_diff(previous, v.snapshot)})
        previous = v.snapshot
    return list(reversed(rows))


def rule_to_spec(rule: CheckRule) -> RuleSpec:
    return RuleSpec(
        code=rule.code,
        label=rule.label,
        severity=rule.severity,
        kind=rule.kind,
        terms=tuple(rule.terms or ()),
        patterns=tuple(rule.patterns or ()),
        exceptions=tuple(rule.exceptions or ()),
        product_kinds=tuple(rule.product_kinds or ()),
        materials=tuple(rule.materials or ()),
        required=tuple(rule.required or ()),
        near=tuple(rule.near or ()),
        params=dict(rule.params or {}),
        source=rule.source,
        suggestion=rule.suggestion,
        title=rule.title,
    )


# --- the rules in force, cached per process ---------------------------------------------------------------

RECHECK_SECONDS = 5.0  # how stale another process's edit may be seen here (this process's own: at once)
_lock = threading.Lock()
_rows: list[tuple[RuleSpec, str, dt.date | None, dt.date | None]] | None = None
_fingerprint: tuple[Any, ...] | None = None
_checked_at = 0.0
_by_day: dict[tuple[Any, ...], tuple[RuleSpec, ...]] = {}
_clock = time.monotonic  # replaced in tests


def _recheck_seconds() -> float:
    from django.conf import settings

    # Tests roll the database back between tests: always compare the fingerprint there.
    return 0.0 if getattr(settings, "TESTING", False) else RECHECK_SECONDS


def _db_fingerprint() -> tuple[Any, ...]:
    agg = CheckRule.objects.aggregate(n=Count("id"), at=Max("updated_at"), v=Sum("version"))
    return (agg["n"], agg["at"], agg["v"])


def _load() -> list[tuple[RuleSpec, str, dt.date | None, dt.date | None]]:
    rows = CheckRule.objects.exclude(status=RuleStatus.RETIRED).order_by("label", "code")
    return [(rule_to_spec(r), r.status, r.effective_from, r.effective_to) for r in rows]


def _cached_rows() -> tuple[tuple[Any, ...], list[tuple[RuleSpec, str, dt.date | None, dt.date | None]]]:
    global _rows, _fingerprint, _checked_at
    now = _clock()
    rows, fingerprint = _rows, _fingerprint
    if rows is not None and fingerprint is not None and now - _checked_at < _recheck_seconds():
        return fingerprint, rows
    with _lock:
        fingerprint = _db_fingerprint()
        if _rows is None or fingerprint != _fingerprint:
            _rows, _fingerprint = _load(), fingerprint
            _by_day.clear()
        _checked_at = now
        return _fingerprint, _rows  # type: ignore[return-value]


def rules_invalidate() -> None:
    """Drop this process's cached rules (after a save here; other processes notice the fingerprint)."""
    global _rows, _fingerprint
    with _lock:
        _rows, _fingerprint = None, None
        _by_day.clear()


def active_rules(on: dt.date | None = None, *, include_unpublished: bool = False) -> tuple[RuleSpec, ...]:
    """The rules in force on `on` (default today): active, started (or no start) and not ended. The same
    tuple object for the same day until a rule changes (the engine caches compiled rules by it).

    `include_unpublished` (the test bench): drafts and active rules not yet started count too."""
    on = on or localdate()
    fingerprint, rows = _cached_rows()
    key = (on, include_unpublished, *fingerprint)
    cached = _by_day.get(key)
    if cached is not None:
        return cached
    chosen = tuple(
        spec
        for spec, status, start, end in rows
        if (end is None or end >= on)
        and (
            (status == RuleStatus.ACTIVE and (start is None or start <= on))
            or (include_unpublished and status in (RuleStatus.ACTIVE, RuleStatus.DRAFT))
        )
    )
    with _lock:
        if len(_by_day) > 64:
            _by_day.clear()
        _by_day[key] = chosen
    return chosen


def rules_taking_effect(on: dt.date | None = None) -> list[CheckRule]:
    """Active rules that were pending and have started by `on` but whose recheck of live approved materials
    has not run yet (review's recheck job; it sets `rechecked_at` with `rules_mark_rechecked`)."""
    on = on or localdate()
    return list(
        CheckRule.objects.filter(
            status=RuleStatus.ACTIVE,
            effective_from__isnull=False,
            effective_from__lte=on,
            rechecked_at__isnull=True,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("effective_from", "code")
    )


def rules_mark_rechecked(rules: Iterable[CheckRule], *, at: dt.datetime | None = None) -> int:
    """Record that the recheck for these rules ran (does not change their version)."""
    ids = [r.pk for r in rules]
    # A queryset update: not an edit of the rule (no version, no updated_at change, no cache refresh).
    return CheckRule.objects.filter(pk__in=ids).update(rechecked_at=at or recorded_now())


# --- checking ----------------------------------------------------------------------------------------------


def _blocks(blocks: Sequence[Any] | None) -> list[tuple[int, int]] | None:
    """Extraction's blocks ([start, end, label] lists or (start, end) pairs) as the engine's pairs."""
    if blocks is None:
        return None
    return [(int(b[0]), int(b[1])) for b in blocks]


def check_text(
    text: str,
    *,
    product_kind: str,
    material: str,
    on: dt.date | None = None,
    blocks: Sequence[Any] | None = None,
    rules: Sequence[RuleSpec] | None = None,
) -> list[Finding]:
    """The engine run with the rules in force on `on` (or the given `rules`)."""
    chosen = rules if rules is not None else active_rules(on)
    return check(text, product_kind=product_kind, material=material, rules=chosen, blocks=_blocks(blocks))


SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def highlight_segments(text: str, findings: Sequence[Any]) -> list[dict[str, Any]]:
    """The text cut where findings start and end: each piece with the (1-based) numbers of the findings that
    cover it, their labels and rule codes, the most severe severity, and the numbers starting there — what a
    page needs to wrap findings in <mark> (overlaps included). `findings`: engine Findings or CheckFindings
    (anything with start, end, label, severity and rule or rule_code), numbered in the given order."""
    size = len(text)
    spans = []
    for n, f in enumerate(findings, start=1):
        start, end = max(0, min(int(f.start), size)), max(0, min(int(f.end), size))
        if end > start:
            code = getattr(f, "rule", None)
            code = code if isinstance(code, str) else getattr(f, "rule_code", "")
            spans.append((start, end, n, f.label, code, f.severity))
    cuts = sorted({0, size, *(s[0] for s in spans), *(s[1] for s in spans)})
    pieces = []
    for a, b in itertools.pairwise(cuts):
        covering = [s for s in spans if s[0] <= a and s[1] >= b]
        pieces.append(
            {
                "text": text[a:b],
                "start": a,
                "numbers": [s[2] for s in covering],
                "starting": [s[2] for s in covering if s[0] == a],
                "labels": sorted({s[3] for s in covering}),
                "rules": sorted({s[4] for s in covering}),
                "severity": min((s[5] for s in covering), key=lambda v: SEVERITY_ORDER.get(v, 9), default=""),
            }
        )
    return pieces


def subject_findings(subject: models.Model) -> models.QuerySet[CheckFinding]:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return CheckFinding.objects.filter(content_type=ct, object_id=subject.pk)


@transaction.atomic
def check_and_store(
    subject: models.Model,
    *,
    text: str,
    blocks: Sequence[Any] | None = None,
    product_kind: str,
    material: str,
    on: dt.date | None = None,
    rules: Sequence[RuleSpec] | None = None,
) -> list[CheckFinding]:
    """Check the subject's text and store the findings on it: its undecided findings are replaced, decided
    ones kept (a new finding at the same place by the same rule is not added again). Returns every finding of
    the subject, in text order."""
    findings = check_text(
        text, product_kind=product_kind, material=material, on=on, blocks=blocks, rules=rules
    )
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    existing = CheckFinding.objects.filter(content_type=ct, object_id=subject.pk)
    existing.filter(decision=Decision.PENDING).delete()
    decided = {(f.rule_code, f.start, f.end) for f in existing}
    codes = {f.rule for f in findings}
    rule_ids = dict(CheckRule.objects.filter(code__in=codes).values_list("code", "id"))
    new = [
        CheckFinding(
            rule_id=rule_ids.get(f.rule),
            rule_code=f.rule[:64],
            label=f.label,
            severity=f.severity,
            start=f.start,
            end=f.end,
            excerpt=f.excerpt[:500],
            source=f.source[:500],
            suggestion=f.suggestion[:2000],
            content_type=ct,
            object_id=subject.pk,
        )
        for f in findings
        if (f.rule, f.start, f.end) not in decided
    ]
    CheckFinding.objects.bulk_create(new)
    return list(
        CheckFinding.objects.filter(content_type=ct, object_id=subject.pk).order_by("start", "end", "id")
    )


# --- decisions and precision ----------------------------------------------------------------------------


def subject_visible(user: Any, content_type: ContentType, object_id: int) -> models.Model | None:
    """The finding's subject if `user` may see it: the subject's model decides through
    `objects.visible_to(user)`; a model without it is treated as invisible."""
    model = content_type.model_class()
    visible_to = getattr(getattr(model, "objects", None), "visible_to", None)
    if model is None or visible_to is None:
        return None
    return visible_to(user).filter(pk=object_id).first()


def finding_visible(user: Any, pk: int) -> tuple[CheckFinding, models.Model] | None:
    """A finding and its subject when the subject is visible to `user`; None otherwise (answer 404)."""
    finding = CheckFinding.objects.select_related("content_type").filter(pk=pk).first()
    if finding is None:
        return None
    subject = subject_visible(user, finding.content_type, finding.object_id)
    return None if subject is None else (finding, subject)


def may_decide(user: Any, subject: models.Model) -> bool:
    """Beyond `checker.use_checker`, a subject may narrow who decides its findings with a method
    `can_decide_findings(user) -> bool` (e.g. the review's reviewer, not its submitter)."""
    if not user.has_perm("checker.use_checker"):
        return False
    can = getattr(subject, "can_decide_findings", None)
    return bool(can(user)) if callable(can) else True


@transaction.atomic
def finding_decide(finding: CheckFinding, *, decision: str, by: Any, note: str = "") -> CheckFinding:
    """A reviewer confirms (a real problem) or dismisses (a false alarm) a finding; may change their mind."""
    errors: dict[str, list[str]] = {}
    if decision not in (Decision.CONFIRMED, Decision.DISMISSED):
        _err(errors, "decision", _("Choose confirmed or dismissed."))
    note = "" if note is None else str(note).strip()
    if "\x00" in note:
        _err(errors, "note", _("Null characters are not allowed."))
    elif len(note) > 1000:
        _err(errors, "note", _("At most %(n)d characters.") % {"n": 1000})
    if errors:
        raise ValidationError(errors)
    finding = CheckFinding.objects.select_for_update().get(pk=finding.pk)
    before = snapshot(finding)
    finding.decision = decision
    finding.decision_note = note
    finding.decided_by = by if getattr(by, "is_authenticated", False) else None
    finding.decided_at = recorded_now()
    finding.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    audit_change(actor=by, obj=finding, before=before)
    return finding


def rule_precision() -> dict[str, tuple[int, int, float | None]]:
    """Per rule code: (confirmed, dismissed, confirmed / (confirmed + dismissed) or None when undecided)."""
    rows = (
        CheckFinding.objects.exclude(decision=Decision.PENDING)
        .values("rule_code")
        .annotate(
            confirmed=Count("id", filter=Q(decision=Decision.CONFIRMED)),
            dismissed=Count("id", filter=Q(decision=Decision.DISMISSED)),
        )
        .order_by()
    )
    out: dict[str, tuple[int, int, float | None]] = {}
    for row in rows:
        c, d = row["confirmed"], row["dismissed"]
        out[row["rule_code"]] = (c, d, c / (c + d) if c + d else None)
    return out


# --- presets ---------------------------------------------------------------------------------------------


def presets_sync(**kwargs: Any) -> int:
    """Create the preset rules (`xiaobao.checker.presets.PRESETS`) whose codes are missing; an existing code
    is never touched (edited, retired or deleted-and-recreated by head office). Runs after every migrate."""
    try:
        from xiaobao.checker.presets import PRESETS
    except ImportError:
        return 0
    if not PRESETS:
        return 0
    existing = set(
        CheckRule.objects.filter(code__in=[p.code for p in PRESETS]).values_list("code", flat=True)
    )
    created = 0
    at = recorded_now()
    with transaction.atomic():
        for spec in PRESETS:
            if spec.code in existing:
                continue
            params = {k: v for k, v in spec.params.items() if k != "pending"}
            # A preset marked pending (not yet in force) comes in as a draft: head office sets its start.
            status = RuleStatus.DRAFT if spec.params.get("pending") else RuleStatus.ACTIVE
            rule = CheckRule.objects.create(
                code=spec.code,
                title=spec.title or spec.code,
                label=spec.label,
                severity=spec.severity,
                kind=spec.kind,
                terms=list(spec.terms),
                patterns=list(spec.patterns),
                exceptions=list(spec.exceptions),
                product_kinds=list(spec.product_kinds),
                materials=list(spec.materials),
                required=list(spec.required),
                near=list(spec.near),
                params=params,
                source=spec.source,
                suggestion=spec.suggestion,
                status=status,
                version=1,
                is_preset=True,
            )
            CheckRuleVersion.objects.create(
                rule=rule, version=1, snapshot=rule_values(rule), changed_at=at, note="preset"
            )
            existing.add(spec.code)
            created += 1
    if created:
        rules_invalidate()
    return created
