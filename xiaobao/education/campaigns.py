"""The campaign catalogue and each year's edition: services and read side.

- Catalogue (campaigns, venue types, topics) is data run by head office (`education.manage_education` with
  the whole institution in view): add, rename, reorder, retire (never delete: activities refer to them).
- An edition (`CampaignEdition`) is organised by a unit (head office, or a branch for its own run) and
  reaches that unit's subtree. A user sees the editions organised by a unit in their subtree or above their
  own unit (the campaign reaches them). Creating or changing one needs `manage_education` and the organising
  unit inside the user's subtree; its targets may only name units of the organiser's subtree.
- Silent outlets: the active outlets of the edition's reach *and* of the viewer's subtree with no activity
  row for the edition (any status). Highlighted when the reporting deadline is at most N days away
  (N = the edition's `remind_days` when set, else `settings.EDUCATION_REPORT_REMINDER_DAYS`, default 7)
  or past.
- Reminder (`periodic_reminder`, run by `xiaobao sweep`): from N days before `report_by` up to that day,
  the branch consumer-protection officers of every branch with silent outlets are told once a day per
  edition and branch (dedupe key `edu-silent:<edition>:<branch>:<day>`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.org import PATH_SEGMENT, OrgUnitKind
from xiaobao.core.scoping import ALL, scope_q, subtree_q, unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.education.models import (
    MAX_REMIND_DAYS,
    Activity,
    Campaign,
    CampaignEdition,
    EditionTarget,
    Topic,
    Venue,
)

VIEW = "education.view_education"
MANAGE = "education.manage_education"
REPORT = "education.report_activity"
APPROVE = "education.approve_activity"
DEFAULT_REMINDER_DAYS = 7
MIN_YEAR, MAX_YEAR = 2000, 2100
TARGET_MAX = 10_000_000

Errors = dict[str, list[str]]

# the three code tables of the catalogue, by the kind name pages and the API use
CATALOGUE: dict[str, Any] = {"campaign": Campaign, "venue": Venue, "topic": Topic}


def reminder_days(edition: CampaignEdition | None = None) -> int:
    """The edition's own reminder window when it sets one, else the setting (default 7 days)."""
    if edition is not None and edition.remind_days is not None:
        return int(edition.remind_days)
    return int(getattr(settings, "EDUCATION_REPORT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def _err(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


# --- who may do what ------------------------------------------------------------------------------------


def may_manage_catalogue(user: Any) -> bool:
    """The catalogue is the institution's: head office (manage_education over the whole tree)."""
    return bool(user.has_perm(MANAGE)) and user_scope(user) == ALL


def may_manage_edition(user: Any, unit: OrgUnit | None = None) -> bool:
    """May open or change editions (of `unit`, when given: inside the user's subtree)."""
    if not user.has_perm(MANAGE):
        return False
    return unit is None or unit_in_scope(user, unit)


def ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(len(path), 0, -PATH_SEGMENT)]


def editions_visible_to(user: Any) -> QuerySet[CampaignEdition]:
    """Editions organised inside the user's subtree or by a unit above theirs."""
    qs = CampaignEdition.objects.select_related("campaign", "org_unit")
    if not user.has_perm(VIEW):
        return qs.none()
    scope = user_scope(user)
    if scope is None:
        return qs.none()
    if scope == ALL:
        return qs
    q = scope_q(user, "org_unit__path") or Q()
    return qs.filter(q | Q(org_unit__path__in=ancestor_paths(scope.path)))  # type: ignore[union-attr]


def edition_detail(user: Any, pk: int) -> CampaignEdition | None:
    if not 0 < pk < 2**31:
        return None
    return editions_visible_to(user).filter(pk=pk).first()


def editions(
    user: Any, *, year: int | None = None, campaign: Campaign | None = None
) -> QuerySet[CampaignEdition]:
    qs = editions_visible_to(user)
    if year is not None:
        qs = qs.filter(year=year)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-year", "starts_on", "campaign__sort_order", "id")


def view_root(user: Any) -> OrgUnit | None:
    """The top of the user's subtree (head office for those who see everything)."""
    scope = user_scope(user)
    if scope is None:
        return None
    if scope == ALL:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    return scope  # type: ignore[return-value]


def reach_root(user: Any, edition: CampaignEdition) -> OrgUnit | None:
    """The part of the edition's reach the user sees: the deeper of the organiser and the user's root."""
    root = view_root(user)
    if root is None:
        return None
    if root.path.startswith(edition.org_unit.path):
        return root
    if edition.org_unit.path.startswith(root.path):
        return edition.org_unit
    return None


# --- catalogue ---------------------------------------------------------------------------------------------


def catalogue_save(*, actor: Any, kind: str, data: dict[str, Any], obj: Any = None) -> Any:
    """Add (obj None) or change a campaign, venue type or topic: code (fixed once used), name, sort_order,
    active (retire), description (campaigns), online (venues), fraud (topics)."""
    if not may_manage_catalogue(actor):
        raise PermissionDenied(_("Only head office runs the education catalogue."))
    model = CATALOGUE[kind]
    errors: Errors = {}
    fields: dict[str, Any] = {}
    if obj is None or "code" in data:
        code = str(data.get("code") or "").strip()
        if not code:
            _err(errors, "code", _("Give a code."))
        elif len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in code):
            _err(errors, "code", _("Use up to 40 letters, digits, - or _."))
        elif model.objects.filter(code=code).exclude(pk=getattr(obj, "pk", None)).exists():
            _err(errors, "code", _("This code is taken."))
        elif obj is not None and code != obj.code:
            _err(errors, "code", _("A code cannot change; retire the entry and add a new one."))
        else:
            fields["code"] = code
    if obj is None or "name" in data:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            _err(errors, "name", _("Give a name."))
        elif len(name) > 100:
            _err(errors, "name", _("At most 100 characters."))
        else:
            fields["name"] = name
    if "sort_order" in data and data["sort_order"] not in (None, ""):
        try:
            order = int(data["sort_order"])
            if not 0 <= order <= 32767:
                raise ValueError
            fields["sort_order"] = order
        except (TypeError, ValueError):
            _err(errors, "sort_order", _("Give a whole number from 0 to 32767."))
    for flag in ("active", "online", "fraud"):
        if flag in data and data[flag] is not None and hasattr(model, flag):
            fields[flag] = bool(data[flag])
    if "description" in data and kind == "campaign":
        fields["description"] = str(data.get("description") or "")[:2000]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if obj is None:
            obj = model.objects.create(**fields)
            audit_change(actor=actor, obj=obj, before=None)
        else:
            before = snapshot(obj)
            for k, v in fields.items():
                setattr(obj, k, v)
            obj.save()
            audit_change(actor=actor, obj=obj, before=before)
    return obj


