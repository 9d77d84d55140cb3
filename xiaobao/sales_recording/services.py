"""Write side of sales recording: draw a unit's quarterly sample, start the check of a sampled sale.

The register itself is written by the import (importing.py). A check is an inspection (xiaobao.inspections)
with the current "sales_recording" checklist, of the sale's outlet, by the user who starts it; it is filled
on the inspection's own fill page and its failed items become findings, which open rectification items.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core import clock
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.sales_recording import sampling
from xiaobao.sales_recording.models import (
    CHECK_PERM,
    RULES_PERM,
    RecordedSale,
    RecordingSample,
    SampleItem,
    SamplingRule,
)

CHECKLIST_CODE = "sales_recording"
MAX_SEED = 2**62
EARLIEST_YEAR = 2000


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a quarter in the institution's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = (
        dt.datetime(year + 1, 1, 1, tzinfo=tz)
        if quarter == 4
        else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=tz)
    )
    return start, end


def rule_snapshot(rule: SamplingRule) -> dict[str, Any]:
    """The rule as it was when a sample was drawn (rules are editable; samples stay reproducible)."""
    return {
        "code": rule.code,
        "name": rule.name,
        "share_percent": str(rule.share_percent) if rule.share_percent is not None else None,
        "count": rule.count,
        "min_per_unit": rule.min_per_unit,
        "product_kinds": list(rule.product_kinds or []),
        "must_check": sampling.normalise_conditions(rule.must_check),
        "source_document": rule.source_document,
    }


def sample_population(unit: OrgUnit, year: int, quarter: int) -> list[sampling.SaleRef]:
    """The sales of the unit's subtree made in the quarter."""
    start, end = quarter_bounds(year, quarter)
    qs = RecordedSale.objects.filter(
        subtree_q(unit.path, "org_unit__path"), sale_at__gte=start, sale_at__lt=end
    )
    return [
        sampling.SaleRef(pk, kind, age)
        for pk, kind, age in qs.order_by("pk").values_list("pk", "product_kind", "applicant_age")
    ]


def _check_period(year: int, quarter: int) -> None:
    if not 1 <= quarter <= 4:
        raise _err("quarter", _("The quarter is 1, 2, 3 or 4."))
    today = timezone.localdate()
    if not EARLIEST_YEAR <= year <= today.year:
        raise _err("year", _("Give a year from %(a)d to %(b)d.") % {"a": EARLIEST_YEAR, "b": today.year})
    if quarter_bounds(year, quarter)[0].date() > today:
        raise _err("quarter", _("This quarter has not begun."))


def sample_draw(
    *,
    actor: User,
    org_unit: OrgUnit,
    year: int,
    quarter: int,
    rule: SamplingRule,
    seed: int | None = None,
) -> RecordingSample:
    """Draw and store the unit's sample for the quarter under the rule (one per unit, quarter and rule)."""
    if not actor.has_perm(CHECK_PERM):
        raise PermissionDenied
    if not org_unit.is_active or not unit_in_scope(actor, org_unit):
        raise _err("unit", _("Unknown or closed unit."))
    if not rule.is_active:
        raise _err("rule", _("This sampling rule is not active."))
    _check_period(year, quarter)
    if seed is not None and not 0 <= seed < MAX_SEED:
        raise _err("seed", _("The seed is a whole number from 0 to 2^62."))
    if RecordingSample.objects.filter(org_unit=org_unit, year=year, quarter=quarter, rule=rule).exists():
        raise Conflict(_("This unit's sample for the quarter under this rule has been drawn."), code="drawn")
    snapshot = rule_snapshot(rule)
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    population = sample_population(org_unit, year, quarter)
    picks = sampling.draw(population, sampling.RuleSpec.from_snapshot(snapshot), seed)
    try:
        with transaction.atomic():
            sample = RecordingSample.objects.create(
                org_unit=org_unit,
                year=year,
                quarter=quarter,
                rule=rule,
                rule_snapshot=snapshot,
                seed=seed,
                population=len(population),
                created_by=actor,
            )
            SampleItem.objects.bulk_create(
                [
                    SampleItem(sample=sample, sale_id=p.sale_id, reason=p.reason, stratum=p.stratum)
                    for p in picks
                ]
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=sample,
                changes={
                    "unit": org_unit.code,
                    "period": f"{year}Q{quarter}",
                    "rule": rule.code,
                    "seed": seed,
                    "population": len(population),
                    "items": len(picks),
                },
            )
    except IntegrityError:  # drawn at the same moment by somebody else
        raise Conflict(
            _("This unit's sample for the quarter under this rule has been drawn."), code="drawn"
        ) from None
    return sample


