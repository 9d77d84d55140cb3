"""Demo governance registers (synthetic): the head office's leadership group and the board's committee, each
branch's leadership group, a year of quarterly meetings with topics, resolutions and action items (most
closed on time, some late, a few overdue and open), a liaison in most units (a few left without, so the gap
list shows something), and 3–5 external supervisors per branch with feedback answered or pending.
Written through the services (events, clocks, audit rows) at the dates they happened."""

from __future__ import annotations

import datetime as dt
import random
from io import BytesIO
from typing import Any

from django.db.models import Q

from xiaobao.core.clock import localdate, recording_at
from xiaobao.core.demo import synthetic_name
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TZ = dt.timezone(dt.timedelta(hours=8))
TOPICS = [
    "上季度投诉情况分析及溯源整改",
    "适老化及无障碍服务改造进展",
    "消费者权益保护审查工作情况",
    "金融知识宣传教育活动安排",
    "个人信息保护专项检查",
    "营销宣传行为合规管理",
    "监管通报问题整改落实",
    "消保考核评价结果运用",
]
ITEMS = [
    "完成投诉热点业务溯源整改",
    "制定网点适老化改造计划",
    "开展营销宣传合规自查",
    "组织个人信息保护培训",
    "报送宣传教育活动总结",
    "修订消保审查工作细则",
    "落实监管通报问题整改",
]
OCCUPATIONS = ["中学教师", "社区工作者", "律师", "退休干部", "个体工商户", "媒体记者", "人大代表"]
FEEDBACK = [
    "网点老年客户等候时间较长，建议增设爱心窗口",
    "部分理财产品宣传材料风险提示字体过小",
    "网点自助设备操作指引不够清晰",
    "客服热线转人工等待时间较长",
    "建议在社区开展防范电信诈骗宣传",
]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


def _people(unit: OrgUnit, perm: str) -> list[User]:
    from django.contrib.auth.models import Permission

    p = Permission.objects.filter(content_type__app_label="governance", codename=perm)
    return list(
        User.objects.filter(is_active=True, org_unit__path__startswith=unit.path)
        .filter(Q(groups__permissions__in=p) | Q(user_permissions__in=p))
        .distinct()
        .order_by("username")
    )


def governance_demo_load(
    *, seed: int = 20261123, year: int = 2026, today: dt.date | None = None
) -> dict[str, int]:
    from xiaobao.governance import services as svc

    rnd = random.Random(seed)
    today = today or localdate()
    counts = {"bodies": 0, "meetings": 0, "items": 0, "liaisons": 0, "supervisors": 0, "feedback": 0}
    head = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if head is None:
        return counts
    branches = list(OrgUnit.objects.filter(parent=head, kind="branch", is_active=True).order_by("path"))
    for unit in [head, *branches]:
        keepers = _people(unit, "manage_governance")
        if not keepers:
            continue
        keeper = next((k for k in keepers if unit_in_scope(k, unit)), None)
        if keeper is None:
            continue
        workers = [u for u in _people(unit, "work_actionitem") if u.pk != keeper.pk] or [keeper]
        kinds = [("leadership_group", f"{unit.name}消费者权益保护工作领导小组")]
        if unit == head:
            kinds.append(("board_committee", "董事会消费者权益保护委员会"))
        for kind, name in kinds:
            with recording_at(_at(dt.date(year - 1, 12, 20))):
                body = svc.body_create(
                    actor=keeper,
                    data={
                        "kind": kind,
                        "org_unit": unit.code,
                        "name": name,
                        "established_on": dt.date(year - 3, 6, 1),
                    },
                )
                roles = (
                    ["leader", "deputy_leader", "member", "member", "secretary"]
                    if kind == "leadership_group"
                    else ["chair", "committee_member", "committee_member", "committee_member"]
                )
                for i, role in enumerate(roles):
                    person = (
                        {"user": keeper.username}
                        if role in ("secretary", "committee_member") and i == len(roles) - 1
                        else {"name": synthetic_name(rnd)}
                    )
                    svc.member_add(
                        actor=keeper,
                        body=body,
                        data={**person, "role": role, "position": "", "term_start": dt.date(year - 1, 1, 1)},
                    )
            counts["bodies"] += 1
            for q in range(4):
                held = dt.date(year, 3 * q + 1, 1) + dt.timedelta(days=rnd.randint(10, 25))
                if held > today:
                    break
                noun = "领导小组" if kind == "leadership_group" else "委员会"
                with recording_at(_at(held)):
                    topics = rnd.sample(TOPICS, 3)
                    seated = svc.members_on(body, held)
                    absent = rnd.choice(seated) if seated and rnd.random() < 0.4 else None
                    meeting = svc.meeting_create(
                        actor=keeper,
                        body=body,
                        data={
                            "held_on": held,
                            "kind": "regular" if q != 2 or kind != "leadership_group" else "special",
                            "title": f"{year}年第{'一二三四'[q]}季度{noun}会议",
                            "place": "第一会议室",
                            "topics": "\n".join(topics),
                            "resolutions": "\n".join(f"关于{t}的决议" for t in topics[:2]),
                            "attendance": {absent.pk: {"present": False, "reason": "出差"}} if absent else {},
                        },
                        minutes=BytesIO(PDF),
                        minutes_name=f"会议纪要{year}Q{q + 1}.pdf",
                    )
                counts["meetings"] += 1
                for title in rnd.sample(ITEMS, 2):
                    owner = rnd.choice(workers)
                    due = held + dt.timedelta(days=rnd.choice([20, 30, 45]))
                    with recording_at(_at(held)):
                        item = svc.action_item_open(
                            actor=keeper,
                            meeting=meeting,
                            data={"title": title, "owner": owner.username, "due_on": due},
                        )
                    counts["items"] += 1
                    _work(svc, item, owner, keeper, due, today, rnd)
        _liaisons(svc, unit, keeper, year, today, rnd, counts)
        if unit != head:
            _supervisors(svc, unit, keeper, workers, year, today, rnd, counts)
    return counts


