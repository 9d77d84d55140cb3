"""Demo reply templates and internal notes (`Module.demo`): head office's decision texts for the commonest
business types and causes, a notice text for loan complaints, a Beijing-branch template, and notes with
@mentions on a few of branch 1's open complaints. Written through the services (audited, notifications)."""

# ruff: noqa: E501  (demo texts: Chinese sentences kept whole)
from __future__ import annotations

from typing import Any

from django.db import transaction

HO_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "信用卡收费争议（通用）",
        "business_type": "B0303",
        "cause": "",
        "verification": "我行于{{received_on}}收到您关于{{business_type}}的投诉（编号{{reference}}）。经调取您的信用卡账单、"
        "交易流水及相关业务凭证，并与经办人员核实，情况如下：",
        "basis": "依据《中华人民共和国消费者权益保护法》、我行信用卡领用合约及收费公示标准，",
        "result": "经核实，……（请写明处理结果：是否退还、调整或维持原收费，以及办理时限）。",
        "remedies": "如您对本处理决定有异议，可自收到本告知书之日起30日内向{{institution}}上一级机构申请核查，"
        "也可向金融监管部门反映，或依法申请调解、仲裁、提起诉讼。",
    },
    {
        "name": "服务态度投诉（致歉）",
        "business_type": "",
        "cause": "C01",
        "verification": "我行于{{received_on}}收到您的投诉。{{unit}}调阅了营业厅监控录像，并与当班工作人员逐一谈话核实。",
        "basis": "依据我行《营业网点服务规范》，工作人员应当文明礼貌、耐心解答客户问询。",
        "result": "经核实，当班工作人员存在服务不到位的情况，我行已对其进行批评教育并纳入考核，特向您致歉。",
        "remedies": "",
    },
    {
        "name": "借记卡盗刷（已报案）",
        "business_type": "B0302",
        "cause": "",
        "verification": "接到您的投诉后，我行立即冻结了相关账户，调取交易日志、设备信息，并协助您向公安机关报案。",
        "basis": "依据《中国人民银行金融消费者权益保护实施办法》及借记卡章程，",
        "result": "目前案件正由公安机关侦查，我行将根据调查结论依法处理，并在{{decision_due}}前告知您进展。",
        "remedies": "",
    },
]
HO_NOTICE = {
    "name": "贷款类投诉处理决定告知书",
    "kind": "notice",
    "business_type": "B02",
    "cause": "",
    "body": "关于您投诉事项（编号 {{reference}}）的处理决定\n\n{{complainant}}：\n"
    "我行于 {{received_on}} 收到您关于{{business_type}}（{{cause}}）的投诉，您的诉求为：{{request}}\n\n"
    "一、核实情况\n{{verification}}\n\n二、处理依据和理由\n{{basis}}\n\n三、处理决定\n{{result}}\n\n"
    "四、救济途径\n{{remedies}}\n\n如有疑问，请致电我行客服热线或前往{{unit}}咨询。\n\n{{institution}}{{unit}}\n{{today}}",
}
BRANCH_TEMPLATE = {
    "name": "北京分行：ATM吞卡/设备故障",
    "business_type": "",
    "cause": "C02",
    "verification": "{{unit}}接到您的投诉后，调取了自助设备运行日志和监控，并联系设备维护厂商进行了现场检查。",
    "basis": "依据我行《自助设备管理办法》，设备故障导致客户损失的，由我行承担相应责任。",
    "result": "经核实，该设备于当日出现读卡模块故障，我行已完成维修，并为您办理了……",
    "remedies": "",
}
NOTES = [
    (
        "branch1_handler",
        "已电话联系客户，客户表示下午可到网点补充材料。@{cp} 本件金额较大，请关注是否需要审批。",
    ),
    ("branch1_cp", "@{handler} 请在起草决定前调取完整交易流水，并用模板“信用卡收费争议（通用）”起草。"),
    ("branch1_handler", "流水已调取，正在核实手续费收取依据。"),
]


def load(command: Any, **opts: Any) -> None:
    from xiaobao.complaints.models import Complaint
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.notes.models import Note, ReplyTemplate
    from xiaobao.notes.services import note_add, template_save

    out = command.stdout
    if ReplyTemplate.objects.exists():
        out.write("Demo notes and templates already loaded.")
        return
    hq = User.objects.filter(username="hq_cp").first()
    cp = User.objects.filter(username="branch1_cp").first()
    handler = User.objects.filter(username="branch1_handler").first()
    if hq is None or cp is None or handler is None:
        out.write("Demo notes and templates skipped: the demo users are missing.")
        return
    head = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    with transaction.atomic():
        for data in HO_TEMPLATES:
            template_save(actor=hq, data={**data, "org_unit": head})
        template_save(actor=hq, data={**HO_NOTICE, "org_unit": head})
        template_save(actor=cp, data={**BRANCH_TEMPLATE, "org_unit": cp.org_unit})
        complaints = list(
            Complaint.objects.visible_to(handler)
            .filter(status__in=["in_progress", "drafted", "assigned"])
            .order_by("-received_at")[:3]
        )
        for c in complaints:
            for username, text in NOTES:
                actor = cp if username == "branch1_cp" else handler
                note_add(
                    actor=actor,
                    complaint=c,
                    text=text.format(cp=cp.full_name or cp.username, handler=handler.username),
                )
    out.write(
        command.style.SUCCESS(
            f"Demo reply templates loaded: {ReplyTemplate.objects.count()}; "
            f"internal notes: {Note.objects.count()} on {len(complaints)} complaints."
        )
    )