# --- editions ---------------------------------------------------------------------------------------------


def _date(data: dict[str, Any], key: str, errors: Errors) -> dt.date | None:
    value = data.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        _err(errors, key, _("Give a date (YYYY-MM-DD)."))
        return None


def _edition_fields(
    actor: Any, data: dict[str, Any], edition: CampaignEdition | None, errors: Errors
) -> dict:
    fields: dict[str, Any] = {}
    creating = edition is None
    if creating or "campaign" in data:
        value = data.get("campaign")
        campaign = (
            value
            if isinstance(value, Campaign)
            else Campaign.objects.filter(code=str(value or "").strip()[:40]).first()
        )
        if campaign is None:
            _err(errors, "campaign", _("Choose a campaign of the catalogue."))
        elif not campaign.active and (edition is None or edition.campaign_id != campaign.pk):
            _err(errors, "campaign", _("This campaign is retired."))
        else:
            fields["campaign"] = campaign
    if creating or "year" in data:
        try:
            year = int(data.get("year"))  # type: ignore[arg-type]
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError
            fields["year"] = year
        except (TypeError, ValueError):
            _err(errors, "year", _("Give a year from 2000 to 2100."))
    if creating or "org_unit" in data:
        value = data.get("org_unit")
        unit = value if isinstance(value, OrgUnit) else None
        if unit is None and value:
            unit = OrgUnit.objects.filter(code=str(value).strip()[:32]).first()
        if unit is None and creating and not value:
            unit = view_root(actor)
        if unit is None or not unit.is_active or not unit_in_scope(actor, unit):
            _err(errors, "org_unit", _("Unknown or closed unit."))
        elif unit.kind not in (OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH):
            _err(errors, "org_unit", _("A campaign is run by head office or a branch."))
        else:
            fields["org_unit"] = unit
    for key in ("starts_on", "ends_on", "report_by"):
        if creating or key in data:
            day = _date(data, key, errors)
            if day is not None:
                fields[key] = day
    if "remind_days" in data:
        raw = data.get("remind_days")
        if raw is None or str(raw).strip() == "":
            fields["remind_days"] = None
        else:
            try:
                days = int(str(raw).strip())
            except ValueError:
                days = -1
            if 0 <= days <= MAX_REMIND_DAYS:
                fields["remind_days"] = days
            else:
                _err(
                    errors,
                    "remind_days",
                    _("Give a number of days from 0 to %(n)d, or leave it empty.") % {"n": MAX_REMIND_DAYS},
                )
    for key, limit in (("theme", 200), ("notes", 5000)):
        if key in data:
            fields[key] = (
                " ".join(str(data.get(key) or "").split())[:limit]
                if key == "theme"
                else str(data.get(key) or "")[:limit]
            )
    starts = fields.get("starts_on", edition.starts_on if edition else None)
    ends = fields.get("ends_on", edition.ends_on if edition else None)
    report_by = fields.get("report_by", edition.report_by if edition else None)
    year = fields.get("year", edition.year if edition else None)  # type: ignore[assignment]
    if starts and ends and ends < starts and "ends_on" not in errors:
        _err(errors, "ends_on", _("The campaign cannot end before it starts."))
    if report_by and starts and report_by < starts and "report_by" not in errors:
        _err(errors, "report_by", _("The reporting deadline cannot be before the campaign starts."))
    if starts and year and starts.year != year and "starts_on" not in errors and "year" not in errors:
        _err(errors, "starts_on", _("The campaign must start in its year."))
    campaign = fields.get("campaign", edition.campaign if edition else None)
    if campaign is not None and year and "year" not in errors:
        clash = CampaignEdition.objects.filter(campaign=campaign, year=year)
        if edition is not None:
            clash = clash.exclude(pk=edition.pk)
        if clash.exists():
            _err(errors, "year", _("This campaign has an edition for %(y)d already.") % {"y": year})
    return fields


