"""The SLA sweeper: warnings before a deadline, breach on the day after it, and the escalation ladder.

One `sla_sweep()` does, in order:

1. **breach** — a running clock whose due date has passed becomes `breached` (claimed with a conditional
   update: only the process whose update changed the row tells the handler);
2. **escalation** — a breached clock of an open complaint climbs one rung per working day that has fully
   passed since the due date (handler → unit head → branch consumer-protection officer → head office),
   each rung claimed with a conditional update of `escalation_level` and told once;
3. **warnings** — a running clock due within N working days (`SLA_WARN_WORKING_DAYS`, default 3 and 1)
   warns the handler once per level; the claim is the notification's unique `dedupe_key`;
4. **e-mail digest** — one e-mail per person of everything not yet e-mailed, in working hours only.

Two sweepers running at once never tell anybody twice: every claim is either made under the locks of
the batch's complaints (the clocks still running / still on the rung that was read are the ones this
sweeper flips, with one set-based UPDATE per distinct new value), or an insert against a unique key.
Clocks are read in keyset batches of 2,000 with the complaint joined; who sits on which rung is resolved
in memory from two queries per sweep.

Paused clocks are not breached here: while a pause is open the stored due date is only as fresh as the
last recompute (each paused day moves the real one later), so the next transition decides instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.complaints.choices import ClockState, Status
from xiaobao.complaints.models import Clock, Complaint
from xiaobao.complaints.notifications import Notice, deliver, email_digest, lock_complaints
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.org import PATH_SEGMENT, OrgUnitKind
from xiaobao.core.workdays import WorkCalendar, get_calendar

logger = logging.getLogger(__name__)

BATCH = 2000
TOP_LEVEL = 3  # head office
HANDLER, APPROVER, BRANCH_CP, HQ_CP = "complaint_handler", "approver", "branch_cp_officer", "hq_cp_officer"
LADDER_ROLES = (HANDLER, APPROVER, BRANCH_CP, HQ_CP)
DEFAULT_WARN_WORKING_DAYS = (3, 1)
CLOCK_LABELS = {
    "decision": gettext_lazy("decision"),
    "first_contact": gettext_lazy("first contact"),
    "review": gettext_lazy("review"),
}


@dataclass
class SweepReport:
    """What one sweep did (counts only: safe to log)."""

    warned: int = 0
    breached: int = 0
    escalated: int = 0
    emailed: int = 0

    def __str__(self) -> str:
        return (
            f"warned={self.warned} breached={self.breached} escalated={self.escalated} emailed={self.emailed}"
        )


# --- who is told ---------------------------------------------------------------------------------------


class Ladder:
    """The recipients of each escalation level, resolved in memory and cached per unit for one sweep.

    Level 0 is the handler (or the complaint handlers of the unit, or of its nearest ancestor that has
    some); 1 the unit head (approvers of the unit or its nearest ancestor that has one); 2 the branch
    consumer-protection officers of the nearest branch (searching upwards from it); 3 the head office's
    consumer-protection officers.
    """

    def __init__(self) -> None:
        self._kinds: dict[int, str] | None = None
        self._staff: dict[str, dict[int, list[int]]] = {role: {} for role in LADDER_ROLES}
        self._chains: dict[int, list[int]] = {}
        self._cache: dict[tuple[int, int], list[int]] = {}

    def _load(self) -> dict[int, str]:
        if self._kinds is None:
            units = list(OrgUnit.objects.values_list("id", "path", "kind"))
            self._kinds = {pk: kind for pk, _path, kind in units}
            self._chains = {pk: _chain(path) for pk, path, _kind in units}
            rows = User.groups.through.objects.filter(group__name__in=LADDER_ROLES, user__is_active=True)
            for user_id, unit_id, role in rows.values_list("user_id", "user__org_unit_id", "group__name"):
                self._staff[role].setdefault(unit_id, []).append(user_id)
        return self._kinds

    def recipients(self, level: int, *, handler_id: int | None, unit_id: int) -> list[int]:
        """User ids to tell at `level` about a complaint of `unit_id` handled by `handler_id`."""
        if level == 0 and handler_id is not None:
            return [handler_id]
        if (level, unit_id) not in self._cache:
            self._cache[level, unit_id] = self._resolve(level, unit_id)
        return self._cache[level, unit_id]

    def _resolve(self, level: int, unit_id: int) -> list[int]:
        kinds = self._load()
        chain = self._chains.get(unit_id, [unit_id])
        if level == 0:
            return self._nearest(HANDLER, chain)
        if level == 1:
            return self._nearest(APPROVER, chain)
        if level == 2:
            branch = next((i for i, u in enumerate(chain) if kinds.get(u) == OrgUnitKind.BRANCH), 0)
            return self._nearest(BRANCH_CP, chain[branch:])
        return sorted({uid for ids in self._staff[HQ_CP].values() for uid in ids})

    def _nearest(self, role: str, chain: Sequence[int]) -> list[int]:
        """The holders of `role` in the first unit of `chain` that has any."""
        staff = self._staff[role]
        return next((sorted(set(staff[u])) for u in chain if staff.get(u)), [])


def _chain(path: str) -> list[int]:
    """The unit and its ancestors, nearest first, read from the materialised path."""
    return [int(path[i : i + PATH_SEGMENT]) for i in range(len(path) - PATH_SEGMENT, -1, -PATH_SEGMENT)]


# --- working-day arithmetic, memoised per due date --------------------------------------------------------


class _Days:
    """Working days between today and a due date, computed once per distinct due date."""

    def __init__(self, cal: WorkCalendar, today: dt.date) -> None:
        self.cal, self.today = cal, today
        self._left: dict[dt.date, int] = {}
        self._over: dict[dt.date, int] = {}

    def horizon(self, n: int) -> dt.date:
        """The last date that is at most `n` working days after today."""
        return self.cal.deadline(self.today, n + 1, "working").due_date - dt.timedelta(days=1)

    def left(self, due: dt.date) -> int:
        """Working days after today up to and including the due date (0 when due today)."""
        if due not in self._left:
            self._left[due] = self._count(self.today, due, cap=None)
        return self._left[due]

    def overdue(self, due: dt.date) -> int:
        """Working days that have fully passed since the due date (today not counted), capped at the top."""
        if due not in self._over:
            self._over[due] = self._count(due, self.today - dt.timedelta(days=1), cap=TOP_LEVEL)
        return self._over[due]

    def _count(self, after: dt.date, until: dt.date, cap: int | None) -> int:
        n, d = 0, after + dt.timedelta(days=1)
        while d <= until and (cap is None or n < cap):
            n += self.cal.is_workday(d)
            d += dt.timedelta(days=1)
        return n


# --- the sweep -------------------------------------------------------------------------------------------


@dataclass
class _Sweep:
    """The state of one sweep: its day, its memoised calendar and ladder, and what it did."""

    today: dt.date
    days: _Days
    ladder: Ladder = field(default_factory=Ladder)
    report: SweepReport = field(default_factory=SweepReport)


CLOCK_FIELDS = (
    "id", "name", "due_date", "state", "warned", "escalation_level",
    "complaint__id", "complaint__reference", "complaint__handler", "complaint__org_unit",
)  # fmt: skip


def _batches(q: Q, wanted: Callable[[Clock], bool]) -> Iterator[list[Clock]]:
    """Clocks of complaints not ended that match `q` and that `wanted` accepts, up to 2,000 at a time.

    Keyset pages: no cursor stays open while the batch is written to.
    """
    qs: QuerySet[Clock] = (
        Clock.objects.filter(q)
        .exclude(complaint__status__in=Status.ended_statuses())
        .select_related("complaint")
        .only(*CLOCK_FIELDS)
        .order_by("pk")
    )
    last = 0
    while page := list(qs.filter(pk__gt=last)[:BATCH]):
        last = page[-1].pk
        if todo := [clock for clock in page if wanted(clock)]:
            yield todo


def _handle(clocks: list[Clock], claim: Callable[[list[Clock]], list[Notice]]) -> list[int]:
    """Claim and tell for a batch in one transaction; returns the new-row count of each notice.

    The batch's complaints are locked first, as a transition locks its complaint before its clocks,
    so a sweeper and a transition never deadlock (PostgreSQL; SQLite has one writer at a time). `claim`
    writes the batch's clock changes with a few set-based updates (not one per clock) and returns what
    to tell.
    """
    with transaction.atomic():
        lock_complaints(clock.complaint_id for clock in clocks)
        return deliver(claim(clocks))


def _notice(s: _Sweep, clock: Clock, level: int, kind: str, key: str, message: str) -> Notice:
    c: Complaint = clock.complaint
    users = tuple(s.ladder.recipients(level, handler_id=c.handler_id, unit_id=c.org_unit_id))
    return Notice(users, c.pk, kind, message, f"{key}:{clock.due_date:%Y%m%d}")


def _words(clock: Clock, **extra: Any) -> dict[str, Any]:
    return {
        "ref": clock.complaint.reference,
        "clock": CLOCK_LABELS.get(clock.name, clock.name),
        "due": clock.due_date.isoformat(),
        **extra,
    }


def _breach(s: _Sweep) -> None:
    """Running clocks past their due date become breached, and the handler is told once.

    A transition may already have stored the clock as breached (it recomputes clocks too), so the notice
    does not depend on this process flipping the state: its dedupe key makes it once-only either way.
    """

    def claim(clocks: list[Clock]) -> list[Notice]:
        # under the complaint locks: the clocks still running are exactly the ones this sweep flips
        running = Clock.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.RUNNING)
        flipped = set(running.values_list("pk", flat=True))
        if flipped:
            Clock.objects.filter(pk__in=flipped).update(state=ClockState.BREACHED)
            decisions = [c.complaint_id for c in clocks if c.pk in flipped and c.name == "decision"]
            if decisions:  # statistics count from the complaint row (see _sync_decision)
                Complaint.objects.filter(pk__in=decisions).update(decision_state=ClockState.BREACHED)
            s.report.breached += len(flipped)
        notices = []
        for clock in clocks:
            if clock.pk in flipped:
                logger.info(
                    "SLA breached: %s %s (due %s)", clock.complaint.reference, clock.name, clock.due_date
                )
            message = _("Complaint %(ref)s: the %(clock)s deadline %(due)s has passed") % _words(clock)
            notices.append(_notice(s, clock, 0, "sla_breach", f"breach:{clock.pk}", message))
        return notices

    q = Q(
        state__in=[ClockState.RUNNING, ClockState.BREACHED],
        met_on__isnull=True,
        escalation_level=0,
        due_date__lt=s.today,
    )
    for clocks in _batches(q, lambda clock: True):
        _handle(clocks, claim)


def _escalate(s: _Sweep) -> None:
    """Breached clocks climb to min(3, working days fully overdue); each new rung is told once."""

    def target(clock: Clock) -> int:
        return min(TOP_LEVEL, s.days.overdue(clock.due_date))

    def claim(clocks: list[Clock]) -> list[Notice]:
        # under the complaint locks: a clock climbs only from the rung this sweep read (a concurrent
        # sweeper that got there first leaves nothing to claim)
        current = dict(
            Clock.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.BREACHED).values_list(
                "pk", "escalation_level"
            )
        )
        mine = [c for c in clocks if current.get(c.pk) == c.escalation_level]
        rungs: dict[int, list[int]] = {}  # one UPDATE per new rung, not one per clock
        for clock in mine:
            rungs.setdefault(target(clock), []).append(clock.pk)
        for rung, pks in rungs.items():
            Clock.objects.filter(pk__in=pks).update(escalation_level=rung)
        text = _("Complaint %(ref)s: the %(clock)s deadline %(due)s was missed, escalated to level %(level)d")
        notices = []
        for clock in mine:
            old, new = clock.escalation_level, target(clock)
            s.report.escalated += 1
            logger.info("SLA escalated: %s %s to level %d", clock.complaint.reference, clock.name, new)
            notices += [  # a sweeper that was down for days still tells every rung it skipped
                _notice(
                    s,
                    clock,
                    lvl,
                    "sla_escalation",
                    f"escalate:{clock.pk}:{lvl}",
                    text % _words(clock, level=lvl),
                )
                for lvl in range(old + 1, new + 1)
            ]
        return notices

    q = Q(state=ClockState.BREACHED, met_on__isnull=True, escalation_level__lt=TOP_LEVEL)
    for clocks in _batches(q, lambda clock: target(clock) > clock.escalation_level):
        _handle(clocks, claim)


def _warn(s: _Sweep, levels: Sequence[int]) -> None:
    """Running clocks due within a warning level's working days warn the handler once per level.

    When several levels are due at once (a late first sweep) only the most urgent is sent; all are
    recorded in `clock.warned` (best effort: the notification's unique key is the real claim).
    """

    def pending(clock: Clock) -> list[int]:
        left = s.days.left(clock.due_date)
        return [n for n in levels if left <= n and n not in clock.warned]

    def claim(clocks: list[Clock]) -> list[Notice]:
        groups: dict[tuple, list[int]] = {}
        notices = []
        text = _("Complaint %(ref)s: the %(clock)s deadline %(due)s is %(left)d working day(s) away")
        for clock in clocks:
            reached, left = pending(clock), s.days.left(clock.due_date)
            # the due date in the key: a clock recomputed meanwhile (another due date) is not marked
            groups.setdefault((tuple(sorted({*clock.warned, *reached})), clock.due_date), []).append(clock.pk)
            logger.debug(
                "SLA warning: %s %s, %d working day(s) left", clock.complaint.reference, clock.name, left
            )
            key = f"warn:{clock.pk}:{min(reached)}"
            notices.append(_notice(s, clock, 0, "sla_warning", key, text % _words(clock, left=left)))
        for (warned, due), pks in groups.items():
            Clock.objects.filter(pk__in=pks, due_date=due).update(warned=list(warned))
        return notices

    if not levels:
        return
    window = Q(state=ClockState.RUNNING, due_date__gte=s.today, due_date__lte=s.days.horizon(max(levels)))
    for clocks in _batches(window, lambda clock: bool(pending(clock))):
        s.report.warned += sum(1 for new in _handle(clocks, claim) if new)


def warn_levels() -> list[int]:
    """The configured warning levels (working days before the due date), largest first."""
    return sorted(
        {int(n) for n in getattr(settings, "SLA_WARN_WORKING_DAYS", DEFAULT_WARN_WORKING_DAYS)}, reverse=True
    )


def sla_sweep(now: dt.datetime | None = None) -> SweepReport:
    """One pass of the sweeper: breach, escalate, warn, then the e-mail digest. Safe to run concurrently."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    s = _Sweep(today=today, days=_Days(get_calendar(), today))
    _breach(s)
    _escalate(s)
    _warn(s, warn_levels())
    s.report.emailed = email_digest(now)
    logger.info("SLA sweep %s: %s", today.isoformat(), s.report)
    return s.report
