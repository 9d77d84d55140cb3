"""A year of consumer-protection reviews for the demo bank, driven through the real services.

`review_demo_load()` plans about 120 review requests over the 365 days before `today` and replays every step
in time order, each recorded at its own moment (`xiaobao.core.clock.recording_at`, as the complaints and
inspections demos do), so events, clocks, checker findings, opinions, answers and approvals are exactly what
the services write:

- product departments submit: the head office's retail banking (零售银行部), wealth management (财富管理部)
  and credit card centre (信用卡中心), and a product person in each branch for its local material (they are
  added as `wealth_responder`, `card_responder`, `branch1_product` …; role business_responder);
- documents are Word files written here (python-docx) from `demo_texts`: leaflets, product sheets, standard
  terms, fee notices, service processes; the first version of many carries what the checker flags (保本,
  零风险, 最高, a missing 理财非存款 …) and the second version fixes it;
- head-office reviewers (`hq_cp`, and `hq_reviewer` who is added) and the branches' officers take the
  requests (never their own: recusal), confirm or dismiss the findings, write opinions (most from the
  findings), the submitter answers (adopted, partly, not adopted with a reason) and uploads the new version,
  the reviewer closes, accepts the reason or escalates to the department head (`approver`,
  `branchN_approver`) who waives or upholds; the reviewer passes, passes after changes or rejects; some are
  withdrawn; one asks for an extension;
- a pass issues the approvals (marketing material valid 6 or 12 months: the old ones have expired), the
  submitter records the launch, a few approvals are withdrawn after launch; a few complaints about a product
  are linked to its review (when the complaints demo ran first);
- recent requests are still open today in every state (draft, submitted, in review, awaiting answers,
  answered, escalated, upheld and answering again, an extension waiting), some overdue, a few urgent.



"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import io
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from xiaobao.core.clock import localdate, recording_at
from xiaobao.core.demo import DEMO_PASSWORD
from xiaobao.core.models import OrgUnit, User
from xiaobao.review import demo_texts as T

DEFAULT_COUNT = 120

# (username, name, unit code, role): people the demo bank lacks for reviews.
PEOPLE = [
    ("hq_reviewer", "邓若曦", "HO-CPD", "hq_cp_officer"),
    ("wealth_responder", "宋雅琴", "HO-WM", "business_responder"),
    ("card_responder", "韩志明", "HO-CARD", "business_responder"),
    ("branch1_product", "唐文博", "B01", "business_responder"),
    ("branch2_product", "袁丽华", "B02", "business_responder"),
    ("branch3_product", "潘俊杰", "B03", "business_responder"),
]
# Head-office submitters and the product kinds their department has.
HQ_SUBMITTERS = {
    "retail_responder": ("deposit", "personal_loan", "payment", "other"),
    "wealth_responder": ("wealth", "fund", "insurance", "precious_metal"),
    "card_responder": ("credit_card",),
}
KIND_WEIGHTS = {
    "new_product": 20,
    "product_change": 12,
    "fee_change": 8,
    "contract": 14,
    "marketing": 36,
    "service_process": 6,
    "other": 4,
}
PRODUCT_KIND_WEIGHTS = {
    "wealth": 22,
    "fund": 10,
    "insurance": 12,
    "deposit": 10,
    "personal_loan": 12,
    "credit_card": 14,
    "payment": 7,
    "precious_metal": 5,
    "other": 8,
}
# Concluded stories of the past year; the first of each comes before any repeats (a small demo still has
# every one).
PAST_STORIES = {
    "fix_pass": 24,
    "quick_pass": 13,
    "suggest_pass": 13,
    "waive_pass": 8,
    "escalate_waive": 5,
    "escalate_uphold": 5,
    "reject": 8,
    "reject_silent": 3,
    "withdraw": 4,
    "withdraw_late": 4,
    "extended": 4,
    "late": 5,
}
# Open today: (story, working days before today it was created, track).
PINNED = [
    ("draft", 3, "normal"),
    ("draft", 1, "normal"),
    ("open_submitted", 1, "normal"),
    ("open_submitted", 1, "urgent"),
    ("open_in_review", 3, "normal"),
    ("open_in_review", 2, "normal"),
    ("open_answering", 5, "normal"),
    ("open_answering", 4, "normal"),
    ("open_answering", 2, "urgent"),
    ("open_answered", 7, "normal"),
    ("open_escalated", 9, "normal"),
    ("open_escalated", 8, "normal"),
    ("open_upheld", 10, "normal"),
    ("open_extension", 9, "normal"),
    ("overdue", 16, "normal"),
    ("overdue", 14, "normal"),
    ("overdue", 6, "urgent"),
]
LABEL_CATEGORY = {
    "absolute": "marketing",
    "guarantee": "marketing",
    "no_risk": "marketing",
    "deposit_confusion": "disclosure",
    "missing_disclosure": "disclosure",
    "expected_return": "disclosure",
    "apr_missing": "pricing",
    "urgency": "marketing",
    "inducement": "marketing",
    "endorsement": "marketing",
    "regulator_endorsement": "marketing",
    "misleading": "marketing",
    "unfair_terms": "contract_terms",
    "tying": "contract_terms",
}
LABEL_BODY = {
    "absolute": "删除“{x}”等绝对化用语（《广告法》第九条）。",
    "guarantee": "删除“{x}”等保本保收益的承诺性表述，如实说明产品风险。",
    "no_risk": "删除“{x}”，不得宣传产品无风险。",
    "deposit_confusion": "“{x}”易使客户将产品与存款混淆，请删除并明确产品性质。",
    "missing_disclosure": "在相关内容的同一段落补充规定的风险提示语。",
    "expected_return": "展示“{x}”须同时说明测算依据，并提示其不代表实际收益。",
    "apr_missing": "以“{x}”宣传的，须同时明示年化利率。",
    "urgency": "删除“{x}”等诱导客户仓促决定的表述。",
    "inducement": "“{x}”属于以赠品、返现诱导购买，请删除或按规定调整。",
    "endorsement": "删除“{x}”等以专家、名人推荐为收益背书的内容。",
    "regulator_endorsement": "不得以监管机构的审批或备案作为保证，删除“{x}”。",
    "misleading": "“{x}”易产生误导，请删除或完整、公允地展示。",
    "unfair_terms": "“{x}”属于不公平格式条款，请修改。",
    "tying": "“{x}”涉及默认勾选或捆绑，须由客户自主选择。",
}


@dataclass(frozen=True)
class Doc:
    title: str
    name: str
    v1: tuple[str, ...]
    v2: tuple[str, ...]
    manual: str  # key of demo_texts.MANUAL_OPINIONS
    table: tuple[tuple[str, str], ...] = ()


@dataclass
class Plan:
    n: int
    story: str
    submitter: User
    unit: OrgUnit
    kind: str
    product_kind: str
    product: str
    track: str
    reviewer: User
    assigner: User | None
    head: User
    docs: list[Doc]
    start: dt.datetime
    planned_launch: dt.date
    review_id: int | None = None
    intents: dict[int, str] = field(default_factory=dict)  # opinion number → what happens to it
    uploads: int = 1  # versions uploaded per document so far


@dataclass
class Result:
    statuses: Counter[str] = field(default_factory=Counter)
    opinions: Counter[str] = field(default_factory=Counter)
    approvals: Counter[str] = field(default_factory=Counter)
    stories: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    links: int = 0
    seconds: float = 0.0


@dataclass(order=True)
class Step:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)
    label: str = field(default="", compare=False)


# --- documents ------------------------------------------------------------------------------------------


_TEMPLATE: dict[str, Any] = {}  # python-docx's blank document: its parts, and the document to fill


def docx_bytes(paragraphs: tuple[str, ...], table: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A Word file (python-docx): the first paragraph as its heading, the rest as paragraphs, then the table
    if any. The blank document is parsed once; each file refills its body and is packed with the
    template's other parts (saving the whole package each time is the slow part)."""
    import zipfile

    import docx as python_docx

    if not _TEMPLATE:
        blank = python_docx.Document()
        buffer = io.BytesIO()
        blank.save(buffer)
        with zipfile.ZipFile(buffer) as package:
            _TEMPLATE["parts"] = [(n, package.read(n)) for n in package.namelist()]
        _TEMPLATE["document"] = blank
    document = _TEMPLATE["document"]
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    document.add_heading(paragraphs[0], level=1)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=2)
        for row, (key, value) in zip(grid.rows, table, strict=True):
            row.cells[0].text, row.cells[1].text = key, value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in _TEMPLATE["parts"]:
            package.writestr(name, document.part.blob if name == "word/document.xml" else data)
    return out.getvalue()


