"""A year of inspections and rectification for the demo bank, driven through the real services.

`inspections_demo_load()` plans a year of the demo bank's inspection work and replays it in time order, each
step recorded at its own moment (`xiaobao.core.clock.recording_at`, as the complaints demo does):

- head office: quarterly mystery shopping over 6 sampled outlets, and a half-yearly elder-friendly
  facilities check (适老化) over 6 outlets;
- each branch: a monthly on-site service check of one sampled outlet and a personal-information protection
  self-inspection of its outlets in the second half-year (the sales-recording (双录) checks of sampled sales
  are the sales-recording module's own demo);
- every plan is created, drawn and published through `inspections.plans` (the seed is stored); every
  inspection is filled item by item (`answer_save`, `photo_add` for the items that need a photo) by its
  inspector and submitted (`inspection_act`), which scores it and records its findings (repeat findings
  included) — an outlet keeps a quality of its own, so scores differ between outlets and improve a little
  after a poor visit;
- findings become rectification items owned by the outlet's manager (`rectification_from_finding`) that
  live one of several stories: verified on time, verified late, rejected once then resubmitted and
  verified, extended with approval, submitted and waiting, in progress, just opened, or left overdue; a
  regulator's opinion and a complaint's root cause open items too.

Steps that would fall after today are not taken, so the recent work is still open at `today`; inspections of
the current period are planned or half filled. At the end every open item's clock is recomputed for today.

Speed: ≈ 90 inspections with ≈ 1,700 answers and ≈ 150 rectification items, ≈ 25 s of CPU on the 2-vCPU
VM (SQLite). The outlet managers it adds (one per outlet, role complaint handler: they work on rectification
items) are listed with the other demo logins.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiaobao.core.clock import localdate, recording_at
from xiaobao.core.demo import DEMO_PASSWORD, synthetic_name
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.services.accounts import user_create

MANAGER_ROLE = "complaint_handler"  # works on rectification items of its own unit


@dataclass
class Result:
    inspections: Counter[str] = field(default_factory=Counter)
    rectifications: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    answers: int = 0
    seconds: float = 0.0


@dataclass(order=True)
class Step:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Timeline:
    """Steps replayed in time order; a step may add later steps (a finding → its rectification story)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.heap: list[Step] = []
        self.seq = itertools.count()

    def at(self, when: dt.datetime, run: Callable[[], None]) -> None:
        if when <= self.now:
            heapq.heappush(self.heap, Step(when, next(self.seq), run))

    def play(self) -> None:
        while self.heap:
            step = heapq.heappop(self.heap)
            with recording_at(step.at):
                step.run()


def moment(day: dt.date, hour: float) -> dt.datetime:
    base = dt.datetime.combine(day, dt.time(0))
    return timezone.make_aware(base + dt.timedelta(hours=hour))


