"""A fee catalogue for the demo bank, through the services.

About thirty services across the categories, most of them the head office's (institution-wide), a few of the
Beijing and Shanghai branches (safe-deposit boxes). Many have two or three past versions — the fee waivers
of recent years (small-balance account fees, debit card annual fees, SMS alerts, mobile transfers), each
recorded at its own time without a fee review (the catalogue as it stood before it was kept here). Two
recent changes go the real way: one through a fee review that passed and is published to take effect next
month (an announced change on the public page), one still waiting in its fee review. The fee amounts are
illustrative, in the style of Chinese banks' published price lists, not any bank's actual prices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xiaobao.core.clock import localdate, recording_at

# (code, category, service, unit code ("" = head office), versions: [(effective from, fee, amount, per,
# basis, discounts)], basis document)
HO_DOC = "《晓宝银行服务价格目录》"
GOV_DOC = "《商业银行服务价格管理办法》（银监会、国家发展改革委令2014年第1号）"
V = tuple[str, str, str | None, str, str, str]
CATALOGUE: list[tuple[str, str, str, str, list[V], str]] = [
    ("ZH-001", "account", "个人结算账户开户", "", [("2019-01-01", "免费", None, "", "market", "")], HO_DOC),
    (
        "ZH-002",
        "account",
        "小额账户管理费",
        "",
        [
            (
                "2019-01-01",
                "日均余额低于300元的账户每季3元",
                "3.00",
                "元/季",
                "market",
                "代发工资、社保账户免收",
            ),
            ("2022-01-01", "免收", None, "", "market", "全面免收"),
        ],
        HO_DOC,
    ),
    (
        "ZH-003",
        "account",
        "存折、存单挂失",
        "",
        [
            ("2019-01-01", "每次10元", "10.00", "元/次", "market", ""),
            ("2024-07-01", "每次5元", "5.00", "元/次", "market", "60周岁以上客户免收"),
        ],
        HO_DOC,
    ),
    (
        "ZH-004",
        "account",
        "存款证明",
        "",
        [("2019-01-01", "每份20元", "20.00", "元/份", "market", "")],
        HO_DOC,
    ),
    (
        "ZH-005",
        "account",
        "对账单补打",
        "",
        [
            ("2019-01-01", "每页2元", "2.00", "元/页", "market", ""),
            ("2023-03-01", "近一年内免费，一年以前每页1元", None, "", "market", "手机银行电子对账单免费"),
        ],
        HO_DOC,
    ),
    ("ZH-006", "account", "账户密码重置", "", [("2019-01-01", "免费", None, "", "market", "")], HO_DOC),
    (
        "ZZ-001",
        "transfer",
        "柜台跨行转账（人民币）",
        "",
        [
            (
                "2019-01-01",
                "1万元（含）以下每笔5元；1万至10万元每笔10元；10万至50万元每笔15元；50万至100万元每笔20元；"
                "100万元以上按0.002%收取，最高200元",
                None,
                "",
                "guided",
                "",
            )
        ],
        GOV_DOC,
    ),
    (
        "ZZ-002",
        "transfer",
        "手机银行跨行转账",
        "",
        [
            ("2019-01-01", "每笔按金额0.1%，最低1元，最高25元", None, "", "market", "每月前5笔免费"),
            ("2021-01-01", "免费", None, "", "market", ""),
        ],
        HO_DOC,
    ),
    ("ZZ-003", "transfer", "网上银行跨行转账", "", [("2019-01-01", "免费", None, "", "market", "")], HO_DOC),
    ("ZZ-004", "transfer", "同城本行转账", "", [("2019-01-01", "免费", None, "", "market", "")], HO_DOC),
    (
        "ZZ-005",
        "transfer",
        "境外汇款手续费",
        "",
        [
            ("2019-01-01", "汇款金额的0.1%，最低50元，最高260元", None, "", "market", ""),
            ("2024-01-01", "汇款金额的0.08%，最低40元，最高200元", None, "", "market", "留学汇款手续费五折"),
        ],
        HO_DOC,
    ),
    (
        "ZZ-006",
        "transfer",
        "境外汇款电讯费",
        "",
        [("2019-01-01", "每笔150元", "150.00", "元/笔", "market", "")],
        HO_DOC,
    ),
    (
        "YK-001",
        "card",
        "借记卡年费",
        "",
        [
            ("2019-01-01", "每卡每年10元", "10.00", "元/年", "market", "每户首张卡免收"),
            ("2022-01-01", "每卡每年5元", "5.00", "元/年", "market", "每户首张卡及社保卡免收"),
        ],
        HO_DOC,
    ),
    (
        "YK-002",
        "card",
        "借记卡工本费",
        "",
        [("2019-01-01", "每卡5元", "5.00", "元/卡", "market", "")],
        HO_DOC,
    ),
    (
        "YK-003",
        "card",
        "ATM跨行取款（境内）",
        "",
        [
            ("2019-01-01", "每笔4元", "4.00", "元/笔", "market", ""),
            ("2023-01-01", "每笔2元", "2.00", "元/笔", "market", "每月前3笔免费"),
        ],
        HO_DOC,
    ),
    (
        "YK-004",
        "card",
        "境外ATM取款",
        "",
        [("2019-01-01", "每笔12元", "12.00", "元/笔", "market", "")],
        HO_DOC,
    ),
    (
        "YK-005",
        "card",
        "借记卡补卡、换卡",
        "",
        [("2019-01-01", "每卡5元", "5.00", "元/卡", "market", "到期换卡免费")],
        HO_DOC,
    ),
    (
        "YK-006",
        "card",
        "信用卡预借现金手续费",
        "",
        [("2019-01-01", "取现金额的1%，最低10元", None, "", "market", "")],
        "《晓宝银行信用卡章程》",
    ),
    (
        "YK-007",
        "card",
        "信用卡普卡年费",
        "",
        [
            (
                "2019-01-01",
                "主卡每年100元，附属卡每年50元",
                None,
                "",
                "market",
                "首年免年费；年刷卡满6次免次年年费",
            ),
            (
                "2025-01-01",
                "主卡每年80元，附属卡每年40元",
                None,
                "",
                "market",
                "首年免年费；年刷卡满5次免次年年费",
            ),
        ],
        "《晓宝银行信用卡章程》",
    ),
    (
        "DZ-001",
        "ebanking",
        "短信动账通知",
        "",
        [
            ("2019-01-01", "每月2元", "2.00", "元/月", "market", ""),
            ("2021-07-01", "每月1元", "1.00", "元/月", "market", "60周岁以上客户免收"),
            ("2024-01-01", "免收", None, "", "market", ""),
        ],
        HO_DOC,
    ),
    (
        "DZ-002",
        "ebanking",
        "U盾（USBKey）工本费",
        "",
        [("2019-01-01", "每个40元", "40.00", "元/个", "market", "")],
        HO_DOC,
    ),
    (
        "DZ-003",
        "ebanking",
        "动态令牌工本费",
        "",
        [
            ("2019-01-01", "每个20元", "20.00", "元/个", "market", ""),
            ("2022-07-01", "每个10元", "10.00", "元/个", "market", ""),
        ],
        HO_DOC,
    ),
    (
        "DK-001",
        "credit",
        "个人贷款资信证明",
        "",
        [("2019-01-01", "每份50元", "50.00", "元/份", "market", "")],
        HO_DOC,
    ),
    (
        "DK-002",
        "credit",
        "个人住房贷款提前还款",
        "",
        [
            ("2019-01-01", "提前还款金额的1%", None, "", "market", "贷款满一年免收"),
            ("2024-01-01", "免收", None, "", "market", ""),
        ],
        HO_DOC,
    ),
    ("DL-001", "agency", "代收水电燃气费", "", [("2019-01-01", "免费", None, "", "market", "")], HO_DOC),
    (
        "DL-002",
        "agency",
        "代理实物贵金属回购",
        "",
        [("2019-01-01", "每克3元", "3.00", "元/克", "market", "")],
        HO_DOC,
    ),
    ("QT-001", "other", "残损人民币兑换", "", [("2019-01-01", "免费", None, "", "guided", "")], GOV_DOC),
    ("QT-002", "other", "硬币兑换", "", [("2019-01-01", "免费", None, "", "guided", "")], GOV_DOC),
    (
        "QT-003",
        "other",
        "银行本票",
        "",
        [("2019-01-01", "手续费每笔1元，工本费每张0.4元", None, "", "guided", "")],
        GOV_DOC,
    ),
    (
        "BJ-001",
        "agency",
        "保管箱租金（小号）",
        "B01",
        [
            ("2020-01-01", "每年300元", "300.00", "元/年", "market", ""),
            ("2023-01-01", "每年360元", "360.00", "元/年", "market", "60周岁以上客户八折"),
        ],
        "北京分行保管箱业务收费公告",
    ),
    (
        "BJ-002",
        "agency",
        "保管箱租金（中号）",
        "B01",
        [("2020-01-01", "每年600元", "600.00", "元/年", "market", "")],
        "北京分行保管箱业务收费公告",
    ),
    (
        "SH-001",
        "agency",
        "保管箱租金（小号）",
        "B02",
        [("2021-01-01", "每年400元", "400.00", "元/年", "market", "")],
        "上海分行保管箱业务收费公告",
    ),
]


def _at(day: str | dt.date) -> dt.datetime:
    """The working morning before a version took effect: when it was published (announced)."""
    d = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return timezone.make_aware(dt.datetime.combine(d - dt.timedelta(days=30), dt.time(9, 30)))


def _data(v: V, doc: str, reason: str = "") -> dict[str, Any]:
    since, fee, amount, per, basis, discounts = v
    return {
        "fee": fee,
        "amount": amount or "",
        "amount_unit": per,
        "basis": basis,
        "basis_document": doc,
        "discounts": discounts,
        "reason": reason,
        "effective_from": since,
    }


def fees_demo_load(today: dt.date | None = None) -> dict[str, int]:
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.fees.services import (
        fee_change_draft,
        fee_change_submit,
        fee_item_create,
        fee_publish_recorded,
    )

    today = today or localdate()
    hq = User.objects.get(username="hq_cp")
    preparer = User.objects.filter(username="retail_responder").first() or hq
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["HO", "B01", "B02"])}
    branch_preparers = {
        code: User.objects.filter(username=name).first() or hq
        for code, name in (("B01", "branch1_cp"), ("B02", "branch2_cp"))
    }
    items = {}
    versions = 0
    for order, (code, category, name, unit_code, history, doc) in enumerate(CATALOGUE, start=1):
        actor = branch_preparers.get(unit_code, preparer)
        first, *later = history
        with recording_at(_at(first[0])):
            item = fee_item_create(
                actor=actor,
                data={
                    "code": code,
                    "name": name,
                    "category": category,
                    "org_unit": units[unit_code or "HO"],
                    "order": order,
                    **_data(first, doc),
                },
            )
            fee_publish_recorded(actor=hq, version=item.versions.get())
        for v in later:
            with recording_at(_at(v[0])):
                draft = fee_change_draft(actor=actor, item=item, data=_data(v, doc, "价格调整"))
                fee_publish_recorded(actor=hq, version=draft)
        versions += len(history)
        items[code] = item
    reviewed = _through_review(items, preparer, hq, today, fee_change_draft, fee_change_submit)
    return {"items": len(items), "versions": versions + reviewed}


def _through_review(
    items: dict[str, Any], preparer: Any, hq: Any, today: dt.date, draft: Any, submit: Any
) -> int:
    """Two changes the real way: the debit card annual fee waived (its fee review passed: published, in
    force from the first of next month) and the overseas ATM fee lowered (waiting in its fee review)."""
    from xiaobao.review.services import review_conclude, review_transition

    if not preparer.has_perm("review.submit_review"):
        return 0
    first_of_next = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    waiver = draft(
        actor=preparer,
        item=items["YK-001"],
        data={
            **_data((first_of_next.isoformat(), "免收", None, "", "market", ""), HO_DOC),
            "reason": "落实减费让利要求，借记卡年费全面免收",
        },
    )
    waiver = submit(actor=preparer, version=waiver, note="减费让利")
    review = review_transition(actor=hq, review=waiver.review, action="claim", data={})
    review_conclude(actor=hq, review=review, conclusion="pass", note="收费依据充分，已提前公示。")
    # the review app tells this app on commit (review_concluded); outside a transaction that is now
    lowered_from = first_of_next + dt.timedelta(days=60)
    pending = draft(
        actor=preparer,
        item=items["YK-004"],
        data={
            **_data((lowered_from.isoformat(), "每笔10元", "10.00", "元/笔", "market", ""), HO_DOC),
            "reason": "境外ATM取款手续费下调",
        },
    )
    submit(actor=preparer, version=pending, note="")
    return 2


def load(command: Any, **opts: Any) -> None:
    from xiaobao.fees.models import FeeItem

    out = command.stdout
    if FeeItem.objects.exists():
        out.write("Demo fee catalogue already loaded.")
        return
    result = fees_demo_load()
    out.write(
        command.style.SUCCESS(
            f"Demo fee catalogue loaded: {result['items']} fee items, {result['versions']} versions."
        )
    )