def _fill(paragraphs: list[str], product: str, unit: str) -> tuple[str, ...]:
    return tuple(p.format(p=product, u=unit) for p in paragraphs)


def _elements(product_kind: str, product: str, rng: random.Random) -> tuple[tuple[str, str], ...]:
    grade = {"wealth": "R2", "fund": "R3", "insurance": "—", "precious_metal": "R4"}.get(product_kind, "—")
    return (
        ("产品名称", product),
        ("风险等级", grade),
        ("期限", rng.choice(["180天", "1年", "3年", "无固定期限"])),
        ("起购金额", rng.choice(["1万元", "5万元", "1元", "20万元"])),
    )


def documents_for(kind: str, product_kind: str, product: str, unit: str, rng: random.Random) -> list[Doc]:
    """The documents of a request of this kind (first and corrected versions)."""
    leaflet_bad, leaflet_good = T.LEAFLETS[product_kind]
    leaflet = Doc(
        f"{product}宣传折页",
        f"{product}宣传折页.docx",
        _fill(leaflet_bad, product, unit),
        _fill(leaflet_good, product, unit),
        "leaflet",
    )
    if kind == "new_product":
        sheet = Doc(
            f"{product}产品说明书",
            f"{product}产品说明书.docx",
            _fill(T.PRODUCT_SHEET[0], product, unit),
            _fill(T.PRODUCT_SHEET[1], product, unit),
            "sheet",
            _elements(product_kind, product, rng),
        )
        return [sheet, leaflet]
    if kind == "product_change":
        note = _fill(T.CHANGE_NOTE, product, unit)
        change = Doc(
            f"{product}产品要素调整说明",
            f"{product}调整说明.docx",
            note,
            (*note, "调整前已通过短信、手机银行和网点公告告知存量客户，客户不同意调整的可在生效前赎回。"),
            "change",
        )
        return [change, leaflet] if rng.random() < 0.5 else [change]
    if kind == "fee_change":
        return [
            Doc(
                f"{product}收费标准调整公告",
                f"{product}收费调整公告.docx",
                _fill(T.FEE_NOTICE[0], product, unit),
                _fill(T.FEE_NOTICE[1], product, unit),
                "fee",
            )
        ]
    if kind == "contract":
        return [
            Doc(
                f"{product}客户服务协议",
                f"{product}服务协议.docx",
                _fill(T.CONTRACT[0], product, unit),
                _fill(T.CONTRACT[1], product, unit),
                "contract",
            )
        ]
    if kind == "service_process":
        return [
            Doc(
                f"{product}业务办理流程",
                f"{product}业务流程.docx",
                _fill(T.PROCESS[0], product, unit),
                _fill(T.PROCESS[1], product, unit),
                "process",
            )
        ]
    if kind == "marketing" and rng.random() < 0.15:
        poster = Doc(
            f"{product}网点海报",
            f"{product}海报.docx",
            leaflet.v1[:3],
            leaflet.v2[:3] + leaflet.v2[-1:],
            "leaflet",
        )
        return [leaflet, poster]
    return [leaflet]