def _png() -> bytes:
    """A small real PNG (a photo stand-in) that the upload checks accept."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (70, 120, 180)).save(buf, format="PNG")
    return buf.getvalue()


# --- the bank's people ------------------------------------------------------------------------------------


def _managers(rng: random.Random, outlets: list[OrgUnit]) -> dict[int, User]:
    """One manager per outlet (the owner of its rectification items), created once."""
    out: dict[int, User] = {}
    for n, outlet in enumerate(outlets, start=1):
        username = f"outlet{n:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                full_name=synthetic_name(rng),
                org_unit=outlet,
                roles=[MANAGER_ROLE],
                password=DEMO_PASSWORD,
            )
        out[outlet.pk] = user
    return out


# --- the demo ---------------------------------------------------------------------------------------------


class Demo:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        from xiaobao.inspections.models import ChecklistTemplate

        self.rng, self.today = rng, today
        self.timeline = Timeline(timezone.now())
        self.result = Result()
        self.photo = _png()
        self.ho = OrgUnit.objects.get(code="HO")
        self.branches = list(OrgUnit.objects.filter(kind="branch", parent=self.ho).order_by("code"))
        self.outlets = list(OrgUnit.objects.filter(kind="outlet").order_by("code"))
        self.branch_of = {
            o.pk: next(b for b in self.branches if o.path.startswith(b.path)) for o in self.outlets
        }
        self.quality = {o.pk: rng.uniform(0.62, 0.97) for o in self.outlets}
        self.managers = _managers(rng, self.outlets)
        self.hq = User.objects.get(username="hq_cp")
        n_of = {b.pk: n for n, b in enumerate(self.branches, start=1)}
        self.cp = {b.pk: User.objects.get(username=f"branch{n_of[b.pk]}_cp") for b in self.branches}
        self.approver = {
            b.pk: User.objects.get(username=f"branch{n_of[b.pk]}_approver") for b in self.branches
        }
        self.templates = {t.code: t for t in ChecklistTemplate.objects.filter(is_current=True)}
        self.recent = 0  # recent rectification items so far (their stories take turns)

    # --- plans ------------------------------------------------------------------------------------------

    def plan(
        self,
        *,
        actor: User,
        name: str,
        kind: str,
        template: str,
        start: dt.date,
        end: dt.date,
        inspecting: OrgUnit,
        scope: OrgUnit,
        count: int,
        exclude_recent_days: int = 0,
        risk_weighted: bool = False,
    ) -> None:
        """Create, draw and publish a plan on its first day; its inspections are then carried out."""

        def publish() -> None:
            from xiaobao.inspections.plans import PlanInput, plan_create, plan_draw, plan_publish

            data = PlanInput(
                name=name,
                kind=kind,
                template=self.templates[template],
                period_start=start,
                period_end=end,
                inspecting_unit=inspecting,
                scope_unit=scope,
                outlet_count=count,
                exclude_recent_days=exclude_recent_days,
                risk_weighted=risk_weighted,
            )
            plan = plan_create(actor=actor, data=data)
            plan = plan_draw(actor=actor, plan=plan, seed=self.rng.randrange(1, 2**31))
            plan = plan_publish(actor=actor, plan=plan, inspectors=[actor.username])
            for ins in plan.inspections.select_related("org_unit").order_by("pk"):
                self.schedule_visit(ins, start, end)

        self.timeline.at(moment(start, 9.5 + self.rng.random()), publish)

    def schedule_visit(self, ins: Any, start: dt.date, end: dt.date) -> None:
        """Visit the outlet on a working day of the period (the current period: maybe not yet)."""
        span = max(0, (end - start).days - 2)
        day = start + dt.timedelta(days=2 + self.rng.randint(0, span))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        when = moment(max(day, start), 9 + 7 * self.rng.random())
        self.timeline.at(when, lambda: self.visit(ins.pk, when))

    # --- one inspection ---------------------------------------------------------------------------------

    def answer_for(self, item: Any, quality: float) -> Any:
        rng = self.rng
        if item.kind == "yes_no":
            p = 0.97 if item.gating else quality
            return "yes" if rng.random() < p else "no"
        if item.kind == "score":
            top = int(item.max_score)
            return max(0, min(top, round(top * quality + rng.uniform(-1.2, 0.8))))
        if item.kind == "number":
            return rng.randint(1, 15)
        if item.kind == "text":
            return rng.choice(["服务规范，无异常。", "客户较多，等候时间偏长。", "标识清晰。"])
        return None

    def visit(self, pk: int, when: dt.datetime) -> None:
        from xiaobao.inspections.models import ChecklistItem, Inspection
        from xiaobao.inspections.services import answer_save, inspection_act, photo_add

        ins = Inspection.objects.select_related("template", "handler").get(pk=pk)
        if ins.status != "planned":
            return
        actor = ins.handler
        quality = self.quality[ins.org_unit_id]
        items = list(ChecklistItem.objects.filter(template=ins.template).order_by("section__order", "order"))
        partial = when.date() > self.today - dt.timedelta(days=3) and self.rng.random() < 0.5
        todo = items[: len(items) // 2] if partial else items
        for item in todo:
            if item.kind == "photo" or item.photo_required:
                photo_add(
                    actor=actor,
                    inspection=ins,
                    fileobj=io.BytesIO(self.photo),
                    name="现场.png",
                    item_code=item.code,
                )
                if item.kind == "photo":
                    continue
            value = self.answer_for(item, quality)
            if value is None:
                continue
            answer_save(actor=actor, inspection=ins, item_code=item.code, value=value)
            self.result.answers += 1
        if partial:
            return  # filled half way, still in progress today
        ins = inspection_act(actor=actor, inspection=Inspection.objects.get(pk=pk), action="submit")
        # an outlet told of a poor visit does a little better next time
        if ins.percent is not None and ins.percent < 80:
            self.quality[ins.org_unit_id] = min(0.97, quality + 0.05)
        for finding in ins.findings.order_by("pk"):
            self.result.findings += 1
            if finding.severity != "minor" or self.rng.random() < 0.6:
                self.rectify(finding.pk, actor, when)

    # --- rectification ----------------------------------------------------------------------------------

    # Items opened long ago have been dealt with, most of them on time; a few are still overdue today.
    OLD_STORIES = (("on_time", 50), ("late", 10), ("rejected_once", 16), ("extended", 12), ("overdue", 4))
    # Recent items (opened within 25 days) take their turn through every state in which work goes on.
    RECENT_STORIES = ("open", "in_progress", "submitted", "rejected_once", "on_time", "extended")

    def rectify(self, finding_pk: int, opener: User, when: dt.datetime) -> None:
        """Open the finding's rectification item the next working morning; then its story."""
        day = when.date() + dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        if (self.today - day).days <= 25:
            story = self.RECENT_STORIES[self.recent % len(self.RECENT_STORIES)]
            self.recent += 1
        else:
            story = self.rng.choices([s for s, _w in self.OLD_STORIES], [w for _s, w in self.OLD_STORIES])[0]

        def open_item() -> None:
            from xiaobao.inspections.models import Finding
            from xiaobao.rectification.services import rectification_from_finding

            finding = Finding.objects.select_related("org_unit").get(pk=finding_pk)
            owner = self.managers[finding.org_unit_id]
            item = rectification_from_finding(actor=opener, finding=finding, data={"owner": owner})
            self.story(item.pk, story, day, owner, self.cp[self.branch_of[finding.org_unit_id].pk])

        self.timeline.at(moment(day, 9.2), open_item)

    def step(self, day: dt.date, hour: float, item_pk: int, actor: User, action: str, **data: Any) -> None:
        def run() -> None:
            from xiaobao.rectification.models import Rectification
            from xiaobao.rectification.services import rectification_transition

            item = Rectification.objects.get(pk=item_pk)
            rectification_transition(actor=actor, item=item, action=action, data=data)

        self.timeline.at(moment(day, hour), run)

    def evidence(self, day: dt.date, item_pk: int, owner: User) -> None:
        def run() -> None:
            from xiaobao.rectification.evidence import evidence_add
            from xiaobao.rectification.models import Rectification

            item = Rectification.objects.get(pk=item_pk)
            evidence_add(
                actor=owner,
                item=item,
                fileobj=io.BytesIO(self.photo),
                name="整改后.png",
                kind="after",
                caption="整改后现场照片",
            )

        self.timeline.at(moment(day, 14.5), run)

    def story(self, pk: int, story: str, opened: dt.date, owner: User, verifier: User) -> None:
        self.result.rectifications[story] += 1
        d = lambda n: opened + dt.timedelta(days=n)  # noqa: E731
        plan = "整改方案：组织网点员工培训，对照检查标准逐项整改，网点负责人每日检查。"
        done = "已完成整改：完成全员培训并更新现场设施，整改前后照片见附件。"
        if story == "open" or (story == "overdue" and self.rng.random() < 0.5):
            return  # never started (an overdue one: not even a plan)
        self.step(d(1), 10, pk, owner, "start", plan=plan)
        if story in ("in_progress", "overdue"):
            return
        if story == "extended":
            path = owner.org_unit.path if owner.org_unit else ""
            bank_approver = next(
                a for b, a in self.approver.items() if a.org_unit and path.startswith(a.org_unit.path)
            )
            self.step(d(6), 11, pk, owner, "extend", to_days=20, reason="需采购适老化设施，到货周期较长。")
            self.step(d(7), 10, pk, bank_approver, "approve_extension", note="同意延期。")
            self.evidence(d(18), pk, owner)
            self.step(d(19), 16, pk, owner, "submit", result=done)
            self.step(d(21), 10, pk, verifier, "verify", note="现场复核通过。")
            return
        late = story == "late"
        submit_day = d(self.rng.randint(17, 24) if late else self.rng.randint(4, 9))
        self.evidence(submit_day, pk, owner)
        self.step(submit_day, 16, pk, owner, "submit", result=done)
        if story == "submitted":
            return
        check = submit_day + dt.timedelta(days=1)
        if story == "rejected_once":
            self.step(
                check, 10, pk, verifier, "reject", reason="整改后照片不清晰，未体现问题已解决，请补充。"
            )
            check += dt.timedelta(days=3)
            self.evidence(check, pk, owner)
            self.step(check, 16, pk, owner, "submit", result=done + "已补充清晰照片。")
            check += dt.timedelta(days=1)
        self.step(check, 11, pk, verifier, "verify", note="复核通过。")

    # --- other sources ----------------------------------------------------------------------------------

    def regulator_opinions(self) -> None:
        """Two inspection opinions of a regulator, entered as rectification items of a branch."""
        for n, (branch, days_ago, verified) in enumerate(
            ((self.branches[0], 120, True), (self.branches[1], 25, False))
        ):
            opened = self.today - dt.timedelta(days=days_ago)
            owner = self.cp[branch.pk]

            def run(
                branch: OrgUnit = branch,
                opened: dt.date = opened,
                owner: User = owner,
                n: int = n,
                verified: bool = verified,
            ) -> None:
                from xiaobao.rectification.services import rectification_open

                item = rectification_open(
                    actor=self.hq,
                    data={
                        "org_unit": branch,
                        "title": "监管检查意见：消费者权益保护审查机制执行不到位",
                        "description": "现场检查发现部分新产品上线前未开展消保审查，"
                        "营销宣传材料未留存审查记录。",
                        "source": "regulator",
                        "opened_on": opened,
                        "owner": owner,
                        "issued_by": "国家金融监督管理总局派出机构",
                        "external_reference": f"监检意〔{opened.year}〕{17 + n}号",
                    },
                )
                self.result.rectifications["regulator"] += 1
                self.step(
                    opened + dt.timedelta(days=1), 10, item.pk, owner, "start", plan="逐项梳理产品审查记录。"
                )
                if verified:
                    self.step(
                        opened + dt.timedelta(days=8), 16, item.pk, owner, "submit", result="已补齐审查记录。"
                    )
                    self.step(opened + dt.timedelta(days=10), 10, item.pk, self.hq, "verify")

            self.timeline.at(moment(opened, 10), run)

    def complaint_root_causes(self) -> None:
        """Two closed at-fault complaints whose root cause opens a rectification item (溯源整改)."""
        from xiaobao.complaints.models import Complaint

        cutoff = self.today - dt.timedelta(days=40)
        found = (
            Complaint.objects.filter(liability="at_fault", org_unit__kind="outlet", decided_on__lte=cutoff)
            .exclude(decided_on=None)
            .order_by("-decided_on")[:2]
        )
        for complaint in found:
            day = complaint.decided_on + dt.timedelta(days=3)
            owner = self.managers.get(complaint.org_unit_id)
            if owner is None:
                continue

            def run(pk: int = complaint.pk, owner: User = owner) -> None:
                from xiaobao.rectification.services import rectification_from_complaint

                c = Complaint.objects.get(pk=pk)
                item = rectification_from_complaint(
                    actor=self.hq,
                    complaint=c,
                    data={
                        "title": f"投诉溯源整改：{c.reference}",
                        "description": "投诉反映的问题经核实属实，需从制度和流程上溯源整改。",
                        "owner": owner,
                    },
                )
                self.result.rectifications["complaint"] += 1
                self.story(item.pk, "on_time", localdate(), owner, self.hq)

            self.timeline.at(moment(day, 11), run)

    # --- the year ---------------------------------------------------------------------------------------

    def schedule(self) -> None:
        from xiaobao.analytics.periods import Period

        today = self.today
        quarter = Period.containing("quarter", today)
        quarters = [quarter]
        for _i in range(4):
            quarters.insert(0, quarters[0].previous())
        quarters = [q for q in quarters if q.end >= today - dt.timedelta(days=365)]
        for q in quarters:
            label = f"{q.start.year}年第{(q.start.month - 1) // 3 + 1}季度"
            self.plan(
                actor=self.hq,
                name=f"{label}神秘人暗访",
                kind="mystery_shopping",
                template="mystery_shopping",
                start=q.start,
                end=q.end,
                inspecting=self.ho,
                scope=self.ho,
                count=6,
                exclude_recent_days=14,
                risk_weighted=True,
            )
        month = Period.containing("month", today)
        months = [month]
        for _i in range(11):
            months.insert(0, months[0].previous())
        for m in months:
            for branch in self.branches:
                self.plan(
                    actor=self.cp[branch.pk],
                    name=f"{m.start:%Y年%m月}{branch.name}网点现场检查",
                    kind="routine",
                    template="onsite",
                    start=m.start,
                    end=m.end,
                    inspecting=branch,
                    scope=branch,
                    count=1,
                    risk_weighted=True,
                )
        for half in (Period.containing("half", today).previous(), Period.containing("half", today)):
            self.plan(
                actor=self.hq,
                name=f"{half.start.year}年{'上' if half.start.month == 1 else '下'}半年适老化设施检查",
                kind="special",
                template="elder_friendly",
                start=half.start,
                end=half.end,
                inspecting=self.ho,
                scope=self.ho,
                count=6,
            )
        h2 = Period.containing("half", today)
        h2 = h2 if h2.start.month == 7 else h2.previous()
        for branch in self.branches:
            self.plan(
                actor=self.cp[branch.pk],
                name=f"{h2.start.year}年{branch.name}个人信息保护自查",
                kind="self_check",
                template="personal_information",
                start=h2.start,
                end=h2.end,
                inspecting=branch,
                scope=branch,
                count=2,
            )
        self.regulator_opinions()
        self.complaint_root_causes()


