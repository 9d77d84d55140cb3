"""Inspection plans (检查计划): create, draw the sample, publish it as inspection tasks, close; the cadence.

- `plan_create` checks the period, that both units lie in the planner's scope, that the checklist is the
  current version of its family, and that the subtree has at least `outlet_count` outlets.
- `plan_draw` gathers the candidates (active outlets in the scope subtree with their last submitted
  inspection, complaints in the 12 months before the draw and customers from the unit's yearly figures),
  draws with `sampling.draw_sample` and stores the seed, the sample with each outlet's reason, and the
  candidates' inputs, so `sample_replay` can show any time that the stored seed gives the stored sample.
  A draft may be redrawn (a new seed unless one is given).
- `plan_publish` turns the sample into one planned inspection per outlet: inspectors round-robin in the
  order given (or one inspector for all), due on the period's last day or `due_working_days` working days
  after publication.
- `plan_close` ends a published plan; its planned inspections that nobody started are cancelled.

Customers per outlet: `OrgUnitYearFigure.retail_customers` of the latest year up to the draw's year; an
outlet without a figure is weighted by its complaint count alone (see `sampling`), and its reason says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.org import OrgUnitKind, OrgUnitYearFigure
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record
from xiaobao.core.workdays import get_calendar
from xiaobao.inspections import sampling
from xiaobao.inspections.choices import CadencePeriod, PlanKind, PlanStatus, Status
from xiaobao.inspections.models import ChecklistTemplate, Inspection, InspectionPlan, PlanCadence

PLAN = "inspections.plan_inspection"
CONDUCT = "inspections.conduct_inspection"
VIEW = "inspections.view_inspection"
MAX_EXCLUDE_DAYS = 3 * 365
MAX_DUE_WORKING_DAYS = 250
COMPLAINT_WINDOW_DAYS = 365
SEED_BITS = 62  # a random non-negative seed that fits the signed 64-bit column on both databases


def _require(actor: Any, perm: str = PLAN) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(_("You may not plan inspections."))


def _require_manage(actor: Any, plan: InspectionPlan) -> None:
    if not can_manage(actor, plan):
        raise PermissionDenied(_("Only the inspecting unit's planners may change this plan."))


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- candidates ---------------------------------------------------------------------------------------


def outlets_in(scope: OrgUnit) -> QuerySet[OrgUnit]:
    """Active outlets in the subtree at `scope` (an index range on the path)."""
    return OrgUnit.objects.filter(subtree_q(scope.path), kind=OrgUnitKind.OUTLET, is_active=True)


def _last_inspected(scope: OrgUnit) -> dict[int, dt.date]:
    rows = (
        Inspection.objects.filter(
            subtree_q(scope.path, "org_unit__path"), status=Status.SUBMITTED, submitted_at__isnull=False
        )
        .values("org_unit_id")
        .annotate(last=Max("submitted_at"))
    )
    return {r["org_unit_id"]: timezone.localtime(r["last"]).date() for r in rows}


def _complaints(scope: OrgUnit, as_of: dt.date) -> dict[int, int]:
    from xiaobao.complaints.models import Complaint

    since = dt.datetime.combine(as_of - dt.timedelta(days=COMPLAINT_WINDOW_DAYS), dt.time.min)
    rows = (
        Complaint.objects.filter(
            subtree_q(scope.path, "org_unit__path"),
            org_unit__kind=OrgUnitKind.OUTLET,
            received_at__gte=timezone.make_aware(since),
        )
        .values("org_unit_id")
        .annotate(n=Count("id"))
    )
    return {r["org_unit_id"]: r["n"] for r in rows}


def _customers(scope: OrgUnit, year: int) -> dict[int, int]:
    rows = (
        OrgUnitYearFigure.objects.filter(subtree_q(scope.path, "unit__path"), year__lte=year)
        .order_by("year")
        .values_list("unit_id", "retail_customers")
    )
    return dict(rows)  # later years overwrite earlier ones


def plan_candidates(*, scope: OrgUnit, as_of: dt.date) -> list[sampling.Candidate]:
    """Every active outlet under `scope` with what the draw weighs (four queries whatever the size)."""
    last, complaints = _last_inspected(scope), _complaints(scope, as_of)
    customers = _customers(scope, as_of.year)
    return [
        sampling.Candidate(
            id=pk,
            key=code,
            last_inspected=last.get(pk),
            complaints=complaints.get(pk, 0),
            customers=customers.get(pk) or None,
        )
        for pk, code in outlets_in(scope).order_by("code").values_list("pk", "code")
    ]


# --- create -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    name: str
    kind: str
    template: ChecklistTemplate
    period_start: dt.date
    period_end: dt.date
    inspecting_unit: OrgUnit
    scope_unit: OrgUnit
    outlet_count: int
    exclude_recent_days: int = 0
    risk_weighted: bool = False


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return dt.date(day.year + 1, 3, 1)


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise _err("period_end", _("The period ends before it starts."))
    if end >= _a_year_after(start):
        raise _err("period_end", _("A plan covers at most one year."))


def _check_units(actor: Any, data: PlanInput) -> None:
    if not unit_in_scope(actor, data.inspecting_unit):
        raise _err("inspecting_unit", _("This unit is outside your scope."))
    if not unit_in_scope(actor, data.scope_unit):
        raise _err("scope_unit", _("This unit is outside your scope."))
    if not data.inspecting_unit.is_active:
        raise _err("inspecting_unit", _("This unit is closed."))
    if not data.scope_unit.is_active:
        raise _err("scope_unit", _("This unit is closed."))


def _check_counts(data: PlanInput) -> None:
    if data.outlet_count < 1:
        raise _err("outlet_count", _("Plan at least one outlet."))
    available = outlets_in(data.scope_unit).count()
    if data.outlet_count > available:
        raise _err(
            "outlet_count",
            _("The units inspected have %(n)d active outlets: plan at most that many.") % {"n": available},
        )
    if not 0 <= data.exclude_recent_days <= MAX_EXCLUDE_DAYS:
        raise _err(
            "exclude_recent_days", _("Enter a number of days from 0 to %(n)d.") % {"n": MAX_EXCLUDE_DAYS}
        )


def plan_validate(*, actor: Any, data: PlanInput) -> None:
    """Every check `plan_create` makes, each a message on its field (ValidationError)."""
    if not data.name.strip():
        raise _err("name", _("This field is required."))
    if data.kind not in PlanKind.values:
        raise _err("kind", _("Unknown kind of inspection."))
    if not data.template.is_current:
        raise _err("template", _("This checklist has a newer version: plan with the current one."))
    _check_period(data.period_start, data.period_end)
    _check_units(actor, data)
    _check_counts(data)


def plan_create(*, actor: Any, data: PlanInput) -> InspectionPlan:
    """A draft plan (no sample yet); audited."""
    _require(actor)
    plan_validate(actor=actor, data=data)
    with transaction.atomic():
        plan = InspectionPlan(
            name=data.name.strip(),
            kind=data.kind,
            template=data.template,
            period_start=data.period_start,
            period_end=data.period_end,
            inspecting_unit=data.inspecting_unit,
            scope_unit=data.scope_unit,
            outlet_count=data.outlet_count,
            exclude_recent_days=data.exclude_recent_days,
            risk_weighted=data.risk_weighted,
            status=PlanStatus.DRAFT,
            created_by=actor,
        )
        plan.full_clean()
        plan.save()
        audit_change(actor=actor, obj=plan, before=None)
    return plan


# --- draw ---------------------------------------------------------------------------------------------


def can_manage(actor: Any, plan: InspectionPlan) -> bool:
    """Planners on the inspecting side act on a plan; the units inspected only see it."""
    return bool(actor.has_perm(PLAN) and unit_in_scope(actor, plan.inspecting_unit))


def _locked(actor: Any, plan: InspectionPlan, expected_version: int | None, status: str) -> InspectionPlan:
    """The plan row locked, after the checks: the actor's side, the version seen, the status."""
    obj = (
        InspectionPlan.objects.select_for_update()
        .select_related("scope_unit", "template", "inspecting_unit")
        .get(pk=plan.pk)
    )
    _require_manage(actor, obj)
    if expected_version is not None and obj.version != expected_version:
        raise Conflict(
            _("Someone else changed this plan in the meantime. Reload and try again."), code="conflict"
        )
    if obj.status != status:
        raise Conflict(
            _("This is not possible while the plan is “%(s)s”.") % {"s": obj.get_status_display()},
            code="invalid_state",
        )
    return obj