TITLES = {
    "new_product": "{p}新产品上线审查",
    "product_change": "{p}产品要素调整",
    "fee_change": "{p}收费标准调整",
    "contract": "{p}客户服务协议（格式条款）",
    "marketing": "{p}营销宣传材料",
    "service_process": "{p}业务办理流程",
    "other": "{p}客户告知材料",
}


# --- the demo -----------------------------------------------------------------------------------------


def moment(day: dt.date, hour: float) -> dt.datetime:
    base = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=hour)
    return timezone.make_aware(base, timezone.get_default_timezone())


class Demo:
    def __init__(self, rng: random.Random, today: dt.date, limit: dt.datetime) -> None:
        from xiaobao.core.workdays import get_calendar
        from xiaobao.review.models import ProductKind

        self.rng, self.today, self.limit = rng, today, limit
        self.calendar = get_calendar()
        self.heap: list[Step] = []
        self.seq = itertools.count()
        self.result = Result()
        self.plans: list[Plan] = []
        self.users = {u.username: u for u in User.objects.select_related("org_unit")}
        self.product_kinds = set(ProductKind.objects.filter(active=True).values_list("code", flat=True))
        self.hq_cp = self.users["hq_cp"]
        self.hq_reviewers = [self.users["hq_cp"], self.users["hq_reviewer"]]
        self.branches = list(OrgUnit.objects.filter(kind="branch").order_by("code"))
        self.subs = {
            b.pk: list(OrgUnit.objects.filter(kind="sub_branch", path__startswith=b.path).order_by("code"))
            for b in self.branches
        }

    # --- days and moments ---------------------------------------------------------------------------------

    def workday(self, day: dt.date) -> dt.date:
        return self.calendar.next_workday(day)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.deadline(day, n, "working").due_date if n > 0 else self.workday(day)

    def workdays_before(self, day: dt.date, n: int) -> dt.date:
        while n > 0:
            day -= dt.timedelta(days=1)
            if self.calendar.is_workday(day):
                n -= 1
        return day

    def after(self, at: dt.datetime, workdays: int) -> dt.datetime:
        """A moment `workdays` working days after `at` (0: later the same day, or the next morning)."""
        local = timezone.localtime(at)
        if workdays <= 0:
            later = local + dt.timedelta(minutes=self.rng.randint(15, 90))
            if later.hour < 18 and later.date() == local.date():
                return later
            workdays = 1
        day = self.add_workdays(local.date(), workdays)
        return moment(day, self.rng.uniform(9.0, 17.0))

    def at(self, when: dt.datetime, run: Callable[[], None], label: str = "") -> bool:
        """Schedule a step; one that falls after the limit is not taken (nor is anything after it)."""
        if when > self.limit:
            return False
        heapq.heappush(self.heap, Step(when, next(self.seq), run, label))
        return True

    def play(self) -> None:
        from xiaobao.checker.models import CheckFinding
        from xiaobao.review.models import DocumentVersion, ReviewDocument, ReviewExtension, ReviewOpinion

        stamped = (ReviewDocument, DocumentVersion, ReviewOpinion, ReviewExtension, CheckFinding)
        marks = {m: self._last_pk(m) for m in stamped}
        while self.heap:
            step = heapq.heappop(self.heap)
            try:
                with recording_at(step.at):
                    step.run()
            except Exception as exc:
                exc.add_note(f"demo review step at {step.at}: {step.label}")
                raise
            self.result.steps += 1
            if step.label.rsplit(" ", 1)[-1] not in ("create", "examine", "answer", "extend"):
                continue
            # rows the step created carry its moment, not the time of loading
            for model in stamped:
                last = self._last_pk(model)
                if last > marks[model]:
                    fields = {"created_at": step.at}
                    if model is not CheckFinding:
                        fields["updated_at"] = step.at
                    model.objects.filter(pk__gt=marks[model]).update(**fields)
                    marks[model] = last

    @staticmethod
    def _last_pk(model: Any) -> int:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- planning -----------------------------------------------------------------------------------------

    def pick(self, table: dict[str, int]) -> str:
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def plan(self, n: int, story: str, start: dt.datetime, track: str = "normal") -> Plan:
        rng = self.rng
        branch_side = rng.random() < 0.4
        if branch_side:
            b = rng.randrange(len(self.branches))
            branch = self.branches[b]
            submitter = self.users[f"branch{b + 1}_product"]
            unit = (
                branch if rng.random() < 0.7 or not self.subs[branch.pk] else rng.choice(self.subs[branch.pk])
            )
            product_kind = self.pick(PRODUCT_KIND_WEIGHTS)
            kind = rng.choice(["marketing"] * 6 + ["service_process", "other", "new_product"])
            if rng.random() < 0.7:
                reviewer, head = self.users[f"branch{b + 1}_cp"], self.users[f"branch{b + 1}_approver"]
            else:
                reviewer, head = rng.choice(self.hq_reviewers), self.users["approver"]
        else:
            product_kind = self.pick(PRODUCT_KIND_WEIGHTS)
            name = next(k for k, kinds in HQ_SUBMITTERS.items() if product_kind in kinds)
            submitter = self.users[name]
            unit = submitter.org_unit
            kind = self.pick(KIND_WEIGHTS)
            reviewer, head = rng.choice(self.hq_reviewers), self.users["approver"]
        if product_kind not in self.product_kinds:
            product_kind = "other"
        assigner = self.hq_cp if reviewer.username == "hq_reviewer" and rng.random() < 0.5 else None
        product = rng.choice(T.PRODUCTS.get(product_kind, T.PRODUCTS["other"]))
        if kind == "fee_change":
            product = T.FEE_SERVICES.get(product_kind, T.FEE_SERVICES["other"])
        docs = documents_for(kind, product_kind, product, unit.name, rng)
        assert reviewer.pk != submitter.pk and head.pk not in (reviewer.pk, submitter.pk)  # recusal
        launch = timezone.localtime(start).date() + dt.timedelta(days=rng.randint(20, 60))
        return Plan(
            n=n,
            story=story,
            submitter=submitter,
            unit=unit,
            kind=kind,
            product_kind=product_kind,
            product=product,
            track=track,
            reviewer=reviewer,
            assigner=assigner,
            head=head,
            docs=docs,
            start=start,
            planned_launch=launch,
        )

    def build(self, count: int) -> None:
        rng = self.rng
        pinned = PINNED[: max(0, count)]
        past = max(0, count - len(pinned))
        stories = list(PAST_STORIES)[:past]
        stories += [self.pick(PAST_STORIES) for _ in range(past - len(stories))]
        rng.shuffle(stories)
        # created between a year and 25 days ago, on working days
        days = sorted(self.workday(self.today - dt.timedelta(days=rng.randint(25, 362))) for _ in range(past))
        n = itertools.count(1)
        for day, story in zip(days, stories, strict=True):
            track = "urgent" if rng.random() < 0.08 else "normal"
            self.schedule(self.plan(next(n), story, moment(day, rng.uniform(9.0, 16.5)), track))
        for story, ago, track in pinned:
            day = self.workdays_before(self.today, ago)
            self.schedule(self.plan(next(n), story, moment(day, rng.uniform(9.0, 11.0)), track))

    # --- a review's life ------------------------------------------------------------------------------------

    def schedule(self, plan: Plan) -> None:
        """Schedule the plan's steps in order, each a little after the last; stop at the limit."""
        self.plans.append(plan)
        self.result.stories[plan.story] += 1
        story, rng = plan.story, self.rng
        pinned = story.startswith(("open_", "overdue", "draft"))
        slow = story == "late"

        def gap(lo: int = 1, hi: int = 3) -> int:
            if pinned:
                return 1
            if slow:
                return rng.randint(lo + 2, hi + 3)
            return rng.randint(0, 1) if plan.track == "urgent" else rng.randint(lo, hi)

        steps: list[tuple[int, Callable[[Plan], None]]] = [(0, self.create)]
        if story == "draft":
            return self._queue(plan, steps)
        if story == "open_submitted":
            return self._queue(plan, steps)
        if story == "withdraw":
            steps.append((gap(1, 4), self.withdraw))
            return self._queue(plan, steps)
        steps.append((gap(0, 2), self.take))
        if story == "overdue":
            steps.append((gap(1, 2), self.look))
            return self._queue(plan, steps)
        if story in ("extended", "open_extension"):
            steps.append((gap(1, 2) + (5 if pinned else 0), self.extend))
            if story == "open_extension":
                return self._queue(plan, steps)
            steps.append((1, self.approve_extension))
        steps.append((gap(1, 3), self.examine))
        if story == "quick_pass":
            steps.append((0, self.conclude))
            return self._queue(plan, steps + self.after_pass(plan))
        if story == "open_in_review":
            return self._queue(plan, steps)
        steps.append((0, self.issue))
        if story in ("open_answering", "reject_silent", "withdraw_late"):
            if story == "reject_silent":
                steps.append((rng.randint(8, 12), self.reject))
            elif story == "withdraw_late":
                steps.append((gap(2, 4), self.withdraw))
            return self._queue(plan, steps)
        steps.append((gap(1, 3), self.answer))
        if story == "open_answered":
            return self._queue(plan, steps)
        if story == "reject":
            steps.append((gap(1, 2), self.reject))
            return self._queue(plan, steps)
        steps.append((gap(1, 2), self.settle))
        if story in ("escalate_waive", "escalate_uphold", "open_escalated", "open_upheld"):
            if story == "open_escalated":
                return self._queue(plan, steps)
            steps.append((gap(1, 2), self.decide))
            if story in ("escalate_uphold", "open_upheld"):
                steps.append((0, self.issue))
                if story == "open_upheld":
                    return self._queue(plan, steps)
                steps.append((gap(1, 2), self.answer))
                steps.append((gap(1, 1), self.settle))
        steps.append((gap(0, 1), self.conclude))
        return self._queue(plan, steps + self.after_pass(plan))

    def after_pass(self, plan: Plan) -> list[tuple[int, Callable[[Plan], None]]]:
        out: list[tuple[int, Callable[[Plan], None]]] = []
        if plan.kind in ("new_product", "marketing"):
            out.append((-1, self.launch))
            if plan.kind == "marketing" and self.rng.random() < 0.25:
                out.append((self.rng.randint(20, 60), self.withdraw_approval))
        return out

    def _queue(self, plan: Plan, steps: list[tuple[int, Callable[[Plan], None]]]) -> None:
        at = plan.start
        for workdays, run in steps:
            if workdays < 0:  # the launch: on the planned day, or the working day after the pass
                launch = max(plan.planned_launch, timezone.localtime(at).date() + dt.timedelta(days=1))
                at = moment(self.workday(launch), self.rng.uniform(9.0, 11.0))
            elif run is not self.create:
                at = self.after(at, workdays)
            label = f"#{plan.n} {plan.story} {run.__name__}"
            if not self.at(at, functools.partial(run, plan), label):
                return

    # --- the steps (each through the services) ---------------------------------------------------------

    def review(self, plan: Plan) -> Any:
        from xiaobao.review.models import Review

        return Review.objects.select_related("org_unit", "rule", "product_kind").get(pk=plan.review_id)

    def act(self, plan: Plan, actor: User, action: str, **data: Any) -> Any:
        from xiaobao.review.models import Review
        from xiaobao.review.services import review_transition

        # the transition service locks and reads the row itself
        return review_transition(actor=actor, review=Review(pk=plan.review_id), action=action, data=data)

    def create(self, plan: Plan) -> None:
        from xiaobao.review.services import review_create

        rng = self.rng
        files: list[tuple[IO[bytes], str, str]] = [
            (io.BytesIO(docx_bytes(self._first(plan, d), d.table)), d.name, d.title) for d in plan.docs
        ]
        description = rng.choice(
            [
                f"{plan.product}拟于{plan.planned_launch:%Y年%m月}上线，请审查相关材料。",
                f"根据产品上线安排，提交{plan.product}相关材料，请予审查。",
                f"{plan.unit.name}拟使用以下材料，请审查。",
            ]
        )
        if plan.track == "urgent":
            description += "因上线时间紧，申请加急审查。"
        review = review_create(
            actor=plan.submitter,
            data={
                "title": TITLES[plan.kind].format(p=plan.product),
                "kind": plan.kind,
                "product_kind": plan.product_kind,
                "product_name": plan.product,
                "track": plan.track,
                "planned_launch": plan.planned_launch,
                "description": description,
                "org_unit": plan.unit,
            },
            files=files,
            submit=plan.story != "draft",
        )
        plan.review_id = review.pk

    def _first(self, plan: Plan, doc: Doc) -> tuple[str, ...]:
        """Clean stories start from the corrected text (nothing to change), the others from the first."""
        return doc.v2 if plan.story in ("quick_pass", "suggest_pass") else doc.v1

    def take(self, plan: Plan) -> None:
        if plan.assigner is not None:
            self.act(plan, plan.assigner, "assign", reviewer=plan.reviewer.username, note="请审查。")
        else:
            self.act(plan, plan.reviewer, "claim")

    def withdraw(self, plan: Plan) -> None:
        self.act(plan, plan.submitter, "withdraw", reason=self.rng.choice(T.WITHDRAW_REASON))

    def extend(self, plan: Plan) -> None:
        review = self.review(plan)
        days = 5 if review.track == "urgent" else 15
        self.act(plan, plan.reviewer, "extend", to_days=days, reason="材料较多，需征求法律合规部意见。")

    def approve_extension(self, plan: Plan) -> None:
        self.act(plan, plan.head, "approve_extension", note="同意延长。")

    def _findings(self, plan: Plan) -> list[tuple[Any, Any]]:
        """(version, finding) of the pending findings on the current versions."""
        from xiaobao.review.services import version_findings

        out = []
        from xiaobao.review.models import ReviewDocument

        documents = ReviewDocument.objects.filter(review_id=plan.review_id or 0).prefetch_related("versions")
        for document in documents.order_by("position"):
            version = document.current_version()
            if version is not None:
                out += [(version, f) for f in version_findings(version).filter(decision="pending")]
        return out

    def _decide(self, plan: Plan, review: Any, finding: Any, decision: str, note: str = "") -> None:
        from xiaobao.review.services import review_finding_decide

        review_finding_decide(
            actor=plan.reviewer, review=review, finding=finding, decision=decision, note=note
        )

    def _false_alarm(
        self, plan: Plan, review: Any, version: Any, finding: Any, in_order: bool = False
    ) -> bool:
        """Dismiss the finding when it is one of the checker's false alarms in the demo texts (`in_order`: the
        text is one written to be in order, so whatever the checker says of it)."""
        block = next((version.text[b[0] : b[1]] for b in version.blocks if b[0] <= finding.start < b[1]), "")
        note = next((n for phrase, n in T.FALSE_ALARMS.items() if phrase in block), None)
        if note is None and in_order:
            note = T.IN_ORDER.get(finding.label, T.IN_ORDER[""])
        if note is None:
            return False
        self._decide(plan, review, finding, "dismissed", note)
        return True

    def look(self, plan: Plan) -> None:
        """The reviewer starts on the checker's findings (an overdue review got no further)."""
        review = self.review(plan)
        for _version, finding in self._findings(plan)[:2]:
            self._decide(plan, review, finding, "confirmed")

    def examine(self, plan: Plan) -> None:
        """Decide the findings, write opinions from them (one per label) and by hand, per the story."""
        from xiaobao.review.services import opinion_add

        rng, story = self.rng, plan.story
        review = self.review(plan)
        used: set[str] = set()
        written: list[tuple[dict[str, Any], str]] = []
        clean = story in ("quick_pass", "suggest_pass")  # documents written to be in order
        for version, finding in self._findings(plan):
            if self._false_alarm(plan, review, version, finding, in_order=clean):
                continue
            if finding.label in used or len(used) >= 2:
                continue  # covered by an opinion already (left undecided)
            self._decide(plan, review, finding, "confirmed")
            used.add(finding.label)
            severity = "must_change" if finding.severity == "high" or rng.random() < 0.5 else "suggestion"
            body = LABEL_BODY.get(finding.label, "请修改“{x}”。").format(x=finding.excerpt[:30])
            location = next((str(b[2]) for b in version.blocks if b[0] <= finding.start < b[1]), "")
            data = {
                "finding": finding.pk,
                "category": LABEL_CATEGORY.get(finding.label, "other"),
                "severity": severity,
                "body": body,
                "location": location[:100],
            }
            intent = "not_adopted" if story == "reject" else rng.choice(["adopted"] * 5 + ["partly"])
            written.append((data, intent))
        for doc, document in zip(plan.docs, review.documents.order_by("position"), strict=False):
            manual = T.MANUAL_OPINIONS[doc.manual]
            wanted = self._manual_wanted(plan, has_findings=bool(written))
            for category, severity, body, paragraph in rng.sample(manual, min(len(manual), wanted)):
                if story == "suggest_pass" and severity == "must_change":
                    continue
                quote = doc.v1[paragraph - 1] if paragraph <= len(doc.v1) else ""
                data = {
                    "document": document.pk,
                    "category": category,
                    "severity": severity,
                    "body": body,
                    "location": f"第{paragraph}段",
                    "quote": quote[:200],
                }
                written.append((data, self._manual_intent(plan, severity)))
            if len(written) >= 4:
                break
        hard = [i for i, (d, _x) in enumerate(written) if d["severity"] == "must_change"]
        if story in ("waive_pass", "escalate_waive", "escalate_uphold", "open_escalated", "open_upheld"):
            if not hard:  # the story needs a must-change opinion the submitter does not adopt
                category, severity, body, paragraph = T.MANUAL_OPINIONS[plan.docs[0].manual][0]
                written.append(
                    ({"category": category, "severity": "must_change", "body": body}, "not_adopted")
                )
                hard = [len(written) - 1]
            data, _intent = written[hard[-1]]
            follow = {"waive_pass": "accept"}.get(story, "escalate")
            written[hard[-1]] = (data, f"not_adopted:{follow}")
        if not written and story != "quick_pass":
            category, severity, body, paragraph = T.MANUAL_OPINIONS[plan.docs[0].manual][-1]
            written.append(({"category": category, "severity": "suggestion", "body": body}, "adopted"))
        for data, intent in written:
            opinion = opinion_add(actor=plan.reviewer, review=review, data=data)
            plan.intents[opinion.number] = intent

    def _manual_wanted(self, plan: Plan, has_findings: bool) -> int:
        if plan.story == "quick_pass":
            return 0
        if plan.story == "suggest_pass" or not has_findings:
            return self.rng.randint(1, 2)
        return self.rng.choice([0, 0, 1])

    def _manual_intent(self, plan: Plan, severity: str) -> str:
        if plan.story == "reject":
            return "not_adopted"
        if severity == "suggestion":
            return self.rng.choice(
                ["adopted", "adopted", "partly", "not_adopted:leave", "not_adopted:accept"]
            )
        return "adopted"

    def issue(self, plan: Plan) -> None:
        self.act(plan, plan.reviewer, "issue_opinions", note="请逐条答复。")

    def answer(self, plan: Plan) -> None:
        """Upload the corrected versions (when anything was adopted), then answer every opinion."""
        from xiaobao.review.services import opinions_to_answer, version_add

        rng = self.rng
        review = self.review(plan)
        waiting = opinions_to_answer(review)
        rows = []
        for opinion in waiting:
            intent = plan.intents.get(opinion.number, "adopted")
            if opinion.decision == "uphold":
                intent = plan.intents[opinion.number] = "adopted"  # the head upheld it: changed now
            response = {"adopted": "adopted", "partly": "partly_adopted"}.get(intent, "not_adopted")
            note = {
                "adopted": rng.choice(T.ADOPTED),
                "partly_adopted": T.PARTLY.get(opinion.category, T.PARTLY[""]),
                "not_adopted": T.NOT_ADOPTED.get(opinion.category, T.NOT_ADOPTED["other"]),
            }[response]
            rows.append({"opinion": opinion.number, "response": response, "note": note})
        if any(r["response"] != "not_adopted" for r in rows):
            plan.uploads += 1
            for doc, document in zip(plan.docs, review.documents.order_by("position"), strict=False):
                if plan.uploads == 2 and self._first(plan, doc) != doc.v2:
                    text = doc.v2
                elif plan.uploads == 2:
                    text = (*doc.v2, "本版已按审查意见修改。")
                else:
                    text = (*doc.v2, "本版已按部门负责人的决定修改。")
                version_add(
                    actor=plan.submitter,
                    document=document,
                    fileobj=io.BytesIO(docx_bytes(text, doc.table)),
                    name=doc.name.replace(".docx", f"（第{plan.uploads}版）.docx"),
                    note="按审查意见修改。",
                )
        self.act(plan, plan.submitter, "answer", answers=rows, note="已逐条答复。")

    def settle(self, plan: Plan) -> None:
        """Check the new versions: close what was adopted, accept reasons, escalate per the story."""
        rng = self.rng
        review = self.review(plan)
        for version, finding in self._findings(plan):  # the checker on the corrected versions
            self._false_alarm(plan, review, version, finding, in_order=version.number > 1)
        escalate = []
        for opinion in review.opinions.filter(state="answered").order_by("number"):
            intent = plan.intents.get(opinion.number, "adopted")
            if opinion.response in ("adopted", "partly_adopted"):
                self.act(plan, plan.reviewer, "close_opinion", opinion=opinion.number, note="已核对新版本。")
            elif intent.endswith(":accept"):
                note = rng.choice(T.ACCEPT_REASON)
                self.act(plan, plan.reviewer, "accept_reason", opinion=opinion.number, note=note)
            elif intent.endswith(":escalate"):
                escalate.append(opinion.number)
        for number in escalate:
            self.act(plan, plan.reviewer, "escalate", opinion=number, note=rng.choice(T.ESCALATE_NOTE))

    def decide(self, plan: Plan) -> None:
        review = self.review(plan)
        uphold = plan.story in ("escalate_uphold", "open_upheld")
        decision = "uphold" if uphold else "waive"
        rows = [
            {"opinion": o.number, "decision": decision} for o in review.opinions.filter(state="escalated")
        ]
        note = self.rng.choice(T.UPHOLD_NOTE if uphold else T.WAIVE_NOTE)
        self.act(plan, plan.head, "decide_escalation", decisions=rows, note=note)

    def conclude(self, plan: Plan) -> None:
        from xiaobao.review.services import review_conclude

        review = self.review(plan)
        changed = review.opinions.filter(severity="must_change").exists()
        valid_until = None
        if review.material == "marketing" and plan.kind in ("marketing", "new_product", "other"):
            valid_until = localdate() + dt.timedelta(days=self.rng.choice([182, 365]))  # then reviewed again
        review_conclude(
            actor=plan.reviewer,
            review=review,
            conclusion="pass_with_changes" if changed else "pass",
            note="材料已按意见修改，同意使用。" if changed else "经审查，同意。",
            valid_until=valid_until,
        )

    def reject(self, plan: Plan) -> None:
        reason = T.REJECT_REASON[2] if plan.story == "reject_silent" else self.rng.choice(T.REJECT_REASON[:2])
        self.act(plan, plan.reviewer, "reject", reason=reason)

    def launch(self, plan: Plan) -> None:
        self.act(plan, plan.submitter, "record_launch", launched_on=localdate(), note="已上线。")

    def withdraw_approval(self, plan: Plan) -> None:
        from xiaobao.review.approvals import approval_withdraw

        for approval in self.review(plan).approvals.filter(state="active").order_by("pk"):
            approval_withdraw(approval, by=self.hq_cp, reason=self.rng.choice(T.APPROVAL_WITHDRAW_REASON))

    # --- after the replay ---------------------------------------------------------------------------------

    def link_complaints(self) -> int:
        """A few complaints about a product linked to the review of its kind's material (if complaints
        were loaded)."""
        from xiaobao.complaints.models import Complaint
        from xiaobao.review.complaint_link import link_create
        from xiaobao.review.models import ComplaintReviewLink, Review

        wanted = {"B05": "wealth", "B0601": "insurance", "B0303": "credit_card", "B0602": "fund"}
        made = 0
        for code, product_kind in wanted.items():
            review = (
                Review.objects.filter(
                    product_kind__code=product_kind, status__in=["passed", "passed_with_changes"]
                )
                .order_by("concluded_at")
                .first()
            )
            if review is None:
                continue
            complaint = (
                Complaint.objects.filter(business_type__code=code, received_at__gt=review.concluded_at)
                .order_by("received_at")
                .first()
            )
            if complaint is None:
                continue
            at = min(complaint.received_at + dt.timedelta(days=2), self.limit)
            with recording_at(at):
                link = link_create(by=self.hq_cp, complaint=complaint, reference=review.reference)
            ComplaintReviewLink.objects.filter(pk=link.pk).update(created_at=at)
            made += 1
        return made