def _count_by_status() -> Counter[str]:
    from django.db.models import Count

    from xiaobao.inspections.models import Inspection

    return Counter(
        dict(Inspection.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    )


def inspections_demo_load(seed: int = 20261123, today: dt.date | None = None) -> Result:
    """Plan and replay the year (see the module docstring); one transaction."""
    started = time.perf_counter()
    rng = random.Random(seed + 13)
    with transaction.atomic():
        demo = Demo(rng, today or timezone.localdate())
        demo.schedule()
        demo.timeline.play()
        from xiaobao.rectification.models import Rectification
        from xiaobao.rectification.services import rectification_recompute_clocks
        from xiaobao.rectification.workflow import WORKFLOW

        for item in Rectification.objects.filter(status__in=WORKFLOW.group("open")).select_related("rule"):
            rectification_recompute_clocks(item)
    demo.result.inspections = _count_by_status()
    demo.result.seconds = time.perf_counter() - started
    return demo.result


# --- what `demo_load` calls (Module.demo / Module.demo_arguments) -----------------------------------------


def arguments(parser: Any) -> None:
    parser.add_argument(
        "--inspections",
        type=int,
        default=1,
        help="A year of demo inspections and rectification items (1, the default; 0 for none; ≈ 40 s). "
        "Skipped when inspections exist already.",
    )


def load(command: Any, *, seed: int = 20261123, inspections: int = 1, **opts: Any) -> None:
    from xiaobao.inspections.models import Inspection

    if inspections <= 0:
        return
    out = command.stdout
    if Inspection.objects.exists():
        out.write("Demo inspections already loaded.")
        return
    out.write("Loading a year of demo inspections and rectification items through the services …")
    result = inspections_demo_load(seed=seed)
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(result.inspections.items()))
    stories = ", ".join(f"{k} {v}" for k, v in sorted(result.rectifications.items()))
    out.write(
        command.style.SUCCESS(
            f"Demo inspections loaded in {result.seconds:.1f} s: {sum(result.inspections.values()):,} "
            f"inspections ({by_status}), {result.answers:,} answers, {result.findings:,} findings, "
            f"{sum(result.rectifications.values()):,} rectification items ({stories})."
        )
    )