def _inputs(candidates: list[sampling.Candidate]) -> list[list[Any]]:
    """The candidates compactly ([id, key, last inspected, complaints, customers]): enough to replay."""
    return [
        [c.id, c.key, c.last_inspected.isoformat() if c.last_inspected else None, c.complaints, c.customers]
        for c in candidates
    ]


def _candidates_from(inputs: list[list[Any]]) -> list[sampling.Candidate]:
    return [
        sampling.Candidate(
            id=int(i),
            key=str(k),
            last_inspected=dt.date.fromisoformat(d) if d else None,
            complaints=n,
            customers=c,
        )
        for i, k, d, n, c in inputs
    ]


def _draw(
    plan: InspectionPlan, seed: int, as_of: dt.date
) -> tuple[sampling.Sample, list[sampling.Candidate]]:
    candidates = plan_candidates(scope=plan.scope_unit, as_of=as_of)
    try:
        sample = sampling.draw_sample(
            candidates,
            count=plan.outlet_count,
            seed=seed,
            as_of=as_of,
            exclude_recent_days=plan.exclude_recent_days,
            risk_weighted=plan.risk_weighted,
        )
    except sampling.SamplingError as exc:
        raise _err(
            exc.field,
            _(
                "Only %(n)d outlets are eligible after leaving out those inspected within %(d)d days: "
                "plan fewer outlets or shorten the exclusion."
            )
            % {"n": exc.eligible, "d": plan.exclude_recent_days},
        ) from None
    return sample, candidates