def _targets(
    organiser: OrgUnit, data: Any, errors: Errors, prefix: str = "targets"
) -> dict[OrgUnit, dict[str, int] | None]:
    """{unit: {activities, people_reached, leaflets} or None (remove)} from [{org_unit, ...}] rows."""
    out: dict[OrgUnit, dict[str, int] | None] = {}
    if data is None:
        return out
    if not isinstance(data, list):
        _err(errors, prefix, _("Give a list of targets."))
        return out
    codes = [str(r.get("org_unit") or "").strip()[:32] for r in data if isinstance(r, dict)]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    for i, row in enumerate(data):
        key = f"{prefix}.{i}"
        if not isinstance(row, dict):
            _err(errors, key, _("Give the unit and its targets."))
            continue
        unit = units.get(str(row.get("org_unit") or "").strip()[:32])
        if unit is None or not unit.is_active or not unit.path.startswith(organiser.path):
            _err(errors, f"{key}.org_unit", _("Choose a unit the campaign reaches."))
            continue
        if unit in out:
            _err(errors, f"{key}.org_unit", _("This unit is listed twice."))
            continue
        values: dict[str, int] = {}
        empty = True
        for name in ("activities", "people_reached", "leaflets"):
            raw = row.get(name)
            if raw in (None, ""):
                values[name] = 0
                continue
            empty = False
            try:
                n = int(raw)
                if not 0 <= n <= TARGET_MAX:
                    raise ValueError
                values[name] = n
            except (TypeError, ValueError):
                _err(errors, f"{key}.{name}", _("Give a whole number from 0 to 10,000,000."))
        out[unit] = None if empty or not any(values.values()) else values
    return out


def _save_targets(edition: CampaignEdition, targets: dict[OrgUnit, dict[str, int] | None]) -> dict:
    """Write the target rows; returns the audit changes {unit code: [old, new]}."""
    changes: dict[str, list[Any]] = {}
    existing = {t.org_unit_id: t for t in edition.targets.all()}
    for unit, values in targets.items():
        row = existing.get(unit.pk)
        old = (
            {"activities": row.activities, "people_reached": row.people_reached, "leaflets": row.leaflets}
            if row
            else None
        )
        if values is None:
            if row is not None:
                row.delete()
                changes[unit.code] = [old, None]
            continue
        if row is None:
            EditionTarget.objects.create(edition=edition, org_unit=unit, **values)
        elif old != values:
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
        if old != values:
            changes[unit.code] = [old, values]
    return changes


def edition_create(*, actor: Any, data: dict[str, Any]) -> CampaignEdition:
    """Open a campaign's edition of a year: campaign (code), year, theme, starts_on, ends_on, report_by,
    org_unit (code; default the top of the actor's subtree), notes, targets ([{org_unit, activities,
    people_reached, leaflets}])."""
    if not may_manage_edition(actor):
        raise PermissionDenied(_("You may not run campaigns."))
    errors: Errors = {}
    fields = _edition_fields(actor, data, None, errors)
    targets = _targets(fields["org_unit"], data.get("targets"), errors) if "org_unit" in fields else {}
    if errors:
        raise ValidationError(errors)
    edition = CampaignEdition(**fields, created_by=actor)
    try:
        with transaction.atomic():
            edition.save()
            audit_change(actor=actor, obj=edition, before=None)
            changes = _save_targets(edition, targets)
            if changes:
                audit_record(
                    actor=actor, action=AuditAction.UPDATE, obj=edition, changes={"targets": changes}
                )
    except IntegrityError as exc:
        raise ValidationError(
            {"year": [_("This campaign has an edition for %(y)d already.") % fields]}
        ) from exc
    return edition