def _ensure_people() -> None:
    from xiaobao.core.services.accounts import user_create

    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[p[2] for p in PEOPLE])}
    for username, name, unit, role in PEOPLE:
        if not User.objects.filter(username=username).exists() and unit in units:
            user_create(
                actor=None,
                username=username,
                full_name=name,
                org_unit=units[unit],
                roles=[role],
                password=DEMO_PASSWORD,
            )


def _date_rows(since: dt.datetime) -> None:
    """Reviews and opinions carry the times of their steps, not the time of loading."""
    from django.db.models import F, OuterRef, Subquery

    from xiaobao.review.models import Review, ReviewEvent, ReviewExtension, ReviewOpinion

    events = ReviewEvent.objects.filter(item=OuterRef("pk"))
    Review.objects.filter(created_at__gte=since).update(
        created_at=Subquery(events.order_by("at", "id").values("at")[:1]),
        updated_at=Subquery(events.order_by("-at", "-id").values("at")[:1]),
    )
    opinions = list(ReviewOpinion.objects.filter(created_at__lt=since))
    for o in opinions:
        times = [o.created_at, o.responded_at, o.settled_at, o.escalated_at, o.decided_at]
        o.updated_at = max(t for t in times if t is not None)
    ReviewOpinion.objects.bulk_update(opinions, ["updated_at"], batch_size=500)
    ReviewExtension.objects.filter(created_at__lt=since).exclude(decided_at=None).update(
        updated_at=F("decided_at")
    )