def plan_draw(
    *, actor: Any, plan: InspectionPlan, seed: int | None = None, expected_version: int | None = None
) -> InspectionPlan:
    """Draw (or redraw) the sample of a draft plan and store it with its seed."""
    _require(actor)
    if seed is not None and not 0 <= seed < 2**63:
        raise _err("seed", _("Enter a whole number from 0 to 2⁶³ − 1."))
    with transaction.atomic():
        obj = _locked(actor, plan, expected_version, PlanStatus.DRAFT)
        seed = secrets.randbits(SEED_BITS) if seed is None else seed
        as_of = localdate()
        sample, candidates = _draw(obj, seed, as_of)
        codes = dict(OrgUnit.objects.filter(pk__in=sample.outlet_ids).values_list("pk", "code"))
        obj.seed = seed
        obj.sample = {
            "as_of": as_of.isoformat(),
            "drawn_at": recorded_now().isoformat(),
            "drawn_by": actor.get_username(),
            "risk_factor": sampling.DEFAULT_RISK_FACTOR,
            "eligible": sample.eligible,
            "excluded": sample.excluded,
            "picks": [{**p.as_json(), "code": codes.get(p.outlet_id, "")} for p in sample.picks],
            "inputs": _inputs(candidates),
        }
        obj.version += 1
        obj.save(update_fields=["seed", "sample", "version", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=obj,
            changes={"seed": [None, str(seed)], "sample": [None, [p["code"] for p in obj.sample["picks"]]]},
        )
    return obj


def sample_replay(plan: InspectionPlan) -> bool:
    """True when the stored seed and inputs give exactly the stored sample (False: no sample yet)."""
    s = plan.sample or {}
    if not s.get("picks"):
        return False
    again = sampling.draw_sample(
        _candidates_from(s["inputs"]),
        count=len(s["picks"]),
        seed=plan.seed,
        as_of=dt.date.fromisoformat(s["as_of"]),
        exclude_recent_days=plan.exclude_recent_days,
        risk_weighted=plan.risk_weighted,
        risk_factor=float(s.get("risk_factor", sampling.DEFAULT_RISK_FACTOR)),
    )
    return again.outlet_ids == [int(p["outlet"]) for p in s["picks"]]


# --- tasks -------------------------------------------------------------------------------------------


def inspection_reference(pk: int, day: dt.date) -> str:
    """JC + the planning day + the row id: unique, sortable, readable on a phone."""
    return f"JC{day:%Y%m%d}{pk:07d}"


def task_create(
    *, actor: Any, plan: InspectionPlan, outlet: OrgUnit, inspector: User, due_date: dt.date
) -> Inspection:
    """One planned inspection of `outlet` by `inspector` (inside the caller's transaction), with its
    first event ("plan") and its audit row."""
    from xiaobao.inspections.models import InspectionEvent

    ins = Inspection.objects.create(
        reference=f"tmp-{secrets.token_hex(8)}",
        status=Status.PLANNED,
        org_unit=outlet,
        handler=inspector,
        plan=plan,
        template=plan.template,
        kind=plan.kind,
        due_date=due_date,
        is_mystery=plan.kind == PlanKind.MYSTERY_SHOPPING,
    )
    ins.reference = inspection_reference(ins.pk, localdate())
    Inspection.objects.filter(pk=ins.pk).update(reference=ins.reference)
    InspectionEvent.objects.create(
        item=ins,
        at=recorded_now(),
        effective_date=localdate(),
        actor=actor,
        action="plan",
        from_status="",
        to_status=Status.PLANNED,
        note=plan.name[:2000],
        data={"plan": plan.pk, "inspector": inspector.username, "due_date": due_date.isoformat()},
    )
    audit_change(actor=actor, obj=ins, before=None)
    return ins


def task_cancel_planned(*, actor: Any, plan: InspectionPlan) -> list[str]:
    """Cancel the plan's inspections nobody has started, each through the inspection workflow (event,
    audit row); returns their references."""
    from xiaobao.inspections.services import inspection_act

    tasks = list(Inspection.objects.filter(plan=plan, status=Status.PLANNED).order_by("pk"))
    note = _("The plan was closed.")
    for ins in tasks:
        inspection_act(actor=actor, inspection=ins, action="cancel", data={"note": note})
    return [t.reference for t in tasks]


# --- publish and close --------------------------------------------------------------------------------


def _inspectors(actor: Any, usernames: list[str]) -> list[User]:
    """The named inspectors, in the order given (repeats dropped); each active, allowed to conduct
    inspections and within the planner's scope."""
    names = list(dict.fromkeys(str(n).strip() for n in usernames if str(n).strip()))
    if not names:
        raise _err("inspectors", _("Choose at least one inspector."))
    found = {u.username: u for u in User.objects.visible_to(actor).filter(username__in=names, is_active=True)}
    for name in names:
        user = found.get(name)
        if user is None or not user.has_perm(CONDUCT):
            raise _err(
                "inspectors",
                _("%(u)s cannot be assigned: unknown, inactive, outside your units or not an inspector.")
                % {"u": name},
            )
    return [found[n] for n in names]


def _due(plan: InspectionPlan, today: dt.date, due_working_days: int | None) -> dt.date:
    if due_working_days is None:
        return plan.period_end
    if not 1 <= due_working_days <= MAX_DUE_WORKING_DAYS:
        raise _err(
            "due_working_days",
            _("Enter a number of working days from 1 to %(n)d.") % {"n": MAX_DUE_WORKING_DAYS},
        )
    return get_calendar().deadline(today, due_working_days, "working").due_date


def _check_publishable(plan: InspectionPlan, today: dt.date) -> list[OrgUnit]:
    picks = (plan.sample or {}).get("picks") or []
    if not picks:
        raise Conflict(_("Draw the sample before publishing the plan."), code="no_sample")
    if plan.period_end < today:
        raise _err("period_end", _("The plan's period has ended: it can no longer be published."))
    ids = [int(p["outlet"]) for p in picks]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids, is_active=True)}
    if len(units) != len(ids):
        raise Conflict(
            _("An outlet of the sample has closed since the draw: draw again."), code="stale_sample"
        )
    return [units[i] for i in ids]