def edition_update(*, actor: Any, edition: CampaignEdition, data: dict[str, Any]) -> CampaignEdition:
    """Change the given fields and targets (rows given are set; a row with no numbers removes the target)."""
    if not may_manage_edition(actor, edition.org_unit):
        raise PermissionDenied(_("This campaign is run by a unit above yours: you may read it only."))
    errors: Errors = {}
    fields = _edition_fields(actor, data, edition, errors)
    if "year" in fields and fields["year"] != edition.year and edition.activities.exists():
        _err(errors, "year", _("Activities are recorded under this edition: its year cannot change."))
    if "org_unit" in fields and fields["org_unit"] != edition.org_unit and edition.targets.exists():
        outside = [
            t.org_unit.name
            for t in edition.targets.select_related("org_unit")
            if not t.org_unit.path.startswith(fields["org_unit"].path)
        ]
        if outside:
            _err(
                errors,
                "org_unit",
                _("Targets name units outside this unit: %(u)s.") % {"u": "、".join(outside)},
            )
    organiser = fields.get("org_unit", edition.org_unit)
    targets = _targets(organiser, data.get("targets"), errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CampaignEdition.objects.select_for_update().get(pk=edition.pk)
        before = snapshot(locked)
        for k, v in fields.items():
            setattr(locked, k, v)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"year": [_("This campaign has an edition for that year already.")]}
            ) from exc
        audit_change(actor=actor, obj=locked, before=before)
        changes = _save_targets(locked, targets)
        if changes:
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"targets": changes})
    return CampaignEdition.objects.select_related("campaign", "org_unit").get(pk=edition.pk)


def target_units(user: Any, edition: CampaignEdition) -> list[OrgUnit]:
    """The rows of the targets grid: the organiser's child branches (or, for a branch's own edition, its
    sub-branches and outlets directly under it), limited to the user's subtree."""
    root = reach_root(user, edition)
    if root is None:
        return []
    org = edition.org_unit
    kinds = (
        [OrgUnitKind.BRANCH]
        if org.kind == OrgUnitKind.HEAD_OFFICE
        else [OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET, OrgUnitKind.BRANCH]
    )
    qs = OrgUnit.objects.filter(parent=org, kind__in=kinds, is_active=True).filter(subtree_q(root.path))
    units = list(qs.order_by("path"))
    if root != org and root not in units and root.path.startswith(org.path):
        # a branch officer looking at head office's edition: their own branch's row
        units = [u for u in units if root.path.startswith(u.path) or u.path.startswith(root.path)]
    return units


def targets_by_unit(user: Any, edition: CampaignEdition) -> dict[int, EditionTarget]:
    root = reach_root(user, edition)
    if root is None:
        return {}
    rows = edition.targets.select_related("org_unit")
    if root != edition.org_unit:
        rows = rows.filter(
            subtree_q(root.path, "org_unit__path") | Q(org_unit__path__in=ancestor_paths(root.path))
        )
    return {t.org_unit_id: t for t in rows}


# --- silent outlets -----------------------------------------------------------------------------------------


@dataclass
class Silent:
    edition: CampaignEdition
    outlets: list[OrgUnit] = field(default_factory=list)
    total: int = 0  # active outlets reached (in the viewer's part)
    state: str = "open"  # open, due_soon, overdue
    days_left: int = 0

    @property
    def reported(self) -> int:
        return self.total - len(self.outlets)


def deadline_state(edition: CampaignEdition, today: dt.date) -> tuple[str, int]:
    left = (edition.report_by - today).days
    if left < 0:
        return "overdue", left
    if left <= reminder_days(edition):
        return "due_soon", left
    return "open", left


