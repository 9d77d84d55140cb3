"""`warning_scan(today=…)`: the one service that finds early warnings. Idempotent and safe to run twice.

Five rules, each one aggregate query over complaints (never a query per unit), then a handful of small
queries for what it found:

1. **spike** — daily counts per unit (each configured level counts its subtree) × top-level business type
   against the unit's own Poisson limit (`rules.py`); days from the previous scan's day (at least
   yesterday, at most a week back) up to today. An open spike warning whose day gets more complaints later
   is updated with the new count;
2. **watch_word** — the active watch words in the description or request of complaints registered since
   the previous scan (from its start, minus a small overlap; the first scan looks back a week). "New" is
   read by primary key from the ids a run at least that long ago recorded (`WarningScanRun.marks`), then
   by time: an index range, not a scan of the whole complaint table;
3. **repeat_complainant** — the same person (same consumer record, or the same ID number by its blind
   index across consumer records) with ≥ `WARNING_REPEAT_MIN` complaints received in the last
   `WARNING_REPEAT_DAYS` days; told once per person per window;
4. **group_or_major** — complaints registered since the previous scan that are major, made by
   ≥ `WARNING_GROUP_MIN_PEOPLE` people, or carry a sensitivity tag of `WARNING_SENSITIVE_TAGS`, and
   complaints marked major since (their `mark_major` event): becoming major later warns again;
5. **near_breach** — open complaints whose running decision clock is due within
   `WARNING_NEAR_BREACH_WORKING_DAYS` working day(s).

Every warning has a unique `dedupe_key`; it is inserted in its own savepoint together with its
notifications (for the unit's branch consumer-protection officers and head office's, found with the shared
sweeper's `Ladder`), so a scan run twice or by two workers at once stores and tells each warning once, and
a scan that dies half-way leaves no warning untold. Messages carry figures and references only.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.casework.notifications import Notice, Subject, deliver
from xiaobao.casework.sweeper import Ladder
from xiaobao.complaints.models import Complaint, ComplaintCode, ComplaintEvent
from xiaobao.complaints.selectors import decisions_due, open_statuses
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.core.workdays import get_calendar
from xiaobao.early_warning.models import (
    MAX_COMPLAINT_IDS,
    EarlyWarning,
    WarningKind,
    WarningScanRun,
    WatchWord,
)
from xiaobao.early_warning.rules import Cube, SpikeRule, Tree, Unit, evaluate
from xiaobao.imports.writer import REFERENCE_PREFIX

# Imported history is not news: an imported complaint (reference `IM…`) counts only while it is open (taken
# over from another system as a live case); archived or closed imports never raise a warning.
LIVE = ~Q(reference__startswith=REFERENCE_PREFIX) | Q(status__in=open_statuses())

logger = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=10)  # new complaints re-read from before the previous scan's start
FIRST_LOOKBACK = dt.timedelta(days=7)  # the very first scan
MAX_CATCHUP_DAYS = 7  # spike days re-evaluated after the scanner was down
BRANCH_CP_LEVEL, HQ_CP_LEVEL = 2, 3  # rungs of the sweeper's ladder
COMPLAINT = "complaints.complaint"  # a notification's subject: the warning's complaint


@dataclass
class ScanReport:
    """What one scan did (counts only: safe to log)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        kinds = " ".join(f"{k}={self.created.get(k, 0)}" for k in WarningKind.values)
        return f"{kinds} updated={self.updated} in {self.seconds:.2f} s"


@dataclass
class _Scan:
    today: dt.date
    since: dt.datetime
    first_day: dt.date
    units: dict[int, OrgUnit]
    floors: dict[str, int] = field(default_factory=dict)  # ids below which nothing is new
    ladder: Ladder = field(default_factory=Ladder)
    report: ScanReport = field(default_factory=ScanReport)

    def new_complaints(self) -> QuerySet[Complaint]:
        """Complaints registered since the previous scan (minus the overlap)."""
        return Complaint.objects.filter(
            LIVE, pk__gt=self.floors.get("complaint", 0), created_at__gte=self.since
        )

    def officers(self, unit_id: int, *, hq: bool = True) -> list[int]:
        """The unit's branch consumer-protection officers, and head office's (always when the unit has no
        branch officers)."""
        branch = self.ladder.recipients(BRANCH_CP_LEVEL, handler_id=None, unit_id=unit_id)
        if hq or not branch:
            return sorted({*branch, *self.ladder.recipients(HQ_CP_LEVEL, handler_id=None, unit_id=unit_id)})
        return branch


# --- storing and telling ------------------------------------------------------------------------------