def _tell_inspectors(plan: InspectionPlan, tasks: list[Inspection]) -> None:
    """Once the publication commits, each inspector is told the plan's name and how many of its tasks are
    theirs; the notification opens their soonest task (always visible to its inspector, unlike the plan)."""
    by_inspector: dict[int, list[Inspection]] = {}
    for task in tasks:
        by_inspector.setdefault(task.handler_id, []).append(task)  # type: ignore[arg-type]
    for inspector_id, mine in by_inspector.items():
        n = len(mine)
        message = ngettext(
            "Inspection plan %(plan)s is published: %(n)d inspection task is yours (due %(due)s).",
            "Inspection plan %(plan)s is published: %(n)d inspection tasks are yours (due %(due)s).",
            n,
        ) % {"plan": plan.name, "n": n, "due": f"{mine[0].due_date:%Y-%m-%d}"}
        notify_on_commit(
            users=[inspector_id],
            subject=mine[0],
            kind="inspection_plan_published",
            message=message[:300],
            key=f"inspection_plan_published:{plan.pk}:{inspector_id}",
        )


def plan_publish(
    *,
    actor: Any,
    plan: InspectionPlan,
    inspectors: list[str],
    due_working_days: int | None = None,
    expected_version: int | None = None,
) -> InspectionPlan:
    """Publish a drawn plan: one planned inspection per sampled outlet, inspectors taking turns."""
    _require(actor)
    today = localdate()
    with transaction.atomic():
        obj = _locked(actor, plan, expected_version, PlanStatus.DRAFT)
        people = _inspectors(actor, inspectors)
        outlets = _check_publishable(obj, today)
        due = _due(obj, today, due_working_days)
        tasks = [
            task_create(actor=actor, plan=obj, outlet=outlet, inspector=people[i % len(people)], due_date=due)
            for i, outlet in enumerate(outlets)
        ]
        _tell_inspectors(obj, tasks)
        obj.status = PlanStatus.PUBLISHED
        obj.version += 1
        obj.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=obj,
            changes={
                "status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED],
                "inspectors": [None, [p.username for p in people]],
                "due_date": [None, due.isoformat()],
            },
        )
    return obj


