"""The default texts of the notices (Chinese), seeded once and then edited by administrators.

- acknowledgement (受理告知): the reference, the day of receipt, the decision due date, where to look it up;
- extension notice (延期告知): the new due date and the reason in general words (Art 18; the handler's own
  reason is internal and may name people, so it is not a placeholder);
- decision notice (处理意见告知): the decision with how it was verified, its basis, the remedies and the right
  to ask the superior institution for a review within 30 days (Art 19, 20).
"""

from __future__ import annotations

from xiaobao.outreach.choices import Channel, Kind

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (Kind.ACKNOWLEDGEMENT, Channel.EMAIL): (
        "【{institution}】投诉受理告知（编号{reference}）",
        "您好：\n\n"
        "我们已于{received_on}收到您的投诉，投诉编号为 {reference}。\n"
        "我们将依法依规进行核实处理，并在{due_date}前将处理意见告知您。"
        "如情况复杂需要延长处理期限，我们会另行告知。\n\n"
        "您可以凭投诉编号在以下页面查询处理进度：{lookup_url}\n\n"
        "此邮件由系统自动发送，请勿直接回复。\n"
        "{institution}\n{today}",
    ),
    (Kind.ACKNOWLEDGEMENT, Channel.SMS): (
        "",
        "您的投诉已于{received_on}受理，编号{reference}，我们将在{due_date}前告知处理意见。查询进度：{lookup_url}",
    ),
    (Kind.EXTENSION, Channel.EMAIL): (
        "【{institution}】投诉处理延期告知（编号{reference}）",
        "您好：\n\n"
        "您于{received_on}提出的投诉（编号 {reference}）因情况复杂，需要进一步调查核实，"
        "经批准，处理期限延长至{due_date}。我们将在此之前将处理意见告知您。\n\n"
        "您可以凭投诉编号在以下页面查询处理进度：{lookup_url}\n\n"
        "此邮件由系统自动发送，请勿直接回复。\n"
        "{institution}\n{today}",
    ),
    (Kind.EXTENSION, Channel.SMS): (
        "",
        "您的投诉{reference}因情况复杂需进一步核实，处理期限延长至{due_date}，届时将告知处理意见。",
    ),
    (Kind.DECISION, Channel.EMAIL): (
        "【{institution}】投诉处理意见告知（编号{reference}）",
        "您好：\n\n"
        "您于{received_on}提出的投诉（编号 {reference}）已处理完毕，现将处理意见告知如下。\n\n"
        "一、核实情况\n{verification}\n\n"
        "二、处理依据和理由\n{basis}\n\n"
        "三、处理意见\n{decision}\n\n"
        "四、救济途径\n{remedies}\n"
        "如对上述处理意见有异议，您可以自收到本告知之日起30日内，向{superior_unit}书面申请核查。\n\n"
        "此邮件由系统自动发送，请勿直接回复。\n"
        "{institution}\n{today}",
    ),
    (Kind.DECISION, Channel.SMS): (
        "",
        "您的投诉{reference}已办结，处理意见：{decision}。如有异议，可自收到本告知之日起30日内向{superior_unit}书面申请核查。",
    ),
}