def _existing(keys: Iterable[str]) -> dict[str, tuple[int, int, bool]]:
    """Stored warnings by dedupe key: (id, count, open)."""
    keys = list(keys)
    out: dict[str, tuple[int, int, bool]] = {}
    for i in range(0, len(keys), 900):
        rows = EarlyWarning.objects.filter(dedupe_key__in=keys[i : i + 900]).values_list(
            "dedupe_key", "pk", "count", "acknowledged_at"
        )
        out.update({key: (pk, n, ack is None) for key, pk, n, ack in rows})
    return out


def _emit(s: _Scan, warning: EarlyWarning, recipients: list[int]) -> bool:
    """Store a new warning and its notifications together; False when another scan stored it first."""
    warning.org_unit = s.units[warning.org_unit_id]
    # about its complaint when it has one (the link opens it), else about nothing
    subject = Subject(COMPLAINT, int(warning.complaint_ids[0])) if len(warning.complaint_ids) == 1 else None
    message = _("Early warning: %(text)s") % {"text": warning.summary()}
    try:
        with transaction.atomic():
            warning.save(force_insert=True)
            deliver([Notice(tuple(recipients), subject, "early_warning", message, f"ew:{warning.pk}")])
    except IntegrityError:
        return False
    s.report.created[warning.kind] += 1
    logger.info("early warning %s: %s", warning.kind, warning.dedupe_key)
    return True


def _warning(kind: str, key: str, unit_id: int, day: dt.date, **fields: Any) -> EarlyWarning:
    fields.setdefault("period_start", day)
    fields.setdefault("period_end", day)
    return EarlyWarning(kind=kind, dedupe_key=key, org_unit_id=unit_id, **fields)


# --- 1. spikes -------------------------------------------------------------------------------------------


def _categories() -> tuple[dict[int, str], dict[str, str], dict[str, list[int]]]:
    """Business-type id → top-level code; top-level code → name; top-level code → its code ids."""
    rows = list(
        ComplaintCode.objects.filter(dimension="business_type").values_list("id", "code", "name", "parent_id")
    )
    by_id = {pk: (code, name, parent) for pk, code, name, parent in rows}
    top: dict[int, str] = {}
    for pk in by_id:
        cur, seen = pk, 0
        while by_id[cur][2] is not None and by_id[cur][2] in by_id and seen < 10:
            cur, seen = by_id[cur][2], seen + 1
        top[pk] = by_id[cur][0]
    members: dict[str, list[int]] = defaultdict(list)
    for pk, code in top.items():
        members[code].append(pk)
    names = {code: name for code, name, parent in by_id.values() if parent is None}
    return top, names, members


def spike_tree(units: Iterable[OrgUnit], rule: SpikeRule) -> Tree:
    return Tree((Unit(u.pk, u.path, u.kind, u.code, u.name) for u in units), rule.levels)