def plan_close(*, actor: Any, plan: InspectionPlan, expected_version: int | None = None) -> InspectionPlan:
    """Close a published plan; its inspections that are still only planned are cancelled."""
    _require(actor)
    with transaction.atomic():
        obj = _locked(actor, plan, expected_version, PlanStatus.PUBLISHED)
        cancelled = task_cancel_planned(actor=actor, plan=obj)
        obj.status = PlanStatus.CLOSED
        obj.version += 1
        obj.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=obj,
            changes={"status": [PlanStatus.PUBLISHED, PlanStatus.CLOSED], "cancelled": [None, cancelled]},
        )
    return obj


# --- cadence ------------------------------------------------------------------------------------------

DEFAULT_CADENCE = {"head_office": CadencePeriod.QUARTER, "branch": CadencePeriod.MONTH}


def cadence_kind(unit: OrgUnit) -> str:
    """The cadence row a unit plans by: head office (and its departments) or branch (everything below)."""
    if unit.kind == OrgUnitKind.DEPARTMENT:
        parent = unit.ancestors().exclude(kind=OrgUnitKind.DEPARTMENT).last()
        return cadence_kind(parent) if parent is not None else "head_office"
    return "head_office" if unit.kind == OrgUnitKind.HEAD_OFFICE else "branch"


def cadence_for(unit: OrgUnit) -> str:
    """The unit's planning period from the cadence table (the documented default when its row is gone)."""
    kind = cadence_kind(unit)
    row = PlanCadence.objects.filter(unit_kind=kind).values_list("period", flat=True).first()
    return str(row or DEFAULT_CADENCE[kind])


def period_containing(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The month or quarter that contains `day`."""
    first_month = day.month if period == CadencePeriod.MONTH else 3 * ((day.month - 1) // 3) + 1
    last_month = first_month if period == CadencePeriod.MONTH else first_month + 2
    end = dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return dt.date(day.year, first_month, 1), end


def next_period(*, unit: OrgUnit, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a unit plans next: the month or quarter (its cadence) after the one `today` is in."""
    _, end = period_containing(today, cadence_for(unit))
    return period_containing(end + dt.timedelta(days=1), cadence_for(unit))
