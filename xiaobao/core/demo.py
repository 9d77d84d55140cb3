"""A believable, entirely synthetic demo bank. Names and ID numbers are generated (valid check digits,
not real people). Other modules add their demo data by extending `demo_load`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from xiaobao.core.models import OrgUnit
from xiaobao.core.services.accounts import user_create
from xiaobao.core.services.consumers import ID_CHECK, ID_WEIGHTS, consumer_create
from xiaobao.core.services.org import org_figures_set, org_unit_create

DEMO_PASSWORD = "Xiaobao-demo-2026"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁晨欣怡佳琪"

BRANCHES = [
    # code, name, region (GB/T 2260), sub-branches with outlets
    (
        "B01",
        "北京分行",
        "110000",
        [
            ("B01-01", "海淀支行", "110108", ["中关村", "五道口", "学院路", "上地"]),
            ("B01-02", "朝阳支行", "110105", ["国贸", "望京", "三里屯"]),
        ],
    ),
    (
        "B02",
        "上海分行",
        "310000",
        [
            ("B02-01", "浦东支行", "310115", ["陆家嘴", "张江", "金桥", "世纪公园"]),
            ("B02-02", "徐汇支行", "310104", ["徐家汇", "漕河泾", "龙华"]),
        ],
    ),
    (
        "B03",
        "广州分行",
        "440100",
        [
            ("B03-01", "天河支行", "440106", ["珠江新城", "体育中心", "岗顶"]),
            ("B03-02", "越秀支行", "440104", ["北京路", "东山口", "农林下路"]),
        ],
    ),
]
HO_DEPARTMENTS = [
    ("HO-CPD", "消费者权益保护部"),
    ("HO-RET", "零售银行部"),
    ("HO-CARD", "信用卡中心"),
    ("HO-WM", "财富管理部"),
    ("HO-AUD", "内部审计部"),
    ("HO-IT", "信息科技部"),
]


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


def synthetic_id_number(rng: random.Random, region: str) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 64 * 365))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def synthetic_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def synthetic_phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "177", "199"]) + f"{rng.randrange(0, 10**8):08d}"


def synthetic_account(rng: random.Random) -> str:
    return "6222" + "".join(str(rng.randrange(10)) for _ in range(15))


def _build_tree(rng: random.Random) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    mk = org_unit_create
    ho = units["HO"] = mk(
        actor=None, code="HO", name="晓宝银行总行", kind="head_office", parent=None, region_code="110000"
    )
    for code, name in HO_DEPARTMENTS:
        units[code] = mk(actor=None, code=code, name=name, kind="department", parent=ho)
    for b_code, b_name, region, subs in BRANCHES:
        branch = units[b_code] = mk(
            actor=None, code=b_code, name=b_name, kind="branch", parent=ho, region_code=region
        )
        units[f"{b_code}-CP"] = mk(
            actor=None, code=f"{b_code}-CP", name="消费者权益保护办公室", kind="department", parent=branch
        )
        for s_code, s_name, s_region, outlets in subs:
            sub = units[s_code] = mk(
                actor=None, code=s_code, name=s_name, kind="sub_branch", parent=branch, region_code=s_region
            )
            for i, o_name in enumerate(outlets, start=1):
                code = f"{s_code}-{i:02d}"
                units[code] = mk(
                    actor=None,
                    code=code,
                    name=f"{o_name}网点",
                    kind="outlet",
                    parent=sub,
                    region_code=s_region,
                )
    for year in (2025, 2026):
        for b_code, *_ in BRANCHES:
            outlet_count = OrgUnit.objects.subtree(units[b_code]).filter(kind="outlet").count()
            org_figures_set(
                actor=None,
                unit=units[b_code],
                year=year,
                retail_customers=rng.randrange(800_000, 2_500_000),
                outlets=outlet_count,
            )
    return units


def _users(units: dict[str, OrgUnit]) -> list[DemoLogin]:
    plan = [
        ("admin", "周建国", "HO-IT", "sysadmin"),
        ("hq_cp", "林晓雯", "HO-CPD", "hq_cp_officer"),
        ("hq_handler", "陈思远", "HO-CPD", "complaint_handler"),
        ("approver", "郑国华", "HO", "approver"),
        ("auditor", "孙慧敏", "HO-AUD", "auditor"),
        ("retail_responder", "何立新", "HO-RET", "business_responder"),
    ]
    staff = iter(["赵敏", "钱磊", "吴海峰", "刘佳琪", "黄志强", "杨帆", "许静", "马超", "冯雪梅"])
    for n, (b_code, _b_name, *_rest) in enumerate(BRANCHES, start=1):
        plan.append((f"branch{n}_cp", next(staff), b_code, "branch_cp_officer"))
        plan.append((f"branch{n}_handler", next(staff), b_code, "complaint_handler"))
        plan.append((f"branch{n}_approver", next(staff), b_code, "approver"))
    # a member of an outlet's staff: reports its education activities on a phone, keeps its facilities list
    first_outlet = f"{BRANCHES[0][3][0][0]}-01"
    plan.append(("outlet1_staff", "周小燕", first_outlet, "complaint_handler"))
    logins = []
    for username, full_name, unit_code, role in plan:
        user_create(
            actor=None,
            username=username,
            full_name=full_name,
            org_unit=units[unit_code],
            roles=[role],
            password=DEMO_PASSWORD,
        )
        logins.append(DemoLogin(username, role, units[unit_code].name))
    return logins


def _consumers(rng: random.Random, units: dict[str, OrgUnit], count: int) -> None:
    outlets = [u for u in units.values() if u.kind == "outlet"]
    streets = ["中关村大街", "陆家嘴环路", "天河路", "建国路", "南京西路", "环市东路"]
    for _ in range(count):
        unit = rng.choice(outlets)
        consumer_create(
            actor=None,
            org_unit=unit,
            name=synthetic_name(rng),
            id_number=synthetic_id_number(rng, unit.region_code or "110101"),
            phone=synthetic_phone(rng),
            account_number=synthetic_account(rng),
            address=f"{rng.choice(streets)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}单元",
        )


@transaction.atomic
def demo_load(seed: int = 20261123, consumers: int = 60) -> list[DemoLogin]:
    rng = random.Random(seed)
    units = _build_tree(rng)
    logins = _users(units)
    _consumers(rng, units, consumers)
    return logins
