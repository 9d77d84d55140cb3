"""Demo policy catalogue (`Module.demo`): ~25 policies of head office and two branches with three years of
history — enacted, revised (some twice), a few repealed, one revision awaiting approval — their clauses mapped
to the preloaded regulations' articles (a few articles left uncovered on purpose), and some policies past
their review period. Written through the services, each approval at its own moment (`recording_at`)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

# (number, title, owner department, level unit, [(regulation code, article number)], higher rule)
CATALOGUE: list[tuple[str, str, str, str, list[tuple[str, str]], str]] = [
    (
        "XB-CP-001",
        "消费者权益保护工作管理办法",
        "消费者权益保护部",
        "HO",
        [("cbirc-consumer-protection-2022", "第七条"), ("cbirc-consumer-protection-2022", "第八条")],
        "银行保险机构消费者权益保护管理办法",
    ),
    (
        "XB-CP-002",
        "消费投诉处理管理办法",
        "消费者权益保护部",
        "HO",
        [
            ("nfra-complaints-2020", "第七条"),
            ("nfra-complaints-2020", "第十八条"),
            ("nfra-complaints-2020", "第十九条"),
            ("nfra-complaints-2020", "第二十一条"),
        ],
        "银行业保险业消费投诉处理管理办法",
    ),
    (
        "XB-CP-003",
        "投诉处理核查管理细则",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第二十条")],
        "银行业保险业消费投诉处理管理办法",
    ),
    (
        "XB-CP-004",
        "重大消费投诉应急预案",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第二十九条")],
        "银行业保险业消费投诉处理管理办法",
    ),
    (
        "XB-CP-005",
        "消费者权益保护审查实施细则",
        "消费者权益保护部",
        "HO",
        [("cbirc-consumer-protection-2022", "第九条"), ("suitability-2025", "第八条")],
        "银行保险机构消费者权益保护管理办法",
    ),
    (
        "XB-CP-006",
        "消费投诉统计分析与溯源整改办法",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第二十六条")],
        "银行业保险业消费投诉处理管理办法",
    ),
    (
        "XB-CP-007",
        "消费者权益保护考核评价办法",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第二十七条"), ("suitability-2025", "第十六条")],
        "",
    ),
    (
        "XB-CP-008",
        "消费者权益保护信息披露管理办法",
        "消费者权益保护部",
        "HO",
        [("cbirc-consumer-protection-2022", "第十条"), ("nfra-complaints-2020", "第八条")],
        "",
    ),
    ("XB-CP-009", "金融知识宣传教育工作管理办法", "消费者权益保护部", "HO", [], ""),
    (
        "XB-CP-010",
        "消费者权益保护培训管理办法",
        "人力资源部",
        "HO",
        [("pboc-consumer-protection-2020", "培训（条号待核实）")],
        "",
    ),
    (
        "XB-RT-001",
        "个人金融产品适当性管理办法",
        "个人金融部",
        "HO",
        [
            ("cbirc-consumer-protection-2022", "第十一条"),
            ("suitability-2025", "第二十二条"),
            ("suitability-2025", "第二十九条"),
        ],
        "金融机构产品适当性管理办法",
    ),
    (
        "XB-RT-002",
        "营业网点销售专区录音录像管理办法",
        "个人金融部",
        "HO",
        [("bank-sales-recording-2017", "第二条"), ("suitability-2025", "第十七条")],
        "",
    ),
    (
        "XB-RT-003",
        "营销宣传行为管理办法",
        "个人金融部",
        "HO",
        [
            ("advertising-law-2021", "第四条"),
            ("advertising-law-2021", "第二十五条"),
            ("wm-sales-2021", "第二十五条"),
        ],
        "中华人民共和国广告法",
    ),
    (
        "XB-RT-004",
        "代理保险业务销售管理办法",
        "个人金融部",
        "HO",
        [("insurance-sales-2023", "第十七条"), ("insurance-traceability-2017", "第六条")],
        "保险销售行为管理办法",
    ),
    ("XB-RT-005", "老年客户服务与适老化管理办法", "个人金融部", "HO", [("suitability-2025", "第十八条")], ""),
    (
        "XB-IT-001",
        "个人金融信息保护管理办法",
        "信息科技部",
        "HO",
        [
            ("pipl-2021", "第五条"),
            ("pipl-2021", "第十七条"),
            ("pipl-2021", "第二十八条"),
            ("pipl-2021", "第五十一条"),
        ],
        "中华人民共和国个人信息保护法",
    ),
    (
        "XB-IT-002",
        "个人信息安全事件应急处置办法",
        "信息科技部",
        "HO",
        [("pipl-2021", "第五十七条")],
        "中华人民共和国个人信息保护法",
    ),
    (
        "XB-IT-003",
        "网络日志留存管理规定",
        "信息科技部",
        "HO",
        [("cybersecurity-law-2016", "第二十一条第三项")],
        "中华人民共和国网络安全法",
    ),
    (
        "XB-CP-011",
        "投诉接待场所录音录像管理规定",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第七条")],
        "",
    ),
    (
        "XB-CP-012",
        "合作机构消费者权益保护管理办法",
        "消费者权益保护部",
        "HO",
        [("nfra-complaints-2020", "第十条")],
        "",
    ),
    (
        "B01-CP-001",
        "北京分行消费投诉处理实施细则",
        "消费者权益保护办公室",
        "B01",
        [("nfra-complaints-2020", "第十二条"), ("nfra-complaints-2020", "第十三条")],
        "总行《消费投诉处理管理办法》",
    ),
    (
        "B01-CP-002",
        "北京分行网点投诉接待规范",
        "消费者权益保护办公室",
        "B01",
        [("nfra-complaints-2020", "第十四条")],
        "",
    ),
    ("B01-CP-003", "北京分行金融知识宣传工作细则", "消费者权益保护办公室", "B01", [], ""),
    (
        "B02-CP-001",
        "上海分行消费投诉处理实施细则",
        "消费者权益保护办公室",
        "B02",
        [("nfra-complaints-2020", "第十五条"), ("nfra-complaints-2020", "第十七条")],
        "总行《消费投诉处理管理办法》",
    ),
    (
        "B02-CP-002",
        "上海分行营销宣传审核细则",
        "消费者权益保护办公室",
        "B02",
        [("insurance-sales-2023", "第十八条")],
        "",
    ),
]
REPEALED = {"XB-CP-011", "B01-CP-003"}  # merged into others
REVISED_TWICE = {"XB-CP-002", "XB-RT-003", "XB-IT-001"}
NOT_REVISED = {
    "XB-CP-004",
    "XB-CP-010",
    "XB-IT-003",
    "B02-CP-002",
    "XB-CP-012",
}  # some of them due for review
PENDING = "XB-RT-001"  # a revision drafted, awaiting approval
REASONS_REVISE = [
    "根据《金融机构产品适当性管理办法》（金融监管总局令2025年第7号）调整相关条款",
    "根据监管检查意见完善投诉处理时限和告知要求",
    "年度制度评估：明确职责分工，优化流程",
    "机构改革后调整牵头部门和职责",
    "落实监管评价发现问题整改要求",
]
REASONS_REPEAL = {
    "XB-CP-011": "相关内容已并入《消费投诉处理管理办法》，本规定废止",
    "B01-CP-003": "总行《金融知识宣传教育工作管理办法》已覆盖，分行细则废止",
}
GENERIC = [
    "各级机构应明确分管负责人和牵头部门，落实工作职责。",
    "相关部门应建立工作台账，按季度报送工作情况。",
    "违反本办法的，按照本行问责管理规定追究相关人员责任。",
    "本办法由{owner}负责解释。",
    "本办法自印发之日起施行。",
]


def _clauses(title: str, owner: str, articles: list[Any]) -> list[dict[str, Any]]:
    cn = "一二三四五六七八九十"
    subject = title
    for word in ("办法", "细则", "规定", "规范"):
        subject = subject.replace(word, "")
    body = [f"为规范{subject}工作，根据有关法律法规和监管规定，制定本办法。"]
    body += [f"{a.summary}本行据此建立相应机制并组织实施。" for a in articles]
    body += [g.format(owner=owner) for g in GENERIC]
    out = []
    for i, text in enumerate(body, 1):
        number = f"第{cn[i - 1]}条" if i <= 10 else f"第十{cn[i - 11]}条"
        out.append(
            {
                "number": number,
                "text": text,
                "article": articles[i - 2] if 2 <= i < 2 + len(articles) else None,
            }
        )
    return out


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def policies_demo_load(*, seed: int = 20261123) -> dict[str, int]:
    from xiaobao.core.clock import localdate, recording_at
    from xiaobao.core.models import User
    from xiaobao.policies.models import Policy, PolicyVersion, RegulationArticle
    from xiaobao.policies.services import (
        mapping_add,
        policy_create,
        policy_mark_reviewed,
        repeal_draft,
        revision_draft,
        version_approve,
    )

    rng = random.Random(seed)
    today = localdate()
    hq = User.objects.filter(username="hq_cp").first()
    branch = {
        "B01": User.objects.filter(username="branch1_cp").first(),
        "B02": User.objects.filter(username="branch2_cp").first(),
    }
    # the four-eyes rule: the unit's approver (demo users "approver", "branchN_approver") approves
    approvers = {
        "HO": User.objects.filter(username="approver").first(),
        "B01": User.objects.filter(username="branch1_approver").first(),
        "B02": User.objects.filter(username="branch2_approver").first(),
    }
    ho_approver = approvers["HO"]
    if hq is None or ho_approver is None:
        return {"policies": 0}
    articles = {
        (a.regulation.code, a.number): a for a in RegulationArticle.objects.select_related("regulation")
    }
    start = today - dt.timedelta(days=3 * 365)
    counts = {"policies": 0, "versions": 0}
    with transaction.atomic():
        for idx, (number, title, owner, unit, refs, higher) in enumerate(CATALOGUE):
            actor = hq if unit == "HO" else branch.get(unit) or hq
            approver = (approvers.get(unit) if actor is not hq else None) or ho_approver
            arts = [articles[r] for r in refs if r in articles]
            clauses = _clauses(title, owner, arts)
            enacted = start + dt.timedelta(days=rng.randint(0, 300) + (idx % 5) * 20)
            year = enacted.year
            with recording_at(_at(enacted)):
                policy = policy_create(
                    actor=actor,
                    data={
                        "org_unit": unit,
                        "number": number,
                        "title": title,
                        "document_number": f"晓宝银发〔{year}〕{10 + idx}号"
                        if unit == "HO"
                        else f"晓宝{unit}发〔{year}〕{idx}号",
                        "owner_department": owner,
                        "higher_rule": higher,
                        "effective_on": enacted,
                        "reason": "落实监管要求，建立健全相关工作机制" if refs else "规范本行相关工作",
                        "clauses": [{"number": c["number"], "text": c["text"]} for c in clauses],
                    },
                )
                v1 = policy.versions.get()
                for c in clauses:
                    if c["article"] is not None:
                        mapping_add(
                            actor=actor, clause=v1.clauses.get(number=c["number"]), article_id=c["article"].pk
                        )
                version_approve(actor=approver, version=v1, approved_on=enacted)
            counts["policies"] += 1
            counts["versions"] += 1
            policy.refresh_from_db()
            day = enacted
            rounds = (
                0 if number in NOT_REVISED or number in REPEALED else (2 if number in REVISED_TWICE else 1)
            )
            for r in range(rounds):
                day = min(
                    day + dt.timedelta(days=rng.randint(200, 420)),
                    today - dt.timedelta(days=rng.randint(5, 60)),
                )
                assert policy.last_reviewed_on is not None and policy.current_version is not None
                if day <= policy.last_reviewed_on:
                    break
                with recording_at(_at(day)):
                    current = list(policy.current_version.clauses.all())
                    new = [{"number": c.number, "text": c.text} for c in current]
                    new[-2]["text"] = f"本办法由{owner}负责解释和修订。"
                    if r == 1:
                        new.insert(-2, {"number": "新增", "text": "各级机构应每年开展一次制度执行情况自查。"})
                    cn = "一二三四五六七八九十"
                    for i, c in enumerate(new, 1):
                        c["number"] = f"第{cn[i - 1]}条" if i <= 10 else f"第十{cn[i - 11]}条"
                    draft = revision_draft(
                        actor=actor,
                        policy=policy,
                        data={
                            "reason": rng.choice(REASONS_REVISE),
                            "effective_on": day,
                            "clauses": new,
                            "document_number": f"晓宝银发〔{day.year}〕{30 + idx + r}号",
                        },
                    )
                    version_approve(actor=approver, version=draft, approved_on=day)
                counts["versions"] += 1
                policy.refresh_from_db()
            if number in REPEALED:
                day = today - dt.timedelta(days=rng.randint(20, 120))
                with recording_at(_at(day)):
                    draft = repeal_draft(
                        actor=actor,
                        policy=policy,
                        data={"reason": REASONS_REPEAL[number], "effective_on": day},
                    )
                    version_approve(actor=approver, version=draft, approved_on=day)
                counts["versions"] += 1
            elif (
                number not in NOT_REVISED
                and rng.random() < 0.4
                and (policy.last_reviewed_on or today) < today - dt.timedelta(days=120)
            ):
                day = today - dt.timedelta(days=rng.randint(10, 100))
                with recording_at(_at(day)):
                    policy_mark_reviewed(
                        actor=actor,
                        policy=policy,
                        data={"reviewed_on": day, "note": "年度制度评估，暂无需修订"},
                    )
            if number == PENDING:
                policy.refresh_from_db()
                with recording_at(_at(today - dt.timedelta(days=3))):
                    revision_draft(
                        actor=actor,
                        policy=policy,
                        data={
                            "reason": "根据金融监管总局令2025年第7号修订适当性管理要求",
                            "effective_on": today + dt.timedelta(days=30),
                        },
                    )
    counts["in_force"] = Policy.objects.filter(status__in=["in_force", "revised"]).count()
    counts["drafts"] = PolicyVersion.objects.filter(approved_at__isnull=True).count()
    return counts


def load(command: Any, **opts: Any) -> None:
    from xiaobao.policies.models import Policy

    out = command.stdout
    if Policy.objects.exists():
        out.write("Demo policies already loaded.")
        return
    r = policies_demo_load(seed=opts.get("seed", 20261123) or 20261123)
    out.write(
        command.style.SUCCESS(
            f"Demo policy catalogue loaded: {r['policies']} policies, {r.get('versions', 0)} versions "
            f"({r.get('drafts', 0)} awaiting approval)."
        )
    )