def spike_cube(
    first: dt.date, last: dt.date, tree: Tree, top: dict[int, str], rule: SpikeRule
) -> tuple[Cube, int]:
    """Counts per series for every day in [first − baseline days, last]: ONE aggregate query."""
    start = first - dt.timedelta(days=rule.baseline_days)
    rows = (
        Complaint.objects.filter(LIVE, receipt_date__gte=start, receipt_date__lte=last)
        .values_list("org_unit_id", "business_type_id", "receipt_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    cube = Cube(start, last, get_calendar().is_workday)
    total = 0
    for unit_id, bt, day, n in rows:
        total += n
        cube.fill(tree, [(unit_id, top.get(bt, "?"), day, n)])
    return cube, total


def _spikes(s: _Scan) -> None:
    rule = SpikeRule.from_settings()
    top, names, members = _categories()
    tree = spike_tree(s.units.values(), rule)
    cube, _total = spike_cube(s.first_day, s.today, tree, top, rule)
    alarms = [a for i in range(cube.index(s.first_day), cube.n) for a in evaluate(cube, tree, rule, i)]
    if not alarms:
        return
    keyed = {f"spike:{a.unit_id}:{a.category}:{a.day:%Y%m%d}": a for a in alarms}
    existing = _existing(keyed)
    for key, a in keyed.items():
        stored = existing.get(key)
        if stored is not None and (not stored[2] or stored[1] >= a.count):
            continue
        unit = s.units[a.unit_id]
        ids = list(
            Complaint.objects.filter(
                LIVE,
                subtree_q(unit.path, "org_unit__path"),
                business_type_id__in=members.get(a.category, []),
                receipt_date=a.day,
            )
            .order_by("received_at", "pk")
            .values_list("pk", flat=True)[:MAX_COMPLAINT_IDS]
        )
        figures = {
            "count": a.count,
            "baseline": round(a.baseline, 3),
            "threshold": a.limit,
            "complaint_ids": ids,
        }
        if stored is not None:  # more complaints arrived on a day already warned about: show the new count
            s.report.updated += EarlyWarning.objects.filter(
                pk=stored[0], acknowledged_at__isnull=True, count__lt=a.count
            ).update(**figures, updated_at=timezone.now())
            continue
        day = f"{a.day:%Y-%m-%d}"
        warning = _warning(
            WarningKind.SPIKE,
            key,
            a.unit_id,
            a.day,
            category_code=a.category,
            category_label=names.get(a.category, a.category)[:60],
            drill_down={
                "unit": unit.code,
                "business_type": a.category,
                "received_from": day,
                "received_to": day,
            },
            details={
                "alpha": rule.alpha,
                "min_count": rule.min_count,
                "baseline_days": rule.baseline_days,
                "min_baseline": rule.min_baseline,
                "same_day_type": rule.same_day_type,
                "explains": [s.units[b.unit_id].code for b in a.explained_by],
            },
            **figures,
        )
        _emit(s, warning, s.officers(a.unit_id))


# --- 2. watch words --------------------------------------------------------------------------------------


def _watch_words(s: _Scan) -> None:
    words = [w for w in WatchWord.objects.filter(is_active=True).values_list("word", flat=True) if w.strip()]
    if not words:
        return
    folded = [(w, w.casefold()) for w in words]
    rows = s.new_complaints().values_list(
        "pk", "reference", "org_unit_id", "receipt_date", "description", "request"
    )
    found: dict[str, tuple[tuple[Any, ...], list[str]]] = {}
    for row in rows.iterator(chunk_size=2000):
        text = f"{row[4]}\n{row[5]}".casefold()
        hits = [w for w, f in folded if f in text]
        if hits:
            found[f"watch_word:{row[0]}"] = (row, hits)
    existing = _existing(found)
    for key, (row, hits) in found.items():
        if key in existing:
            continue
        pk, reference, unit_id, day = row[:4]
        warning = _warning(
            WarningKind.WATCH_WORD,
            key,
            unit_id,
            day,
            count=1,
            complaint_ids=[pk],
            details={"reference": reference, "words": sorted(hits)},
        )
        _emit(s, warning, s.officers(unit_id))


# --- 3. repeat complainants ------------------------------------------------------------------------------


def _person() -> Coalesce:
    """The same person: the ID number's blind index when there is one, else the consumer record."""
    return Coalesce(
        NullIf(F("complainant__id_number_bidx"), Value("")),
        Concat(Value("c"), Cast("complainant_id", output_field=CharField())),
        output_field=CharField(),
    )


def _repeat_complainants(s: _Scan) -> None:
    days, minimum = int(settings.WARNING_REPEAT_DAYS), int(settings.WARNING_REPEAT_MIN)
    start = s.today - dt.timedelta(days=days - 1)
    window = Complaint.objects.filter(LIVE, receipt_date__gte=start, receipt_date__lte=s.today).annotate(
        person=_person()
    )
    people = list(
        window.values("person")
        .annotate(n=Count("id"))
        .filter(n__gte=minimum)
        .values_list("person", flat=True)
    )
    if not people:
        return
    rows = window.filter(person__in=people).values_list(
        "person", "pk", "reference", "org_unit_id", "complainant_id", "received_at"
    )
    by_person: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows.order_by("received_at", "pk"):
        by_person[row[0]].append(row)
    subjects = {person: f"consumer:{min(r[4] for r in group)}" for person, group in by_person.items()}
    told = set(
        EarlyWarning.objects.filter(
            kind=WarningKind.REPEAT_COMPLAINANT, subject__in=subjects.values(), period_end__gte=start
        ).values_list("subject", flat=True)
    )
    for person, group in by_person.items():
        subject = subjects[person]
        if subject in told:
            continue
        latest = group[-1]
        warning = _warning(
            WarningKind.REPEAT_COMPLAINANT,
            f"repeat:{subject}:{s.today:%Y%m%d}",
            latest[3],
            s.today,
            period_start=start,
            count=len(group),
            threshold=minimum,
            subject=subject,
            complaint_ids=[r[1] for r in group][-MAX_COMPLAINT_IDS:],
            details={"reference": latest[2], "days": days, "min": minimum},
        )
        _emit(s, warning, s.officers(latest[3]))


# --- 4. group and major complaints -----------------------------------------------------------------------


def _group_or_major(s: _Scan) -> None:
    min_people, sensitive = int(settings.WARNING_GROUP_MIN_PEOPLE), set(settings.WARNING_SENSITIVE_TAGS)
    fields = (
        "pk",
        "reference",
        "org_unit_id",
        "receipt_date",
        "is_major",
        "people_count",
        "sensitivity_tags",
    )
    marked = ComplaintEvent.objects.filter(
        pk__gt=s.floors.get("event", 0), at__gte=s.since, action="mark_major"
    ).values_list("complaint_id", flat=True)
    rows = [
        *s.new_complaints().values_list(*fields),
        *Complaint.objects.filter(LIVE, pk__in=list(marked)).values_list(*fields),
    ]
    found: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
    for row in rows:
        pk, _ref, _unit, _day, major, people, tags = row
        hit_tags = sorted(set(tags or []) & sensitive)
        if not (major or people >= min_people or hit_tags):
            continue
        reasons = {"major": bool(major), "people": people if people >= min_people else 0, "tags": hit_tags}
        found[f"group:{pk}:{'major' if major else 'flags'}"] = (row, reasons)
    existing = _existing(found)
    for key, (row, reasons) in found.items():
        if key in existing:
            continue
        pk, reference, unit_id, day, *_rest = row
        warning = _warning(
            WarningKind.GROUP_OR_MAJOR,
            key,
            unit_id,
            day,
            count=max(1, row[5]),
            complaint_ids=[pk],
            details={"reference": reference, "min_people": min_people, **reasons},
        )
        _emit(s, warning, s.officers(unit_id))


# --- 5. decisions about to be late -----------------------------------------------------------------------


def near_breach_horizon(today: dt.date, working_days: int) -> dt.date:
    """The last date at most `working_days` working days after today."""
    return get_calendar().deadline(today, working_days + 1, "working").due_date - dt.timedelta(days=1)


def _near_breach(s: _Scan) -> None:
    n = int(settings.WARNING_NEAR_BREACH_WORKING_DAYS)
    rows = decisions_due(first=s.today, last=near_breach_horizon(s.today, n))
    keyed = {f"near_breach:{pk}:{due:%Y%m%d}": (pk, ref, unit, due) for pk, ref, unit, due in rows}
    existing = _existing(keyed)
    for key, (pk, reference, unit_id, due) in keyed.items():
        if key in existing:
            continue
        warning = _warning(
            WarningKind.NEAR_BREACH,
            key,
            unit_id,
            s.today,
            period_end=due,
            count=1,
            complaint_ids=[pk],
            details={"reference": reference, "due": f"{due:%Y-%m-%d}", "working_days": n},
        )
        _emit(s, warning, s.officers(unit_id, hq=False))


# --- the scan -------------------------------------------------------------------------------------------


RULES = (_spikes, _watch_words, _repeat_complainants, _group_or_major, _near_breach)


def _previous(now: dt.datetime) -> WarningScanRun | None:
    return WarningScanRun.objects.filter(finished_at__isnull=False, started_at__lt=now).first()


def _marks() -> dict[str, int]:
    """The highest complaint and event ids now (primary-key index: instant)."""
    return {
        "complaint": Complaint.objects.aggregate(m=Max("pk"))["m"] or 0,
        "event": ComplaintEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


def _floors(since: dt.datetime) -> dict[str, int]:
    """Ids recorded by the latest run that started no later than `since`: every row committed after `since`
    has a higher id (a registration would have to stay uncommitted from that run's start until `since`,
    one scan interval plus the overlap, to be missed)."""
    run = WarningScanRun.objects.filter(finished_at__isnull=False, started_at__lte=since).first()
    return {k: int(v) for k, v in (run.marks if run else {}).items()}


def warning_scan(*, today: dt.date | None = None, now: dt.datetime | None = None) -> ScanReport:
    """Run every rule once for `today` (default: the local date of `now`). Safe to run concurrently."""
    started = time.perf_counter()
    now = now or timezone.now()
    today = today or timezone.localdate(now, timezone.get_default_timezone())
    previous = _previous(now)
    since = previous.started_at - OVERLAP if previous else now - FIRST_LOOKBACK
    last_day = previous.day if previous else today - dt.timedelta(days=1)
    first_day = max(min(last_day, today - dt.timedelta(days=1)), today - dt.timedelta(days=MAX_CATCHUP_DAYS))
    run = WarningScanRun.objects.create(started_at=now, day=today, marks=_marks())
    units = {u.pk: u for u in OrgUnit.objects.only("id", "path", "kind", "code", "name")}
    s = _Scan(today=today, since=since, first_day=first_day, units=units, floors=_floors(since))
    with translation.override(settings.LANGUAGE_CODE):
        for rule in RULES:
            rule(s)
    s.report.seconds = time.perf_counter() - started
    WarningScanRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), created=dict(s.report.created), seconds=s.report.seconds
    )
    logger.info("warning scan %s: %s", today.isoformat(), s.report)
    return s.report


def periodic_scan(*, now: dt.datetime) -> ScanReport:
    """The scan as a periodic job of `xiaobao sweep` (declared in `EarlyWarningConfig.module`)."""
    return warning_scan(now=now)


def demo_scan(command: Any, **opts: Any) -> None:
    """Early warning's part of `xiaobao demo_load`: the first scan over freshly loaded demo complaints."""
    if WarningScanRun.objects.exists() or not Complaint.objects.exists():
        return
    command.stdout.write(f"Early-warning scan over the demo complaints: {warning_scan()}")
