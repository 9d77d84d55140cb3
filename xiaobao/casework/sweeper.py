"""The sweeper: warnings before a deadline, breach on the day after it, and the escalation ladder — for the
clocks of every registered clock model (`Module.clocks`), complaints' and rectification items' alike.

One `sweep_clocks()` does, for each registered clock model in turn:

1. **breach** — a running clock whose due date has passed becomes `breached` (claimed with a conditional
   update: only the process whose update changed the row tells the handler);
2. **escalation** — a breached clock of an item not ended climbs one rung per working day that has fully
   passed since the due date (handler → unit head → branch consumer-protection officer → head office),
   each rung claimed with a conditional update of `escalation_level` and told once;
3. **warnings** — a running clock due within N working days (`SLA_WARN_WORKING_DAYS`, default 3 and 1)
   warns the handler once per level; the claim is the notification's unique `dedupe_key`.

`sweep()` runs that, then each module's periodic job (`Module.periodic`, e.g. the early-warning scan), then
the e-mail digest (one e-mail per person of everything not yet e-mailed, in working hours only):
`xiaobao sweep --loop` is the one periodic process.

Two sweepers running at once never tell anybody twice: every claim is either made under the locks of
the batch's items (the clocks still running / still on the rung that was read are the ones this sweeper
flips, with one set-based UPDATE per distinct new value), or an insert against a unique key. Clocks are
read in keyset batches of 2,000 with their item joined; who sits on which rung is resolved in memory from
two queries per sweep.

A clock model says how the sweeper reaches and names its item with a `ClockSweep` in its class attribute
`sweep` (an instance or its dotted path); without one the defaults hold: the item is the foreign key
`item`, with `org_unit`, `handler` and `reference`.

Paused clocks are not breached here: while a pause is open the stored due date is only as fresh as the
last recompute (each paused day moves the real one later), so the next transition decides instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from xiaobao.casework import registry
from xiaobao.casework.choices import ClockState
from xiaobao.casework.events import announce
from xiaobao.casework.notifications import Notice, Subject, deliver, email_digest, lock_rows
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.org import PATH_SEGMENT, OrgUnitKind
from xiaobao.core.workdays import WorkCalendar, get_calendar

logger = logging.getLogger(__name__)

BATCH = 2000
TOP_LEVEL = 3  # head office
HANDLER, APPROVER, BRANCH_CP, HQ_CP = "complaint_handler", "approver", "branch_cp_officer", "hq_cp_officer"
LADDER_ROLES = (HANDLER, APPROVER, BRANCH_CP, HQ_CP)
DEFAULT_WARN_WORKING_DAYS = (3, 1)
BREACH = gettext_lazy("%(item)s %(ref)s: the %(clock)s deadline %(due)s has passed")
ESCALATION = gettext_lazy(
    "%(item)s %(ref)s: the %(clock)s deadline %(due)s was missed, escalated to level %(level)d"
)
WARNING = gettext_lazy("%(item)s %(ref)s: the %(clock)s deadline %(due)s is %(left)d working day(s) away")


@dataclass(frozen=True)
class ClockSweep:
    """How the sweeper reaches, tells about and names the items of one clock model.

    Messages are format strings over `item` (the item's kind), `ref`, `clock`, `due`, and `level`
    (escalation) or `left` (warning); `labels` names the clocks. `ended` lists (or gives, when callable)
    the item statuses whose clocks are left alone. `key_prefix` starts every dedupe key (default: the
    clock model's label). `on_breach` is called, under the batch's locks, with the clocks this sweep has
    just flipped to breached. `roles`: the ladder's four roles (level 0 falls back to the first one's
    holders when the item has no handler).
    """

    item_field: str = "item"
    unit_field: str = "org_unit"
    handler_field: str = "handler"
    reference_field: str = "reference"
    ended: Collection[str] | Callable[[], Collection[str]] = ()
    labels: Mapping[str, Any] = field(default_factory=dict)
    breach_message: Any = BREACH
    escalation_message: Any = ESCALATION
    warning_message: Any = WARNING
    key_prefix: str | None = None
    on_breach: Callable[[list[Any]], None] | None = None
    roles: tuple[str, str, str, str] = LADDER_ROLES

    def ended_statuses(self) -> list[str]:
        return list(self.ended() if callable(self.ended) else self.ended)


def sweep_of(model: Any) -> ClockSweep:
    """The clock model's declaration (its `sweep`: an instance or a dotted path), or the defaults."""
    spec = getattr(model, "sweep", None)
    if isinstance(spec, str):
        spec = registry.resolve(spec)
    return spec if isinstance(spec, ClockSweep) else ClockSweep()


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

    Level 0 is the handler (or the holders of the first role — complaint handlers — in the unit, or in its
    nearest ancestor that has some); 1 the unit head (approvers of the unit or its nearest ancestor that
    has one); 2 the branch consumer-protection officers of the nearest branch (searching upwards from it);
    3 the head office's consumer-protection officers.
    """

    def __init__(self, roles: Sequence[str] = LADDER_ROLES) -> None:
        self.roles = tuple(roles)
        self._kinds: dict[int, str] | None = None
        self._staff: dict[str, dict[int, list[int]]] = {role: {} for role in self.roles}
        self._chains: dict[int, list[int]] = {}
        self._cache: dict[tuple[int, int], list[int]] = {}

    def _load(self) -> dict[int, str]:
        if self._kinds is None:
            units = list(OrgUnit.objects.values_list("id", "path", "kind"))
            self._kinds = {pk: kind for pk, _path, kind in units}
            self._chains = {pk: _chain(path) for pk, path, _kind in units}
            rows = User.groups.through.objects.filter(group__name__in=self.roles, user__is_active=True)
            for user_id, unit_id, role in rows.values_list("user_id", "user__org_unit_id", "group__name"):
                self._staff[role].setdefault(unit_id, []).append(user_id)
        return self._kinds

    def recipients(self, level: int, *, handler_id: int | None, unit_id: int) -> list[int]:
        """User ids to tell at `level` about an item of `unit_id` handled by `handler_id`."""
        if level == 0 and handler_id is not None:
            return [handler_id]
        if (level, unit_id) not in self._cache:
            self._cache[level, unit_id] = self._resolve(level, unit_id)
        return self._cache[level, unit_id]

    def _resolve(self, level: int, unit_id: int) -> list[int]:
        kinds = self._load()
        chain = self._chains.get(unit_id, [unit_id])
        handler, approver, branch_cp, hq_cp = self.roles
        if level == 0:
            return self._nearest(handler, chain)
        if level == 1:
            return self._nearest(approver, chain)
        if level == 2:
            branch = next((i for i, u in enumerate(chain) if kinds.get(u) == OrgUnitKind.BRANCH), 0)
            return self._nearest(branch_cp, chain[branch:])
        return sorted({uid for ids in self._staff[hq_cp].values() for uid in ids})

    def _nearest(self, role: str, chain: Sequence[int]) -> list[int]:
        """The holders of `role` in the first unit of `chain` that has any."""
        staff = self._staff[role]
        return next((sorted(set(staff[u])) for u in chain if staff.get(u)), [])


def _chain(path: str) -> list[int]:
    """The unit and its ancestors, nearest first, read from the materialised path."""
    return [int(path[i : i + PATH_SEGMENT]) for i in range(len(path) - PATH_SEGMENT, -1, -PATH_SEGMENT)]


# --- working-day arithmetic, memoised per due date --------------------------------------------------------


class Days:
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


# --- one clock model -------------------------------------------------------------------------------------


@dataclass
class _Sweep:
    """The state of one sweep: its day, its memoised calendar and ladders, and what it did."""

    today: dt.date
    days: Days
    ladders: dict[tuple[str, ...], Ladder] = field(default_factory=dict)
    report: SweepReport = field(default_factory=SweepReport)

    def ladder(self, roles: Sequence[str]) -> Ladder:
        key = tuple(roles)
        if key not in self.ladders:
            self.ladders[key] = Ladder(key)
        return self.ladders[key]


@dataclass
class _Clocks:
    """One clock model within a sweep: how to read, lock, name and tell about its clocks."""

    s: _Sweep
    model: Any
    spec: ClockSweep

    @property
    def item_model(self) -> Any:
        return self.model._meta.get_field(self.spec.item_field).related_model

    def item(self, clock: Any) -> Any:
        return getattr(clock, self.spec.item_field)

    def item_id(self, clock: Any) -> int:
        return int(getattr(clock, f"{self.spec.item_field}_id"))

    def reference(self, clock: Any) -> str:
        return str(getattr(self.item(clock), self.spec.reference_field))

    def key(self, text: str) -> str:
        prefix = self.spec.key_prefix
        return f"{self.model._meta.label_lower}:{text}" if prefix is None else f"{prefix}{text}"

    def batches(self, q: Q, wanted: Callable[[Any], bool]) -> Iterator[list[Any]]:
        """Clocks of items not ended that match `q` and that `wanted` accepts, up to 2,000 at a time.

        Keyset pages: no cursor stays open while the batch is written to.
        """
        it, sp = self.spec.item_field, self.spec
        fields = (
            "id", "name", "due_date", "state", "warned", "escalation_level", f"{it}__id",
            f"{it}__{sp.reference_field}", f"{it}__{sp.handler_field}", f"{it}__{sp.unit_field}",
        )  # fmt: skip
        qs = self.model.objects.filter(q)
        if ended := sp.ended_statuses():
            qs = qs.exclude(**{f"{it}__status__in": ended})
        qs = qs.select_related(it).only(*fields).order_by("pk")
        last = 0
        while page := list(qs.filter(pk__gt=last)[:BATCH]):
            last = page[-1].pk
            if todo := [clock for clock in page if wanted(clock)]:
                yield todo

    def handle(self, clocks: list[Any], claim: Callable[[list[Any]], list[Notice]]) -> list[int]:
        """Claim and tell for a batch in one transaction; returns the new-row count of each notice.

        The batch's items are locked first, as a transition locks its item before its clocks, so a
        sweeper and a transition never deadlock (PostgreSQL; SQLite has one writer at a time). `claim`
        writes the batch's clock changes with a few set-based updates (not one per clock) and returns what
        to tell.
        """
        with transaction.atomic():
            lock_rows(self.item_model, (self.item_id(clock) for clock in clocks))
            return deliver(claim(clocks))

    def notice(self, clock: Any, level: int, kind: str, key: str, message: str) -> Notice:
        item = self.item(clock)
        handler_id = getattr(item, f"{self.spec.handler_field}_id")
        unit_id = getattr(item, f"{self.spec.unit_field}_id")
        users = tuple(
            self.s.ladder(self.spec.roles).recipients(level, handler_id=handler_id, unit_id=unit_id)
        )
        subject = Subject(self.item_model._meta.label_lower, item.pk)
        return Notice(users, subject, kind, message, self.key(f"{key}:{clock.due_date:%Y%m%d}"))

    def words(self, clock: Any, **extra: Any) -> dict[str, Any]:
        return {
            "item": capfirst(self.item_model._meta.verbose_name),
            "ref": self.reference(clock),
            "clock": self.spec.labels.get(clock.name, clock.name),
            "due": clock.due_date.isoformat(),
            **extra,
        }

    # --- the three passes ---

    def breach(self) -> None:
        """Running clocks past their due date become breached, and the handler is told once.

        A transition may already have stored the clock as breached (it recomputes clocks too), so the
        notice does not depend on this process flipping the state: its dedupe key makes it once-only.
        """
        model, s = self.model, self.s

        def claim(clocks: list[Any]) -> list[Notice]:
            # under the item locks: the clocks still running are exactly the ones this sweep flips
            running = model.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.RUNNING)
            flipped = set(running.values_list("pk", flat=True))
            if flipped:
                model.objects.filter(pk__in=flipped).update(state=ClockState.BREACHED)
                if self.spec.on_breach is not None:
                    self.spec.on_breach([c for c in clocks if c.pk in flipped])
                for c in clocks:  # webhooks and other listeners, once the batch commits
                    if c.pk in flipped:
                        announce(
                            item=getattr(c, self.spec.item_field),
                            action="breach",
                            data={"clock": c.name, "due_date": c.due_date.isoformat()},
                        )
                s.report.breached += len(flipped)
            notices = []
            for clock in clocks:
                if clock.pk in flipped:
                    logger.info(
                        "SLA breached: %s %s (due %s)", self.reference(clock), clock.name, clock.due_date
                    )
                message = str(self.spec.breach_message) % self.words(clock)
                notices.append(self.notice(clock, 0, "sla_breach", f"breach:{clock.pk}", message))
            return notices

        q = Q(
            state__in=[ClockState.RUNNING, ClockState.BREACHED],
            met_on__isnull=True,
            escalation_level=0,
            due_date__lt=s.today,
        )
        for clocks in self.batches(q, lambda clock: True):
            self.handle(clocks, claim)

    def escalate(self) -> None:
        """Breached clocks climb to min(3, working days fully overdue); each new rung is told once."""
        model, s = self.model, self.s

        def target(clock: Any) -> int:
            return min(TOP_LEVEL, s.days.overdue(clock.due_date))

        def claim(clocks: list[Any]) -> list[Notice]:
            # under the item locks: a clock climbs only from the rung this sweep read (a concurrent
            # sweeper that got there first leaves nothing to claim)
            current = dict(
                model.objects.filter(pk__in=[c.pk for c in clocks], state=ClockState.BREACHED).values_list(
                    "pk", "escalation_level"
                )
            )
            mine = [c for c in clocks if current.get(c.pk) == c.escalation_level]
            rungs: dict[int, list[int]] = {}  # one UPDATE per new rung, not one per clock
            for clock in mine:
                rungs.setdefault(target(clock), []).append(clock.pk)
            for rung, pks in rungs.items():
                model.objects.filter(pk__in=pks).update(escalation_level=rung)
            notices = []
            for clock in mine:
                old, new = clock.escalation_level, target(clock)
                s.report.escalated += 1
                logger.info("SLA escalated: %s %s to level %d", self.reference(clock), clock.name, new)
                notices += [  # a sweeper that was down for days still tells every rung it skipped
                    self.notice(
                        clock,
                        lvl,
                        "sla_escalation",
                        f"escalate:{clock.pk}:{lvl}",
                        str(self.spec.escalation_message) % self.words(clock, level=lvl),
                    )
                    for lvl in range(old + 1, new + 1)
                ]
            return notices

        q = Q(state=ClockState.BREACHED, met_on__isnull=True, escalation_level__lt=TOP_LEVEL)
        for clocks in self.batches(q, lambda clock: target(clock) > clock.escalation_level):
            self.handle(clocks, claim)

    def warn(self, levels: Sequence[int]) -> None:
        """Running clocks due within a warning level's working days warn the handler once per level.

        When several levels are due at once (a late first sweep) only the most urgent is sent; all are
        recorded in `clock.warned` (best effort: the notification's unique key is the real claim).
        """
        model, s = self.model, self.s

        def pending(clock: Any) -> list[int]:
            left = s.days.left(clock.due_date)
            return [n for n in levels if left <= n and n not in clock.warned]

        def claim(clocks: list[Any]) -> list[Notice]:
            groups: dict[tuple, list[int]] = {}
            notices = []
            for clock in clocks:
                reached, left = pending(clock), s.days.left(clock.due_date)
                # the due date in the key: a clock recomputed meanwhile (another due date) is not marked
                groups.setdefault((tuple(sorted({*clock.warned, *reached})), clock.due_date), []).append(
                    clock.pk
                )
                logger.debug(
                    "SLA warning: %s %s, %d working day(s) left", self.reference(clock), clock.name, left
                )
                key = f"warn:{clock.pk}:{min(reached)}"
                message = str(self.spec.warning_message) % self.words(clock, left=left)
                notices.append(self.notice(clock, 0, "sla_warning", key, message))
            for (warned, due), pks in groups.items():
                model.objects.filter(pk__in=pks, due_date=due).update(warned=list(warned))
            return notices

        if not levels:
            return
        window = Q(state=ClockState.RUNNING, due_date__gte=s.today, due_date__lte=s.days.horizon(max(levels)))
        for clocks in self.batches(window, lambda clock: bool(pending(clock))):
            s.report.warned += sum(1 for new in self.handle(clocks, claim) if new)


# --- the sweep -------------------------------------------------------------------------------------------


def warn_levels() -> list[int]:
    """The configured warning levels (working days before the due date), largest first."""
    return sorted(
        {int(n) for n in getattr(settings, "SLA_WARN_WORKING_DAYS", DEFAULT_WARN_WORKING_DAYS)}, reverse=True
    )


def local_today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone.get_default_timezone())


def sweep_clocks(now: dt.datetime | None = None, models: Sequence[Any] | None = None) -> SweepReport:
    """Breach, escalate and warn for every registered clock model (or the given ones). Safe to run
    concurrently."""
    today = local_today(now or timezone.now())
    s = _Sweep(today=today, days=Days(get_calendar(), today))
    levels = warn_levels()
    for model in registry.clock_models() if models is None else models:
        clocks = _Clocks(s, model, sweep_of(model))
        clocks.breach()
        clocks.escalate()
        clocks.warn(levels)
    return s.report


def sla_sweep(now: dt.datetime | None = None) -> SweepReport:
    """One pass over every registered clock model, then the e-mail digest."""
    now = now or timezone.now()
    report = sweep_clocks(now)
    report.emailed = email_digest(now)
    logger.info("SLA sweep %s: %s", local_today(now).isoformat(), report)
    return report


def periodic_jobs(now: dt.datetime) -> list[tuple[str, str]]:
    """Run each module's periodic job (`Module.periodic`); (label, what it reports) each."""
    done = []
    for reg in registry.modules():
        for path in reg.module.periodic:
            name = path.rsplit(".", 1)[-1]
            try:
                done.append((name, str(registry.resolve(path)(now=now))))
            except Exception:  # one module's failure does not keep the others (or the digest) from running
                logger.exception("%s failed; retrying at the next sweep", name)
                done.append((name, "failed"))
    return done


def sweep(now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Everything periodic in one pass: the clocks of every module, each module's periodic job (the
    early-warning scan), then the e-mail digest (so the digest carries what the others just told)."""
    now = now or timezone.now()
    report = sweep_clocks(now)
    done = [("sweep", str(report))]
    done += periodic_jobs(now)
    done.append(("email_digest", f"emailed={email_digest(now)}"))
    return done