def _date_notifications() -> None:
    """Date each notification about a review at the step that sent it (sent on commit, they carry the time of
    loading: the key holds the review's version before the step, i.e. the step's place among its workflow
    steps); those about reviews that are over have been read."""
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.casework.models import Notification
    from xiaobao.casework.notifications import mark_read
    from xiaobao.review.models import Approval, Review, ReviewEvent
    from xiaobao.review.workflow import ACTIONS, WORKFLOW

    ct = ContentType.objects.get_for_model(Review)
    steps: dict[int, list[dt.datetime]] = {}
    rows = ReviewEvent.objects.filter(action__in=list(ACTIONS)).order_by("item_id", "at", "id")
    for item_id, moment_ in rows.values_list("item_id", "at"):
        steps.setdefault(item_id, []).append(moment_)
    withdrawn: dict[int, dt.datetime | None] = dict(
        Approval.objects.exclude(withdrawn_at=None).values_list("pk", "withdrawn_at")
    )
    dated = []
    for n in Notification.objects.filter(content_type=ct):
        parts = n.dedupe_key.split(":")
        at: dt.datetime | None = None
        if parts[0] == "review" and len(parts) >= 3 and parts[2].isdigit():  # review:approval-withdrawn:<pk>
            at = withdrawn.get(int(parts[2]))
        elif len(parts) >= 3 and parts[2].isdigit():
            times = steps.get(n.object_id or 0, [])
            index = int(parts[2]) - 1
            at = times[index] if 0 <= index < len(times) else None
        if at is not None:
            n.created_at = at
            dated.append(n)
    Notification.objects.bulk_update(dated, ["created_at"], batch_size=500)
    ended = Review.objects.filter(status__in=WORKFLOW.group("ended")).values("pk")
    by_user: dict[int, list[int]] = {}
    unread = Notification.objects.filter(content_type=ct, object_id__in=ended, read_at=None)
    for pk, user_id in unread.values_list("pk", "user_id"):
        by_user.setdefault(user_id, []).append(pk)
    for user in User.objects.filter(pk__in=by_user):
        mark_read(user, by_user[user.pk])


