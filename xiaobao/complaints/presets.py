"""Preloaded data: the JR/T 0169-2018 categories (regulations.md §4.1) and the deadline-rule presets.

The standard's official numeric codes are UNCONFIRMED, so these codes are Xiaobao's own and editable;
the rule numbers come from regulations.md §1.2, §2 and §9 (PBoC and international items are UNCONFIRMED
or secondary and therefore data, not constants).
"""

from __future__ import annotations

from typing import Any

CHANNELS = [
    ("A01", "营业现场", []),
    ("A02", "自助机具", []),
    (
        "A03",
        "电子渠道",
        [
            ("A0301", "网银"),
            ("A0302", "电话"),
            ("A0303", "移动客户端"),
            ("A0304", "网络公众平台"),
            ("A0305", "短信"),
            ("A0399", "其他电子渠道"),
        ],
    ),
    ("A04", "第三方渠道", []),
    ("A05", "中、后台业务渠道", []),
    ("A06", "信函邮件", []),
    ("A07", "意见簿/意见箱", []),
    ("A08", "媒体", []),
    ("A99", "其他", []),
]
BUSINESS_TYPES = [
    ("B01", "人民币储蓄", []),
    (
        "B02",
        "贷款",
        [
            ("B0201", "个人住房贷款"),
            ("B0202", "个人消费贷款"),
            ("B0203", "个人经营贷款"),
            ("B0204", "冒名贷款/冒名担保"),
        ],
    ),
    (
        "B03",
        "银行卡",
        [("B0301", "借记卡使用"), ("B0302", "借记卡盗刷"), ("B0303", "信用卡"), ("B0304", "账户管理")],
    ),
    (
        "B04",
        "支付结算",
        [
            ("B0401", "资金汇划"),
            ("B0402", "票据"),
            ("B0403", "电子支付"),
            ("B0404", "非银行支付机构网络支付"),
        ],
    ),
    ("B05", "自营理财", []),
    ("B06", "银行代理业务", [("B0601", "代理保险"), ("B0602", "代理基金")]),
    ("B07", "其他中间业务", []),
    ("B08", "个人金融信息", []),
    ("B09", "外汇", []),
    ("B10", "贵金属", []),
    ("B11", "国库", []),
    ("B12", "人民币管理", []),
    ("B13", "债务催收", []),
    ("B99", "其他", []),
]
CAUSES = [
    ("C01", "服务态度及服务质量"),
    ("C02", "服务设施、设备、业务系统"),
    ("C03", "管理制度、业务规则与流程"),
    ("C04", "营销方式和手段"),
    ("C05", "信息披露"),
    ("C06", "自主选择权"),
    ("C07", "定价收费"),
    ("C08", "产品收益"),
    ("C09", "合同条款"),
    ("C10", "消费者资金安全"),
    ("C11", "消费者信息安全"),
    ("C12", "债务催收方式和手段"),
    ("C99", "其他"),
]

RULES = [
    # code, name, clock, days, unit, roll_forward, extensions, sources, document
    (
        "nfra-2020",
        "银保监会令2020年第3号：15日办结，可延至30日，再延30日须上级或总行高管批准",
        "decision",
        15,
        "calendar",
        True,
        [{"to_days": 30, "approval": False}, {"to_days": 60, "approval": True}],
        ["direct", "nfra_transfer", "other_referral"],
        "《银行业保险业消费投诉处理管理办法》第十八条",
    ),
    (
        "pboc-2020",
        "人民银行令〔2020〕第5号：15日，最长60日（条款待核实）",
        "decision",
        15,
        "calendar",
        True,
        [{"to_days": 60, "approval": True}],
        ["pboc_transfer"],
        "《中国人民银行金融消费者权益保护实施办法》",
    ),
    (
        "review-30",
        "核查：上级机构30日内作出核查决定",
        "review",
        30,
        "calendar",
        True,
        [],
        [],
        "《银行业保险业消费投诉处理管理办法》第二十条",
    ),
    (
        "first-contact-1wd",
        "内部目标：1个工作日内首次联系投诉人",
        "first_contact",
        1,
        "working",
        False,
        [],
        [],
        "机构内部制度",
    ),
    (
        "pboc-branch-5wd",
        "人民银行分支机构实践：5个工作日，经批准可延至10个工作日",
        "decision",
        5,
        "working",
        False,
        [{"to_days": 10, "approval": True}],
        [],
        "机构内部制度（示例）",
    ),
    (
        "cfpb",
        "US CFPB: respond in 15 days, close within 60 days",
        "decision",
        15,
        "calendar",
        False,
        [{"to_days": 60, "approval": False}],
        [],
        "CFPB company portal guidance",
    ),
    (
        "fca-disp",
        "UK FCA DISP 1.6.2: final response within 8 weeks",
        "decision",
        56,
        "calendar",
        False,
        [],
        [],
        "FCA Handbook DISP 1.6.2",
    ),
    (
        "fca-psd",
        "UK FCA DISP 1.6.2A: payment services, 15 business days (35 exceptionally)",
        "decision",
        15,
        "working",
        False,
        [{"to_days": 35, "approval": True}],
        [],
        "FCA Handbook DISP 1.6.2A",
    ),
    (
        "asic-rg271",
        "Australia ASIC RG 271: 30 calendar days",
        "decision",
        30,
        "calendar",
        False,
        [],
        [],
        "ASIC Regulatory Guide 271",
    ),
]


def load_presets(code_model: Any, rule_model: Any) -> None:
    """Create the preset codes and rules that do not exist yet (used by the migration and by tests that
    flush the database)."""
    existing = set(code_model.objects.values_list("dimension", "code"))
    for dimension, rows in (("channel", CHANNELS), ("business_type", BUSINESS_TYPES)):
        for order, (code, name, children) in enumerate(rows):
            parent = code_model.objects.filter(dimension=dimension, code=code).first()
            if parent is None:
                parent = code_model.objects.create(
                    dimension=dimension, code=code, name=name, sort_order=order
                )
            for sub_order, (sub_code, sub_name) in enumerate(children):
                if (dimension, sub_code) not in existing:
                    code_model.objects.create(
                        dimension=dimension, code=sub_code, name=sub_name, parent=parent, sort_order=sub_order
                    )
    for order, (code, name) in enumerate(CAUSES):
        if ("cause", code) not in existing:
            code_model.objects.create(dimension="cause", code=code, name=name, sort_order=order)
    rules = set(rule_model.objects.values_list("code", flat=True))
    for code, name, clock, days, unit, roll, ext, sources, doc in RULES:
        if code not in rules:
            rule_model.objects.create(
                code=code,
                name=name,
                clock=clock,
                days=days,
                unit=unit,
                roll_forward=roll,
                extensions=ext,
                sources=sources,
                source_document=doc,
            )


DEFAULT_NOTICE_NAME = "标准处理决定告知书"


def load_presets_now() -> None:
    """Load every preset with the current models (idempotent)."""
    import importlib

    from xiaobao.complaints.models import ComplaintCode, DeadlineRule, NoticeTemplate

    load_presets(ComplaintCode, DeadlineRule)
    template = importlib.import_module("xiaobao.complaints.migrations.0003_noticetemplate")
    NoticeTemplate.objects.get_or_create(
        name=DEFAULT_NOTICE_NAME, defaults={"body": template.DEFAULT, "is_default": True}
    )