def sample_replay(sample: RecordingSample) -> list[sampling.Pick]:
    """The draw again from the stored seed and rule snapshot over the quarter's sales as they are now
    (equal to the stored items while the register of the quarter is unchanged)."""
    population = sample_population(sample.org_unit, sample.year, sample.quarter)
    return sampling.draw(population, sampling.RuleSpec.from_snapshot(sample.rule_snapshot), sample.seed)


def sample_item_check(*, actor: User, item: SampleItem) -> Any:
    """Start the check of a sampled sale: an inspection of the sale's outlet with the current sales-recording
    checklist, handled by the actor (the same inspection when the check has started)."""
    from xiaobao.inspections.choices import PlanKind, Status
    from xiaobao.inspections.models import ChecklistTemplate, Inspection, InspectionEvent
    from xiaobao.inspections.plans import inspection_reference

    if not (actor.has_perm(CHECK_PERM) and actor.has_perm("inspections.conduct_inspection")):
        raise PermissionDenied
    with transaction.atomic():
        item = (
            SampleItem.objects.select_for_update().select_related("sale__org_unit", "sample").get(pk=item.pk)
        )
        if item.inspection_id is not None:
            return item.inspection
        template = ChecklistTemplate.objects.filter(code=CHECKLIST_CODE, is_current=True).first()
        if template is None:
            raise Conflict(_("There is no current sales-recording checklist."), code="no_checklist")
        sale = item.sale
        today = clock.localdate()
        inspection = Inspection.objects.create(
            reference=f"tmp-{secrets.token_hex(8)}",
            status=Status.PLANNED,
            org_unit=sale.org_unit,
            handler=actor,
            template=template,
            kind=PlanKind.VIDEO,
            sales_sample_item_id=item.pk,
        )
        inspection.reference = inspection_reference(inspection.pk, today)
        Inspection.objects.filter(pk=inspection.pk).update(reference=inspection.reference)
        InspectionEvent.objects.create(
            item=inspection,
            at=clock.now(),
            effective_date=today,
            actor=actor,
            action="plan",
            from_status="",
            to_status=Status.PLANNED,
            note=_("Check of a sampled sales recording"),
            data={"sales_sample_item": item.pk, "sample": item.sample_id, "recording_id": sale.recording_id},
        )
        item.inspection = inspection
        item.save(update_fields=["inspection"])
        audit_change(actor=actor, obj=inspection, before=None)
    return inspection


# --- sampling rules -------------------------------------------------------------------------------------

RULE_FIELDS = ("name", "share_percent", "count", "min_per_unit", "product_kinds", "must_check", "is_active")


def _share_ok(share: Any) -> bool:
    try:
        return 0 < Decimal(str(share)) <= 100
    except ArithmeticError:
        return False


def _check_rule(data: dict[str, Any]) -> None:
    from xiaobao.sales_recording.choices import ProductKind

    errors: dict[str, list[str]] = {}
    share, count = data.get("share_percent"), data.get("count")
    if (share is None) == (count is None):
        errors["share_percent"] = [_("Give either a share or a count, not both.")]
    elif share is not None and not _share_ok(share):
        errors["share_percent"] = [_("The share is above 0 and at most 100.")]
    elif count is not None and int(count) < 1:
        errors["count"] = [_("The count is at least 1.")]
    kinds = data.get("product_kinds") or []
    if not isinstance(kinds, list) or any(k not in ProductKind.values for k in kinds):
        errors["product_kinds"] = [_("Unknown product kind.")]
    problems = sampling.condition_errors(data.get("must_check"))
    if problems:
        errors["must_check"] = problems
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sampling_rule_save(
    *, actor: User, data: dict[str, Any], rule: SamplingRule | None = None
) -> SamplingRule:
    """Create a rule (data has its `code`) or change one; samples drawn before keep their snapshot."""
    if not actor.has_perm(RULES_PERM):
        raise PermissionDenied
    if rule is not None:
        rule = SamplingRule.objects.select_for_update().get(pk=rule.pk)
    elif SamplingRule.objects.filter(code=data.get("code", "")).exists():
        raise _err("code", _("A rule with this code exists."))
    before = snapshot(rule) if rule else None
    merged = {f: getattr(rule, f) for f in RULE_FIELDS} if rule else {}
    merged.update({k: v for k, v in data.items() if k in RULE_FIELDS})
    _check_rule(merged)
    rule = rule or SamplingRule(code=data.get("code", ""))
    for name, value in merged.items():
        setattr(rule, name, value)
    rule.must_check = sampling.normalise_conditions(rule.must_check)
    if "source_document" in data:
        rule.source_document = str(data["source_document"] or "")[:300]
    rule.full_clean()
    rule.save()
    rule.refresh_from_db()
    audit_change(actor=actor, obj=rule, before=before)
    return rule