def review_demo_load(
    seed: int = 20261123, count: int = DEFAULT_COUNT, today: dt.date | None = None
) -> Result:
    """Plan and replay a year of `count` reviews up to `today` (default: today; see the module docstring).
    Needs the demo bank. One transaction."""
    from xiaobao.review.approvals import approvals_expire
    from xiaobao.review.models import Approval, Review, ReviewOpinion
    from xiaobao.review.services import review_recompute_clocks
    from xiaobao.review.workflow import WORKFLOW

    needed = {"hq_cp", "approver", "retail_responder", "branch1_cp", "branch1_approver"}
    if set(User.objects.filter(username__in=needed).values_list("username", flat=True)) != needed:
        raise RuntimeError("Load the demo bank first (xiaobao demo_load).")
    started, since = time.perf_counter(), timezone.now()
    real_today = timezone.localdate()
    today = today or real_today
    if today == real_today:
        limit = timezone.localtime(timezone.now()) - dt.timedelta(minutes=1)
    else:
        limit = moment(today, 23.9)
    with transaction.atomic():
        _ensure_people()
        demo = Demo(random.Random(seed + 30), today, limit)
        demo.build(count)
        demo.play()
        for review in Review.objects.filter(status__in=WORKFLOW.group("live")).select_related("rule"):
            review_recompute_clocks(review, today=today)
        approvals_expire(now=limit)
        demo.result.links = demo.link_complaints() if count else 0
        _date_rows(since)
    transaction.on_commit(_date_notifications)
    result = demo.result
    result.statuses = Counter(Review.objects.values_list("status", flat=True))
    result.opinions = Counter(ReviewOpinion.objects.values_list("state", flat=True))
    result.opinions["upheld"] = ReviewOpinion.objects.filter(decision="uphold").count()
    result.approvals = Counter(Approval.objects.values_list("state", flat=True))
    result.seconds = time.perf_counter() - started
    return result


# --- what `demo_load` calls (Module.demo / Module.demo_arguments) -----------------------------------------


def arguments(parser: Any) -> None:
    parser.add_argument(
        "--reviews",
        type=int,
        default=DEFAULT_COUNT,
        help=f"Demo consumer-protection reviews over the last year (default {DEFAULT_COUNT}, ≈ 20 s; 0 for "
        "none). Skipped when reviews exist already.",
    )


def load(command: Any, *, seed: int = 20261123, reviews: int = DEFAULT_COUNT, **opts: Any) -> None:
    from xiaobao.review.models import Review

    if reviews <= 0:
        return
    out = command.stdout
    if Review.objects.exists():
        out.write("Demo reviews already loaded.")
        return
    out.write(f"Loading {reviews:,} demo reviews through the review services …")
    r = review_demo_load(seed=seed, count=reviews)

    def fmt(counter: Counter[str]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))

    out.write(
        command.style.SUCCESS(
            f"Demo reviews loaded in {r.seconds:.1f} s: {sum(r.statuses.values())} reviews "
            f"({fmt(r.statuses)}); "
            f"opinions: {fmt(r.opinions)}; approvals: {fmt(r.approvals)}; {r.links} complaint links; "
            f"{r.steps:,} steps."
        )
    )
