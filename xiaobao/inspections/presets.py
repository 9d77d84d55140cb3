"""Preloaded checklists and rating bands (editable data; loaded by migration 0003).

Items are written `(code, text, kind, max_score, flags, guidance)`; flags: "c" critical, "g" gating,
"p" photo required. A section is `(code, name, weight, gate_item_code, items)`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Y, S, N, T, P = "yes_no", "score", "number", "text", "photo"

MYSTERY_SHOPPING = {
    "code": "mystery_shopping",
    "name": "神秘人暗访检查表（六维度）",
    "kind": "mystery_shopping",
    "description": "以普通客户身份到网点办理业务，按营业环境与设施、员工仪容仪表、大堂经理、柜员、客户经理、"
    "安保人员六个方面逐项评价。进入网点15分钟内无大堂经理（或引导员）接待的，大堂经理部分计0分。",
    "sections": [
        (
            "premises",
            "营业环境与设施",
            "1",
            "",
            [
                ("P01", "网点招牌、营业时间牌完好清晰，实际营业时间与公示一致", Y, 2, "", ""),
                ("P02", "营业厅地面、台面、窗口干净整洁，无杂物堆放", Y, 2, "", ""),
                (
                    "P03",
                    "消费者权益保护宣传区设置规范，投诉电话和投诉处理流程公示醒目",
                    Y,
                    2,
                    "c",
                    "未公示投诉渠道的，本项为否并作为重要问题记录。",
                ),
                (
                    "P04",
                    "服务价格目录（收费公示）置于醒目位置且为最新版本",
                    Y,
                    2,
                    "c",
                    "核对公示版本日期与总行最新发布版本是否一致。",
                ),
                ("P05", "叫号机、自助设备运行正常，故障设备有提示和引导", Y, 2, "", ""),
                ("P06", "填单台备有填单示范、书写笔和老花镜", Y, 1, "", ""),
                ("P07", "存款保险标识在营业场所显著位置张贴", Y, 1, "c", ""),
                (
                    "P08",
                    "营业厅全景照片",
                    P,
                    1,
                    "p",
                    "在不影响客户的前提下拍摄，避免拍到客户面部和屏幕信息。",
                ),
            ],
        ),
        (
            "appearance",
            "员工仪容仪表",
            "1",
            "",
            [
                ("A01", "员工统一着行服，佩戴工号牌", Y, 2, "", ""),
                ("A02", "发型整洁，妆容淡雅，无夸张饰品", Y, 1, "", ""),
                ("A03", "工作期间无吃东西、玩手机、闲聊等行为", Y, 2, "", ""),
            ],
        ),
        (
            "lobby",
            "大堂经理",
            "1.5",
            "L01",
            [
                (
                    "L01",
                    "进入网点15分钟内有大堂经理（或引导员）主动接待",
                    Y,
                    2,
                    "g",
                    "从进门开始计时，满15分钟仍无人接待的，本项为否，本部分计0分。",
                ),
                (
                    "L02",
                    "主动问候，询问业务需求并正确分流引导",
                    S,
                    4,
                    "",
                    "4分：主动问候且分流准确；2分：经询问后才引导；0分：未引导或引导错误。",
                ),
                ("L03", "对老年人、残障人士等特殊群体提供优先或陪同服务", Y, 2, "", ""),
                ("L04", "主动提示防范电信网络诈骗等风险", Y, 2, "", ""),
                ("L05", "关注等候客户，及时维护厅堂秩序", Y, 2, "", ""),
            ],
        ),
        (
            "teller",
            "柜员服务",
            "1.5",
            "",
            [
                ("T01", "客户到达窗口时起身相迎或点头示意，使用文明用语", Y, 2, "", ""),
                ("T02", "办理业务时唱收唱付，双手递接", Y, 2, "", ""),
                ("T03", "主动告知业务办理结果，提示客户核对", Y, 2, "", ""),
                ("T04", "未向客户推销与其需求无关的产品，无捆绑搭售", Y, 2, "c", ""),
                ("T05", "客户离开时使用送别语", Y, 1, "", ""),
                ("T06", "业务办理用时（分钟）", N, 0, "", "从到达窗口到业务办结。"),
            ],
        ),
        (
            "account_manager",
            "客户经理",
            "1",
            "",
            [
                ("M01", "主动了解客户风险承受能力和投资需求", Y, 2, "", ""),
                ("M02", "介绍产品时充分揭示风险，不承诺保本保收益", Y, 2, "c", ""),
                ("M03", "明确区分存款与理财、保险等产品，不混淆、不误导", Y, 2, "c", ""),
                ("M04", "向客户提供产品说明书等书面材料", Y, 2, "", ""),
                (
                    "M05",
                    "业务熟练，能准确回答客户提问",
                    S,
                    4,
                    "",
                    "4分：准确完整；2分：基本准确；0分：无法回答或回答错误。",
                ),
            ],
        ),
        (
            "security",
            "安保人员",
            "0.5",
            "",
            [
                ("S01", "安保人员在岗，着装规范，精神饱满", Y, 2, "", ""),
                ("S02", "主动协助维护秩序，必要时引导客户", Y, 2, "", ""),
                ("S03", "款箱交接时按规定设置警戒区域", Y, 1, "", "未遇到款箱交接的，选“不适用”。"),
                ("S04", "其他情况说明", T, 0, "", ""),
            ],
        ),
    ],
}

ONSITE = {
    "code": "onsite",
    "name": "网点现场服务检查表",
    "kind": "onsite",
    "description": "检查人员亮明身份后到网点现场检查服务环境、信息披露、服务流程、投诉处理和员工管理。",
    "sections": [
        (
            "environment",
            "服务环境",
            "1",
            "",
            [
                ("E01", "营业厅布局合理，功能分区标识清晰", Y, 2, "", ""),
                ("E02", "无障碍通道畅通，无杂物占用", Y, 2, "", ""),
                ("E03", "应急预案、消防设施齐全有效", Y, 2, "", ""),
                ("E04", "检查现场照片", P, 1, "p", ""),
            ],
        ),
        (
            "disclosure",
            "信息披露",
            "1",
            "",
            [
                ("D01", "服务价格目录、收费标准在营业场所公示且为最新版本", Y, 2, "c", ""),
                ("D02", "理财产品销售专区设置规范，“一区双录”标识清晰", Y, 2, "c", ""),
                ("D03", "存款保险标识、金融知识宣传资料齐全", Y, 2, "", ""),
                ("D04", "营业执照、金融许可证在显著位置悬挂", Y, 1, "", ""),
            ],
        ),
        (
            "process",
            "服务流程",
            "1",
            "",
            [
                ("F01", "柜面业务按规定核实客户身份", Y, 2, "c", ""),
                ("F02", "客户资料交接登记完整", Y, 2, "", ""),
                ("F03", "重要空白凭证和业务凭证按规定保管", Y, 2, "", ""),
            ],
        ),
        (
            "complaints",
            "投诉处理",
            "1.5",
            "",
            [
                (
                    "C01",
                    "投诉登记完整，处理时限符合规定",
                    Y,
                    2,
                    "c",
                    "抽查近三个月投诉记录，核对受理、答复时间。",
                ),
                ("C02", "网点负责人熟悉投诉处理流程和首问负责制", Y, 2, "", ""),
                ("C03", "意见簿放置显眼，客户意见均有回复", Y, 2, "", ""),
                ("C04", "抽查投诉记录份数", N, 0, "", ""),
            ],
        ),
        (
            "staff",
            "员工管理",
            "1",
            "",
            [
                ("H01", "销售人员持有相应资格证书，上岗资质公示", Y, 2, "c", ""),
                ("H02", "本年度开展消费者权益保护培训并有记录", Y, 2, "", ""),
                ("H03", "员工异常行为排查记录完整", Y, 2, "", ""),
                ("H04", "检查意见", T, 0, "", ""),
            ],
        ),
    ],
}

ELDER_FRIENDLY = {
    "code": "elder_friendly",
    "name": "适老化及特殊群体服务设施检查表",
    "kind": "elder_friendly",
    "description": "检查网点为老年人、残障人士等特殊群体提供的设施和服务是否齐备、可用。",
    "sections": [
        (
            "facilities",
            "服务设施",
            "1",
            "",
            [
                ("EF01", "设置爱心窗口（优先窗口）并有明显标识", Y, 2, "c", ""),
                ("EF02", "配备老花镜，不少于两副且度数齐全", Y, 2, "", ""),
                ("EF03", "等候区设置爱心座椅，不少于两个", Y, 2, "", ""),
                ("EF04", "配备轮椅并可正常使用", Y, 2, "", ""),
                ("EF05", "配备盲文服务指引或读屏、语音等助盲设施", Y, 2, "", ""),
                ("EF06", "无障碍通道、扶手符合要求，坡道畅通无占用", Y, 2, "c", ""),
                ("EF07", "配备放大镜、助听器或手写板等辅助沟通工具", Y, 1, "", ""),
                ("EF08", "设置无障碍卫生间或有就近指引", Y, 1, "", "网点条件不具备的，检查是否有就近指引。"),
                ("EF09", "爱心窗口照片", P, 1, "p", ""),
            ],
        ),
        (
            "services",
            "服务措施",
            "1",
            "",
            [
                ("ES01", "保留现金、存折等传统服务方式，不强制使用智能设备", Y, 2, "c", ""),
                ("ES02", "为行动不便客户提供上门服务，有流程和登记", Y, 2, "", ""),
                ("ES03", "自助设备具备大字版或语音播报功能，或有人工协助", Y, 2, "", ""),
                ("ES04", "员工掌握手语或可视化沟通工具的使用", Y, 1, "", ""),
            ],
        ),
    ],
}

PERSONAL_INFORMATION = {
    "code": "personal_information",
    "name": "个人信息保护自查表",
    "kind": "personal_information",
    "description": "依据《个人信息保护法》和监管要求，网点按收集告知、存储使用、"
    "对外提供与销毁、制度与培训开展自查。",
    "sections": [
        (
            "collection",
            "收集与告知",
            "1",
            "",
            [
                ("PI01", "收集个人信息前告知处理目的、方式和范围，并取得客户同意", Y, 2, "c", ""),
                ("PI02", "未超范围收集个人信息，未强制客户提供非必要信息", Y, 2, "", ""),
                ("PI03", "处理生物识别、金融账户等敏感个人信息取得客户单独同意", Y, 2, "c", ""),
            ],
        ),
        (
            "storage",
            "存储与使用",
            "1.5",
            "",
            [
                ("PI04", "客户资料、身份证件复印件存放于上锁柜中，未随意放置在柜台", Y, 2, "c", ""),
                ("PI05", "电脑设置开机和屏保密码，离岗时锁屏", Y, 2, "", ""),
                ("PI06", "查询客户信息有业务依据并留痕，无违规查询", Y, 2, "c", "抽查系统查询日志。"),
                ("PI07", "对外展示、打印的客户信息已去标识化（证件号、手机号脱敏）", Y, 2, "", ""),
            ],
        ),
        (
            "sharing",
            "对外提供与销毁",
            "1",
            "",
            [
                ("PI08", "未经客户同意未向第三方提供客户个人信息", Y, 2, "c", ""),
                ("PI09", "含客户信息的废弃纸质资料按规定粉碎销毁", Y, 2, "", ""),
            ],
        ),
        (
            "governance",
            "制度与培训",
            "1",
            "",
            [
                ("PI10", "网点指定个人信息保护责任人", Y, 1, "", ""),
                ("PI11", "本年度开展个人信息保护培训", Y, 2, "", ""),
                ("PI12", "员工知晓个人信息泄露事件的报告流程", Y, 2, "", ""),
                ("PI13", "自查发现的其他问题", T, 0, "", ""),
            ],
        ),
    ],
}

SALES_RECORDING = {
    "code": "sales_recording",
    "name": "双录质检表",
    "kind": "sales_recording",
    "description": "对抽中的理财、保险等产品销售录音录像逐条质检："
    "录制完整性、风险揭示、客户确认、销售环境与人员。"
    "录音录像不完整的，录制完整性部分计0分。",
    "sections": [
        (
            "recording",
            "录制完整性",
            "1.5",
            "R01",
            [
                ("R01", "录音录像完整连续，无中断、剪辑", Y, 2, "cg", ""),
                ("R02", "画面清晰，能同时看到客户和销售人员，声音清楚", Y, 2, "", ""),
                ("R03", "录制时长与产品销售流程相匹配", Y, 2, "", ""),
            ],
        ),
        (
            "disclosure",
            "风险揭示",
            "1.5",
            "",
            [
                ("D01", "销售人员完整宣读风险揭示内容", Y, 2, "c", ""),
                ("D02", "告知产品风险等级，且与客户风险承受能力相匹配", Y, 2, "c", ""),
                ("D03", "说明产品期限、费用和收益的不确定性，未承诺保本保收益", Y, 2, "c", ""),
            ],
        ),
        (
            "confirmation",
            "客户确认",
            "1",
            "",
            [
                ("K01", "客户确认已阅读并理解产品说明书和风险揭示书", Y, 2, "c", ""),
                ("K02", "客户亲自签字并抄录风险确认语句", Y, 2, "", ""),
                ("K03", "核验客户身份，录像中出示身份证件", Y, 2, "", ""),
            ],
        ),
        (
            "seller",
            "销售环境与人员",
            "1",
            "",
            [
                ("Z01", "在销售专区内录制，专区标识清晰", Y, 2, "", ""),
                ("Z02", "销售人员具备相应销售资格并出示资格证明", Y, 2, "c", ""),
                ("Z03", "销售人员未代客户签字、代填风险测评", Y, 2, "c", ""),
                ("Z04", "质检意见", T, 0, "", ""),
            ],
        ),
    ],
}

CHECKLISTS: list[dict[str, Any]] = [
    MYSTERY_SHOPPING,
    ONSITE,
    ELDER_FRIENDLY,
    PERSONAL_INFORMATION,
    SALES_RECORDING,
]
RATING_BANDS = {5: Decimal(95), 4: Decimal(90), 3: Decimal(80), 2: Decimal(70), 1: Decimal(0)}
SCORED = ("yes_no", "score", "photo")


def _max(checklist: dict[str, Any]) -> Decimal:
    return sum(
        (
            Decimal(item[3]) * Decimal(weight)
            for _code, _name, weight, _gate, items in checklist["sections"]
            for item in items
            if item[2] in SCORED
        ),
        Decimal(0),
    )


def load_presets(template_model: Any, section_model: Any, item_model: Any, band_model: Any) -> None:
    """Version 1 of each preloaded checklist whose code is not there yet, and the missing rating bands
    (works with the migration's historical models and with the real ones)."""
    for c in CHECKLISTS:
        if template_model.objects.filter(code=c["code"]).exists():
            continue
        template = template_model.objects.create(
            code=c["code"],
            version=1,
            name=c["name"],
            kind=c["kind"],
            description=c["description"],
            is_current=True,
            max_score=_max(c),
        )
        for so, (code, name, weight, gate, items) in enumerate(c["sections"], start=1):
            section = section_model.objects.create(
                template=template, code=code, name=name, order=so, weight=Decimal(weight), gate_item_code=gate
            )
            item_model.objects.bulk_create(
                item_model(
                    template=template,
                    section=section,
                    code=icode,
                    text=text,
                    kind=kind,
                    max_score=max_score,
                    critical="c" in flags,
                    gating="g" in flags,
                    photo_required="p" in flags,
                    order=io,
                    guidance=guidance,
                )
                for io, (icode, text, kind, max_score, flags, guidance) in enumerate(items, start=1)
            )
    for stars, minimum in RATING_BANDS.items():
        band_model.objects.get_or_create(stars=stars, defaults={"min_percent": minimum})


def load_presets_now() -> None:
    from xiaobao.inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate, RatingBand

    load_presets(ChecklistTemplate, ChecklistSection, ChecklistItem, RatingBand)