def _work(
    svc: Any, item: Any, owner: User, keeper: User, due: dt.date, today: dt.date, rnd: random.Random
) -> None:
    """Most items closed on time, some late, a few still open past their due date."""
    fate = rnd.random()
    if fate < 0.15:
        return  # still open (overdue if its due date has passed)
    done = (
        due - dt.timedelta(days=rnd.randint(1, 10))
        if fate < 0.85
        else due + dt.timedelta(days=rnd.randint(2, 9))
    )
    if done > today:
        return
    if owner.pk == keeper.pk:
        return
    with recording_at(_at(done)):
        svc.evidence_add(actor=owner, item=item, fileobj=BytesIO(PDF), name="落实情况报告.pdf")
        item = svc.action_transition(
            actor=owner, item=item, action="submit", data={"result": "已按会议要求落实，报告附后。"}
        )
        svc.action_transition(actor=keeper, item=item, action="close", data={"note": "核实完成"})


def _liaisons(
    svc: Any,
    unit: OrgUnit,
    keeper: User,
    year: int,
    today: dt.date,
    rnd: random.Random,
    counts: dict[str, int],
) -> None:
    units = OrgUnit.objects.filter(path__startswith=unit.path, is_active=True).exclude(kind="department")
    # the head office keeps its own; a branch keeps its own, its sub-branches' and outlets'
    units = (
        units.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))
        if unit.parent_id
        else units.filter(pk=unit.pk)
    )
    for u in units.order_by("path"):
        if u.pk != unit.pk and rnd.random() < 0.1:
            continue  # left without a liaison: the gap list shows it
        with recording_at(_at(dt.date(year, 1, 5))):
            svc.liaison_add(
                actor=keeper,
                data={
                    "org_unit": u.code,
                    "name": synthetic_name(rnd),
                    "phone": f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}",
                    "since": dt.date(year - 1, rnd.randint(1, 12), 1),
                },
            )
        counts["liaisons"] += 1


def _supervisors(
    svc: Any,
    unit: OrgUnit,
    keeper: User,
    workers: list[User],
    year: int,
    today: dt.date,
    rnd: random.Random,
    counts: dict[str, int],
) -> None:
    for _i in range(rnd.randint(3, 5)):
        with recording_at(_at(dt.date(year, 1, 10))):
            sup = svc.supervisor_add(
                actor=keeper,
                data={
                    "org_unit": unit.code,
                    "name": synthetic_name(rnd),
                    "phone": f"13{rnd.randint(0, 999999999):09d}",
                    "occupation": rnd.choice(OCCUPATIONS),
                    "term_start": dt.date(year, 1, 1),
                    "term_end": dt.date(year + 1, 12, 31),
                },
            )
        counts["supervisors"] += 1
        for _j in range(rnd.randint(1, 3)):
            received = dt.date(year, 1, 15) + dt.timedelta(days=rnd.randint(0, 300))
            if received > today:
                continue
            owner = rnd.choice(workers)
            with recording_at(_at(received)):
                f = svc.feedback_add(
                    actor=keeper,
                    supervisor=sup,
                    data={
                        "received_on": received,
                        "channel": rnd.choice(["phone", "letter", "visit", "meeting"]),
                        "content": rnd.choice(FEEDBACK),
                        "owner": owner.username,
                    },
                )
            counts["feedback"] += 1
            answered = received + dt.timedelta(days=rnd.randint(5, 25))
            if answered <= today and rnd.random() < 0.8 and owner.pk != keeper.pk:
                item = f.action_item
                with recording_at(_at(answered)):
                    item = svc.action_transition(
                        actor=owner,
                        item=item,
                        action="submit",
                        data={"result": "已核实情况并回复监督员，相关网点已整改。"},
                    )
                    svc.action_transition(actor=keeper, item=item, action="close", data={})


def load(command: Any, *, seed: int = 20261123, **opts: Any) -> None:
    from xiaobao.governance.models import Body

    out = command.stdout
    if Body.objects.exists():
        out.write("Demo governance registers already loaded.")
        return
    out.write("Loading the governance registers (bodies, meetings, action items, liaisons, supervisors) …")
    counts = governance_demo_load(seed=seed)
    out.write(
        command.style.SUCCESS("Demo governance loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    )