def _outlets(root: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(subtree_q(root.path), kind=OrgUnitKind.OUTLET, is_active=True)


def silent_outlets(user: Any, edition: CampaignEdition, today: dt.date) -> Silent:
    """The outlets of the edition's reach in the user's view with no activity row for the edition."""
    out = Silent(edition=edition)
    out.state, out.days_left = deadline_state(edition, today)
    root = reach_root(user, edition)
    if root is None or not user.has_perm(VIEW):
        return out
    outlets = _outlets(root)
    out.total = outlets.count()
    reported = Activity.objects.filter(edition=edition, org_unit=OuterRef("pk"))
    out.outlets = list(
        outlets.filter(~Exists(reported)).select_related("parent", "parent__parent").order_by("path")
    )
    return out


def branch_of(unit: OrgUnit, units: dict[str, OrgUnit]) -> OrgUnit | None:
    for path in ancestor_paths(unit.path):
        u = units.get(path)
        if u is not None and u.kind == OrgUnitKind.BRANCH:
            return u
    return None


def branch_officers(branch: OrgUnit) -> list[int]:
    """Active branch consumer-protection officers of the branch (its own unit or its departments)."""
    return list(
        User.objects.filter(
            is_active=True,
            groups__name="branch_cp_officer",
            org_unit__path__startswith=branch.path,
        )
        .filter(Q(org_unit=branch) | Q(org_unit__kind=OrgUnitKind.DEPARTMENT, org_unit__parent=branch))
        .values_list("pk", flat=True)
        .distinct()
    )


@dataclass
class ReminderReport:
    editions: int = 0
    branches: int = 0
    told: int = 0

    def __str__(self) -> str:
        return f"editions={self.editions} branches={self.branches} told={self.told}"


def periodic_reminder(*, now: dt.datetime) -> ReminderReport:
    """Tell branch officers about their silent outlets from N days before an edition's `report_by` up to
    that day; once a day per edition and branch (dedupe key)."""
    from xiaobao.casework.notifications import notify

    today = timezone.localdate(now, timezone.get_default_timezone())
    report = ReminderReport()
    horizon = max(reminder_days(), MAX_REMIND_DAYS)
    due = CampaignEdition.objects.filter(
        report_by__gte=today, report_by__lte=today + dt.timedelta(days=horizon)
    ).select_related("campaign", "org_unit")
    for edition in due:
        if (edition.report_by - today).days > reminder_days(edition):
            continue
        report.editions += 1
        reported = Activity.objects.filter(edition=edition, org_unit=OuterRef("pk"))
        silent = list(_outlets(edition.org_unit).filter(~Exists(reported)).only("id", "path", "kind"))
        if not silent:
            continue
        paths = {p for o in silent for p in ancestor_paths(o.path)}
        units = {u.path: u for u in OrgUnit.objects.filter(path__in=paths)}
        by_branch: dict[int, tuple[OrgUnit, int]] = {}
        for outlet in silent:
            branch = branch_of(outlet, units)
            if branch is not None:
                by_branch[branch.pk] = (branch, by_branch.get(branch.pk, (branch, 0))[1] + 1)
        with translation.override(settings.LANGUAGE_CODE):
            for branch, count in by_branch.values():
                officers = branch_officers(branch)
                if not officers:
                    continue
                report.branches += 1
                message = _(
                    "%(edition)s: %(n)d outlet(s) of %(branch)s have not reported an activity; "
                    "report by %(day)s"
                ) % {"edition": str(edition), "n": count, "branch": branch.name, "day": edition.report_by}
                report.told += notify(
                    users=officers,
                    subject=edition,
                    kind="education_silent_outlets",
                    message=message,
                    key=f"edu-silent:{edition.pk}:{branch.pk}:{today.isoformat()}",
                )
    return report


# --- home -----------------------------------------------------------------------------------------------


def current_editions(user: Any, today: dt.date) -> list[CampaignEdition]:
    """Editions running now or still collecting reports (today ≤ report_by), nearest deadline first."""
    qs = editions_visible_to(user).filter(starts_on__lte=today + dt.timedelta(days=30), report_by__gte=today)
    return list(qs.order_by("report_by", "id")[:10])


def awaiting_my_approval(user: Any) -> int:
    """Submitted activities in the user's subtree they did not report themselves."""
    if not user.has_perm(APPROVE):
        return 0
    q = scope_q(user, "org_unit__path")
    qs = Activity.objects.filter(status="submitted").exclude(reported_by=user)
    if q is not None:
        qs = qs.filter(q)
    return qs.count()


def home_panel(user: Any) -> dict[str, Any] | None:
    """The home-page card: editions open now with the silent outlets of each, activities awaiting approval."""
    if not user.has_perm(VIEW):
        return None
    from xiaobao.core.clock import localdate

    today = localdate()
    current = current_editions(user, today)[:5]
    rows = [silent_outlets(user, e, today) for e in current]
    return {
        "today": today,
        "editions": current,
        "silent": rows,
        "silent_count": sum(len(r.outlets) for r in rows),
        "awaiting": awaiting_my_approval(user),
    }
