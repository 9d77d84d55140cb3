"""A year of synthetic complaints for the demo bank, driven through the real services.

`complaints_demo_load()` plans the life of every complaint — register → assign → accept → contact → draft
→ (submit → approve) → notify → follow-up → close → archive, with transfers, co-handling, pauses,
extensions (30 days, and 60 days with approval), late decisions, review requests, withdrawals, declines,
merges and major group complaints mixed in — then sorts the steps of all complaints by time and replays
them through `complaint_register` / `complaint_transition`, each recorded at its step's moment (`at=`,
`xiaobao.core.clock.recording_at`: no clock is moved, so no test library is needed). Events, clocks and the
audit trail are therefore exactly what the workflow writes, dated when each step happened. Complaints
received recently are still open at `today`; a few are pinned into each open state (due soon, overdue,
extended, paused, awaiting approval, under review …). At the end every clock that
still depends on the current day is recomputed for `today`.

All texts come from the phrase tables below, written for this module: no real complaint text and no real
personal data is used (names, ID numbers and phone numbers come from the synthetic helpers of
`xiaobao.core.demo`). `bench_generate` reuses the tables and `description()` for its bulk rows.

Speed: every step is one service call (~12 ms on SQLite: lock, audit snapshot, event, clock recompute,
audit row), about 9 steps per complaint, so 500 complaints load in under a minute (measured 53 s on the
2-vCPU VM; docs/benchmarks.md) — that is the default. 3,000 take about 5–6 minutes; pass
`demo_load --complaints 3000` for the fuller year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from xiaobao.complaints.choices import Source, Status
from xiaobao.complaints.models import Assistance, Clock, Complaint, ComplaintEvent, Extension, Notification
from xiaobao.core.demo import (
    DEMO_PASSWORD,
    synthetic_account,
    synthetic_id_number,
    synthetic_name,
    synthetic_phone,
)
from xiaobao.core.models import Consumer, OrgUnit, User
from xiaobao.core.workdays import get_calendar

DEFAULT_COUNT = 500  # < 1 minute on SQLite (see the module docstring and docs/benchmarks.md)

# --- code tables: weights (share of complaints, in per mille) ----------------------------------------

# JR/T 0169 channel codes of the presets. The hotline and the counter dominate (mission.md §1).
CHANNEL_WEIGHTS: dict[str, int] = {
    "A0302": 360,  # 电话 (hotline)
    "A01": 240,  # 营业现场 (counter)
    "A0303": 120,  # 移动客户端
    "A0304": 50,  # 网络公众平台 (WeChat)
    "A0301": 30,  # 网银
    "A06": 50,  # 信函邮件
    "A07": 20,  # 意见簿/意见箱
    "A02": 25,  # 自助机具
    "A04": 35,  # 第三方渠道
    "A05": 15,  # 中、后台
    "A08": 10,  # 媒体
    "A0305": 10,  # 短信
    "A0399": 5,
    "A99": 30,
}
CENTRAL_CHANNELS = {"A0302", "A0303", "A0304", "A0301", "A04", "A05", "A08", "A0305", "A0399", "A99"}
SOURCE_WEIGHTS: dict[str, int] = {
    Source.DIRECT: 940,
    Source.NFRA_TRANSFER: 35,
    Source.PBOC_TRANSFER: 15,
    Source.OTHER_REFERRAL: 10,
}
CITIES = {"B01": "北京", "B02": "上海", "B03": "广东"}


@dataclass(frozen=True)
class Fact:
    """One kind of dispute: its cause code, the facts told, the request, and the amount range if any."""

    cause: str
    text: str
    request: str
    amount: tuple[int, int] | None = None


@dataclass(frozen=True)
class Business:
    code: str
    weight: int  # per mille
    products: tuple[str, ...]
    facts: tuple[Fact, ...]
    evidence: str
    basis: str


F = Fact
BUSINESSES: tuple[Business, ...] = (
    Business(
        "B0303",
        290,
        ("白金信用卡", "标准信用卡", "联名信用卡", "ETC信用卡", "汽车分期", "账单分期", "现金分期"),
        (
            F(
                "C07",
                "{d1}收到信用卡账单，发现被收取年费{amt}元。客户称办卡时工作人员承诺首年免年费、当年刷卡满{n}次"
                "即免次年年费，其已按要求消费，但仍被扣收年费。",
                "退还年费{amt}元",
                (200, 2000),
            ),
            F(
                "C07",
                "客户办理账单分期{n}期后发现实际手续费明显高于宣传的费率，经自行测算年化成本超过办理时告知的水平，"
                "认为银行未如实披露分期费用。",
                "退还多收的分期手续费",
                (300, 6000),
            ),
            F(
                "C07",
                "客户因出差忘记还款，逾期{n}天后被收取违约金及利息共计{amt}元。客户称用卡多年一直按时还款，"
                "首次逾期应予减免。",
                "减免违约金和利息",
                (50, 1500),
            ),
            F(
                "C12",
                "客户信用卡逾期后频繁接到自称受银行委托的催收人员电话，每天多达{n}次，催收人员还联系了客户的亲属"
                "和同事并告知其欠款情况，严重影响客户的正常生活和工作。",
                "停止骚扰第三人、规范催收行为并书面道歉",
            ),
            F(
                "C12",
                "客户称催收人员在电话中语气恶劣、言语威胁，声称将上门催收并通知客户单位。客户已表示愿意协商"
                "分期还款，但对方不予理会。",
                "协商个性化分期还款并停止威胁性催收",
            ),
            F(
                "C01",
                "客户致电信用卡客服咨询账单问题，等待近{n}分钟才接通人工服务，客服人员答复敷衍，问题尚未解决"
                "即挂断电话。",
                "对客服人员的服务态度作出解释并道歉",
            ),
            F(
                "C04",
                "客户在商场被推广人员拦住办理信用卡，推广人员称办卡即送礼品且不收取任何费用，事后客户收到卡片"
                "并被收取{amt}元增值服务费。",
                "退还增值服务费{amt}元并取消该服务",
                (99, 600),
            ),
            F(
                "C04",
                "客户接到营销电话推荐办理现金分期，电话中只强调“低息”“随借随还”，未说明手续费按期收取，"
                "客户办理后才发现实际费用较高。",
                "退还手续费并允许无损提前结清",
                (500, 8000),
            ),
            F(
                "C05",
                "客户的信用卡积分在未收到任何提示的情况下被清零，此前积累的积分约{n}万分，客户认为银行未尽到"
                "告知义务。",
                "恢复被清零的积分",
            ),
            F(
                "C03",
                "客户申请提高信用卡额度被拒，之后额度反被下调，客户多次询问原因，银行仅答复为“综合评分不足”，"
                "客户对此不认可。",
                "说明调额依据并恢复原信用额度",
            ),
            F(
                "C03",
                "客户申请注销信用卡，被告知须先结清尚未出账的分期本金和手续费，且销卡需等待{n}个工作日，"
                "客户认为流程繁琐、设置障碍。",
                "尽快办理销卡并减免剩余手续费",
            ),
            F(
                "C10",
                "客户称其信用卡于{d1}凌晨发生{n}笔境外交易，共计{amt}元，客户当时在国内且卡片一直在身边，"
                "未进行过任何交易。",
                "调查交易并退还被盗刷款项{amt}元",
                (800, 30000),
            ),
            F(
                "C09",
                "客户认为信用卡领用合约中关于逾期后按全部欠款计收利息的条款属于格式条款，办卡时工作人员未作"
                "提示说明。",
                "按实际逾期部分重新计算利息",
                (200, 3000),
            ),
            F(
                "C02",
                "客户通过手机银行还款时系统提示成功，但次日账单仍显示未还款并产生了利息，客户认为是银行系统"
                "出错。",
                "核实系统问题并减免相关利息",
                (20, 500),
            ),
        ),
        "交易流水、账单、领用合约及客服通话录音",
        "《商业银行信用卡业务监督管理办法》及信用卡领用合约",
    ),
    Business(
        "B0202",
        110,
        ("个人消费贷款", "线上信用消费贷", "装修贷", "教育消费贷"),
        (
            F(
                "C07",
                "客户于{d1}提前归还个人消费贷款，被收取提前还款违约金{amt}元。客户称签约时客户经理未告知"
                "提前还款需支付违约金。",
                "退还提前还款违约金{amt}元",
                (300, 5000),
            ),
            F(
                "C04",
                "客户称客户经理推荐消费贷时表示年利率仅为{rate}%，放款后按合同计算的实际年化利率明显更高，"
                "认为存在误导销售。",
                "按承诺利率重新计息并退还多收利息",
                (500, 12000),
            ),
            F(
                "C06",
                "客户办理消费贷时被要求同时购买一份意外保险，保费{amt}元直接从贷款中扣除，客户认为属于捆绑销售。",
                "退还保费{amt}元",
                (300, 3000),
            ),
            F(
                "C12",
                "客户贷款逾期{n}天后，催收人员多次拨打客户亲友的电话，并发送带有威胁内容的短信。",
                "停止骚扰亲友并规范催收",
            ),
            F(
                "C03",
                "客户的贷款已于{d1}全部结清，但查询个人信用报告时仍显示有逾期记录，客户多次联系银行要求更正未果。",
                "更正信用报告中的错误记录",
            ),
            F(
                "C01",
                "客户到网点咨询贷款延期还款政策，工作人员态度冷淡，称“不归我管”，让客户自行拨打热线。",
                "工作人员道歉并给予明确答复",
            ),
        ),
        "借款合同、放款及还款流水、征信报送记录和营销录音",
        "《个人贷款管理办法》及借款合同",
    ),
    Business(
        "B0201",
        60,
        ("个人住房贷款", "二手房按揭贷款", "公积金组合贷款"),
        (
            F(
                "C07",
                "客户申请按政策调整存量房贷利率，银行迟迟未执行，客户认为因此多支付了约{amt}元利息。",
                "按政策调整利率并退还多收利息",
                (1000, 20000),
            ),
            F(
                "C03",
                "客户申请提前还款须提前{n}天预约，预约后又被告知当月额度已满需要排队，客户认为银行人为设置障碍。",
                "尽快办理提前还款",
            ),
            F(
                "C06",
                "客户称办理房贷时银行未告知须购买指定的财产保险，放款后才被要求补办，费用{amt}元。",
                "退还保险费用并允许自主选择保险公司",
                (300, 2000),
            ),
            F(
                "C01",
                "客户多次询问抵押登记注销所需材料，工作人员每次告知的要求都不一致，客户往返网点{n}次仍未办成。",
                "一次性告知所需材料并尽快办结",
            ),
        ),
        "借款合同、利率调整申请记录、还款计划和网点业务登记簿",
        "《个人贷款管理办法》及个人住房借款合同",
    ),
    Business(
        "B0203",
        30,
        ("个人经营贷款", "小微企业主经营贷"),
        (
            F(
                "C03",
                "客户的经营贷到期前申请续贷，客户经理口头答应可以续贷，到期后银行却以政策调整为由不予续贷，"
                "导致客户资金周转困难。",
                "按原承诺办理续贷",
                (100000, 800000),
            ),
            F(
                "C07",
                "客户称经营贷放款时被要求向第三方机构支付{amt}元“咨询服务费”，认为银行变相收费。",
                "退还咨询服务费{amt}元",
                (2000, 30000),
            ),
        ),
        "授信审批记录、借款合同及与客户经理的沟通记录",
        "《个人贷款管理办法》及借款合同",
    ),
    Business(
        "B0204",
        10,
        ("个人消费贷款", "个人经营贷款"),
        (
            F(
                "C11",
                "客户查询个人信用报告时发现名下有一笔本人从未办理的贷款，金额{amt}元，怀疑身份信息被他人冒用。",
                "核实并注销冒名贷款、消除不良征信记录",
                (20000, 200000),
            ),
            F(
                "C11",
                "客户称在不知情的情况下被登记为他人贷款的担保人，直到收到催收通知才得知此事。",
                "解除担保责任并追究相关人员责任",
                (50000, 300000),
            ),
        ),
        "贷款档案、面签影像、担保合同签字笔迹及身份核查记录",
        "《个人贷款管理办法》及贷款面签管理规定",
    ),
    Business(
        "B0301",
        60,
        ("借记卡", "工资卡", "社保卡"),
        (
            F(
                "C03",
                "客户在网点办理借记卡时被要求提供工作证明等材料，工作人员以“风控要求”为由拒绝为其开立一类账户。",
                "说明拒绝开户的依据并尽快办理",
            ),
            F(
                "C03",
                "客户的借记卡被银行以“涉嫌电信诈骗风险”为由限制非柜面交易，客户称该卡为工资卡，严重影响"
                "日常使用。",
                "尽快解除账户限制",
            ),
            F(
                "C07",
                "客户发现借记卡每季度被扣收小额账户管理费{amt}元，客户称从未收到任何收费通知。",
                "退还管理费并免收",
                (5, 60),
            ),
            F(
                "C02",
                "客户于{d1}在自助设备取款{amt}元，机器显示交易失败且未吐钞，但账户已被扣款。",
                "尽快退还被扣款项{amt}元",
                (500, 5000),
            ),
        ),
        "账户交易流水、开户审核记录、自助设备日志及监控录像",
        "《人民币银行结算账户管理办法》及我行账户服务协议",
    ),
    Business(
        "B0302",
        20,
        ("借记卡",),
        (
            F(
                "C10",
                "客户{d1}收到短信提醒，其借记卡在外地被取现{n}笔共计{amt}元，而客户本人与银行卡均在本地。",
                "调查盗刷并赔偿损失{amt}元",
                (2000, 60000),
            ),
            F(
                "C10",
                "客户称其借记卡绑定的快捷支付在未收到任何提示的情况下被消费{amt}元。",
                "冻结快捷支付并追回资金",
                (300, 20000),
            ),
        ),
        "交易流水、交易地点信息、快捷支付签约记录及自助设备监控录像",
        "《中国人民银行金融消费者权益保护实施办法》及借记卡章程",
    ),
    Business(
        "B0304",
        50,
        ("借记卡", "储蓄账户"),
        (
            F(
                "C03",
                "客户久未使用的账户被转为“睡眠户”，到网点激活时被要求携带多种证明材料，多次往返仍未办结。",
                "简化流程尽快激活账户",
            ),
            F(
                "C03",
                "客户为行动不便的老人，家属代为办理挂失补卡被拒，网点要求本人到场，客户认为银行未提供上门服务"
                "等便利措施。",
                "提供上门服务或其他便利方式",
            ),
            F(
                "C01",
                "客户在网点排队等候{n}分钟，期间只开了一个窗口办理业务，大堂经理对客户的询问置之不理。",
                "改进服务并对相关人员批评教育",
            ),
        ),
        "网点排队叫号记录、监控录像及业务办理登记",
        "我行营业网点服务规范及账户管理办法",
    ),
    Business(
        "B0403",
        40,
        ("手机银行", "网上银行", "免密支付"),
        (
            F(
                "C02",
                "客户使用手机银行转账时系统多次提示“交易异常”，导致其无法按时支付货款并产生违约金{amt}元。",
                "赔偿违约金损失",
                (200, 3000),
            ),
            F(
                "C03",
                "客户的手机银行单日转账限额被调低为{amt}元，申请调高额度须本人到网点办理，客户认为不合理。",
                "恢复原转账限额",
                (1000, 5000),
            ),
            F(
                "C10",
                "客户开通的免密支付在未告知的情况下被提高了限额，随后发生了{n}笔非本人交易。",
                "退还非本人交易款项",
                (500, 8000),
            ),
        ),
        "手机银行系统日志、限额调整记录及交易流水",
        "《中国人民银行金融消费者权益保护实施办法》及电子银行服务协议",
    ),
    Business(
        "B0401",
        20,
        ("跨行汇款", "境内汇款"),
        (
            F(
                "C03",
                "客户于{d1}办理跨行汇款{amt}元，收款方至今未收到款项，银行未能说明资金去向。",
                "查明资金去向并尽快入账",
                (5000, 200000),
            ),
            F(
                "C07",
                "客户办理汇款时被收取手续费{amt}元，与网点公示的收费标准不一致。",
                "按公示标准退还多收的手续费",
                (10, 200),
            ),
        ),
        "汇划清算记录、收费记录及网点收费公示",
        "《支付结算办法》及我行服务价目表",
    ),
    Business(
        "B0404",
        15,
        ("第三方支付绑卡",),
        (
            F(
                "C10",
                "客户绑定在第三方支付平台的银行卡发生多笔自动扣款，客户称从未授权开通自动续费。",
                "协调退还未授权扣款并解除绑定",
                (30, 2000),
            ),
        ),
        "快捷支付协议签约记录及交易报文",
        "《非银行支付机构网络支付业务管理办法》及快捷支付协议",
    ),
    Business(
        "B0402",
        5,
        ("商业汇票",),
        (
            F(
                "C03",
                "客户持有的商业汇票到期提示付款后迟迟未到账，银行也未及时告知处理进度。",
                "尽快解付并说明延误原因",
                (50000, 500000),
            ),
        ),
        "票据系统流转记录",
        "《票据法》及电子商业汇票业务管理办法",
    ),
    Business(
        "B01",
        50,
        ("定期存款", "大额存单", "活期储蓄"),
        (
            F(
                "C03",
                "客户到网点取现金{amt}元，被告知须提前一天预约，并被要求说明资金用途，客户认为银行限制其支取。",
                "说明依据并改进大额取现服务",
                (50000, 200000),
            ),
            F(
                "C05",
                "客户办理定期存款时工作人员称可随时支取且不损失利息，提前支取时却按活期利率计息，损失利息约"
                "{amt}元。",
                "按定期利率补偿利息损失",
                (200, 5000),
            ),
            F(
                "C01",
                "客户办理存款业务时柜员业务不熟练，办理时间过长且多次出错，客户对服务质量不满。",
                "对柜员进行培训并改进服务",
            ),
        ),
        "柜面业务流水、监控录像及存款凭证",
        "《储蓄管理条例》及存款业务协议",
    ),
    Business(
        "B05",
        40,
        ("稳健型净值理财", "固定收益类理财", "封闭式理财产品"),
        (
            F(
                "C04",
                "客户称客户经理推荐购买理财产品时承诺“保本保收益”，到期后实际收益远低于宣传的业绩比较基准，"
                "且出现本金亏损约{amt}元。",
                "赔偿本金损失{amt}元",
                (2000, 80000),
            ),
            F(
                "C04",
                "客户已年逾七十，风险承受能力评估为稳健型，却被推荐购买了中高风险的理财产品，购买过程也未进行"
                "录音录像。",
                "全额退还本金并赔偿损失",
                (50000, 300000),
            ),
            F(
                "C08",
                "客户购买的净值型理财产品持有期间收益为负，客户认为银行未充分揭示产品风险。",
                "补偿收益损失",
                (1000, 30000),
            ),
        ),
        "风险测评问卷、产品说明书、双录影像及销售记录",
        "《商业银行理财业务监督管理办法》及理财产品销售文件",
    ),
    Business(
        "B0601",
        35,
        ("分红型保险", "年金保险", "重疾险"),
        (
            F(
                "C04",
                "客户到网点办理存款，被工作人员推荐购买了一份分红型保险，客户一直以为是存款产品，{n}年后才发现"
                "是保险且退保损失较大。",
                "全额退还保费{amt}元",
                (10000, 200000),
            ),
            F(
                "C09",
                "客户要求退保，银行称须联系保险公司办理，保险公司又称须银行出具证明，双方相互推诿。",
                "协调保险公司尽快办理退保",
                (5000, 100000),
            ),
        ),
        "代理销售记录、投保单、双录影像及与保险公司的沟通记录",
        "《商业银行代理保险业务管理办法》及投保文件",
    ),
    Business(
        "B0602",
        20,
        ("公募基金", "基金定投"),
        (
            F(
                "C05",
                "客户在客户经理推荐下购买基金，客户经理未告知认购费和赎回费，客户赎回时被扣除费用{amt}元。",
                "退还认购费和赎回费",
                (100, 3000),
            ),
        ),
        "基金交易确认单、风险测评及销售适当性记录",
        "《证券投资基金销售管理办法》及基金合同",
    ),
    Business(
        "B13",
        20,
        ("信用卡", "个人消费贷款"),
        (
            F(
                "C12",
                "客户反映银行委托的第三方催收机构在夜间多次拨打电话催收，并冒充司法机关工作人员，令客户恐慌。",
                "停止违规催收并追究催收机构责任",
            ),
        ),
        "催收作业记录、外包机构通话录音及委托协议",
        "我行催收业务管理办法及委托催收协议",
    ),
    Business(
        "B08",
        20,
        ("个人信息",),
        (
            F(
                "C11",
                "客户在网点办理业务后频繁接到各类营销电话，怀疑银行泄露了其个人信息。",
                "查明信息泄露原因并停止营销骚扰",
            ),
            F(
                "C11",
                "客户发现手机银行中留存的联系地址被他人修改，担心个人信息安全。",
                "查明修改记录并加强信息保护",
            ),
        ),
        "信息查询日志、营销名单来源及系统操作记录",
        "《个人信息保护法》及我行个人金融信息保护管理办法",
    ),
    Business(
        "B12",
        10,
        ("现金服务",),
        (
            F(
                "C03",
                "客户到网点兑换残损人民币，工作人员以“本网点不收残币”为由拒绝兑换。",
                "按规定兑换残损人民币",
            ),
            F(
                "C03",
                "客户在网点用现金缴费，工作人员拒收现金，要求客户使用手机支付。",
                "纠正拒收现金行为并道歉",
            ),
        ),
        "网点监控录像及现金业务登记",
        "《中国人民银行残缺污损人民币兑换办法》及整治拒收现金有关规定",
    ),
    Business(
        "B09",
        10,
        ("个人购汇",),
        (
            F(
                "C03",
                "客户办理个人购汇时被要求提供额外证明材料，办理时间过长影响了出国行程。",
                "说明材料要求依据并赔偿损失",
            ),
        ),
        "外汇业务系统记录及柜面业务流水",
        "《个人外汇管理办法》",
    ),
    Business(
        "B07",
        10,
        ("代缴费", "代发工资"),
        (
            F(
                "C03",
                "客户委托银行代缴的水电费连续{n}个月扣款失败，导致产生滞纳金，银行未及时提示。",
                "赔偿滞纳金损失",
                (20, 500),
            ),
        ),
        "代收付系统日志及委托协议",
        "代收付业务委托协议",
    ),
    Business(
        "B10",
        5,
        ("投资金条",),
        (
            F(
                "C08",
                "客户在网点购买的投资金条申请回购时，回购价格与购买时宣传的不一致。",
                "按宣传的回购规则办理",
                (1000, 20000),
            ),
        ),
        "贵金属销售及回购记录",
        "贵金属业务管理办法",
    ),
    Business(
        "B11",
        5,
        ("储蓄国债",),
        (
            F(
                "C01",
                "客户一早到网点购买储蓄国债，被告知额度已售罄，客户怀疑工作人员将额度留给了熟人。",
                "公开额度分配情况并改进销售方式",
            ),
        ),
        "国债销售系统记录及网点排队记录",
        "储蓄国债承销管理有关规定",
    ),
    Business(
        "B99",
        25,
        ("网点服务",),
        (
            F(
                "C02",
                "客户反映网点门前的无障碍通道被杂物占用，轮椅无法进入营业厅。",
                "清理无障碍通道并完善适老和助残设施",
            ),
            F(
                "C01",
                "客户反映网点保安人员态度粗暴，阻止其在营业厅内拍照取证。",
                "对相关人员批评教育并道歉",
            ),
        ),
        "网点监控录像及现场工作人员说明",
        "我行营业网点服务规范",
    ),
)
BUSINESS_BY_CODE = {b.code: b for b in BUSINESSES}

OPENERS: dict[str, tuple[str, ...]] = {
    "A0302": ("客户通过客服热线来电反映，", "客户致电客服中心投诉，", "客户来电称，"),
    "A01": ("客户到{outlet}现场反映，", "客户至网点柜台投诉称，", "客户在营业厅向大堂经理反映，"),
    "A0303": ("客户通过手机银行在线客服提交投诉，称", "客户在手机银行“我要投诉”栏目留言，称"),
    "A0304": ("客户通过微信公众号留言投诉，称", "客户在微信银行在线客服中投诉，称"),
    "A0301": ("客户通过网上银行留言投诉，称",),
    "A06": ("客户来信反映，", "收到客户邮寄的投诉信，信中称"),
    "A07": ("网点意见簿中有客户留言反映，",),
    "A02": ("客户在自助设备办理业务后投诉，",),
    "A04": ("客户通过第三方投诉平台投诉，称",),
    "A05": ("后台运营中心在处理业务时收到客户投诉，客户称",),
    "A08": ("有客户在社交媒体发帖投诉，经联系核实，客户反映",),
    "A0305": ("客户回复短信投诉，称",),
}
FORWARD_OPENERS: dict[str, str] = {
    Source.NFRA_TRANSFER: "国家金融监督管理总局{city}监管局转来投诉，投诉人反映：",
    Source.PBOC_TRANSFER: "中国人民银行{city}分行转办投诉，投诉人称：",
    Source.OTHER_REFERRAL: "当地消费者协会转来投诉，投诉人反映：",
}
EXTRAS = (
    "客户表示此前已多次拨打客服热线反映，但一直没有得到明确答复。",
    "客户情绪较为激动，表示如问题得不到解决将向监管部门反映。",
    "客户称已保留相关短信、通话记录和交易凭证，可以提供给银行核实。",
    "客户认为银行在业务办理过程中没有充分履行告知义务，侵害了其知情权。",
    "客户对银行的处理效率非常不满，希望尽快得到书面答复。",
    "客户称在网上看到过类似的投诉，怀疑并非个例。",
    "客户表示自己是银行多年的老客户，对此次遭遇感到失望。",
    "客户要求银行在处理过程中保护其个人隐私，不要联系其家属。",
    "客户补充说，事发后曾到网点当面沟通，网点负责人答应尽快处理，但至今没有下文。",
    "客户希望银行加强员工培训，避免类似问题再次发生。",
    "客户表示目前家庭经济较为困难，这笔费用对其影响较大。",
    "客户要求银行在{n}个工作日内给予答复。",
    "客户表示如银行不能妥善处理，将考虑通过诉讼途径解决。",
    "客户说明其年事已高，对手机银行等线上操作不熟悉，希望银行提供更便利的服务。",
    "客户称当时工作人员只让其在多处签字，没有解释文件内容，也没有给其留存合同副本。",
    "客户反映其曾向网点索要相关业务凭证，工作人员以系统原因为由拒绝提供。",
    "客户认为银行的答复前后矛盾，不同工作人员给出的说法不一致。",
)
DEMANDS = ("现要求{request}。", "客户要求{request}。", "投诉人诉求：{request}。", "希望银行{request}。")

MAJOR_FACTS = (
    (
        "B0601",
        "C04",
        "{people}名客户集体到{outlet}反映，称数年前在该网点办理存款时被工作人员推荐购买了分红型保险，"
        "当时被告知是“高息存款”，现集中要求全额退还保费。客户在营业厅内聚集，情绪激动，推选{reps}名代表与"
        "网点协商。",
        "全额退还保费并追究销售人员责任",
    ),
    (
        "B05",
        "C04",
        "{people}名客户集体到{outlet}投诉，称在该网点购买的同一款理财产品到期后出现本金亏损，认为销售时"
        "客户经理承诺保本、未揭示风险。客户推选{reps}名代表与银行协商，并表示将向媒体反映。",
        "赔偿本金损失并公开说明产品风险情况",
    ),
    (
        "B0201",
        "C03",
        "某楼盘{people}名购房人集体到{outlet}反映，因开发商项目停工，要求银行暂停按揭还款并核查贷款资金"
        "监管情况。购房人推选{reps}名代表递交书面材料。",
        "暂停还款、核查监管资金使用情况并协调各方处理",
    ),
)

VERIFY = (
    "经调取{evidence}，",
    "经核查{evidence}并与相关工作人员面谈，",
    "经调阅{evidence}并电话回访客户，",
)
FINDINGS = {
    "at_fault": (
        "确认工作人员在业务办理过程中未充分履行告知义务，客户反映的情况基本属实。",
        "确认我行相关系统参数配置有误，导致客户被错误收费。",
        "确认受托的第三方机构存在不当行为，我行对其管理不到位。",
        "确认网点服务流程执行不到位，客户反映的问题属实。",
    ),
    "valid": (
        "确认我行按合同约定和公示标准办理，相关处理符合规定，但对客户解释不够充分。",
        "确认客户反映的情况存在，但系客户对业务规则存在误解，我行处理符合规定。",
        "确认相关业务按监管规定和内部流程办理，客户诉求部分涉及合作机构，已协调其配合处理。",
    ),
    "invalid": (
        "未发现客户反映的情况，相关业务办理过程完整合规，客户所述与事实不符。",
        "确认交易系客户本人操作，相关处理符合规定。",
    ),
}
RESULTS = {
    "at_fault": (
        "同意客户的诉求，{remedy}；已对相关人员批评教育，并将整改措施纳入网点考核。",
        "我行向客户致歉，{remedy}，并已完成相关系统参数的更正。",
    ),
    "valid": (
        "已向客户详细解释相关规则和收费依据，经协商，{remedy}。",
        "我行维持原处理，已向客户说明依据，并告知后续可以选择的解决途径。",
    ),
    "invalid": ("我行维持原处理，已向客户说明核实情况和依据。",),
}
REMEDIES = (
    "退还相关费用",
    "减免相关利息和费用",
    "为客户办理更正",
    "一次性给予补偿",
    "协调合作机构退还款项",
    "为客户办理个性化还款安排",
)
ROOT_CAUSES = (
    "员工未按规定履行告知义务，营销话术未经消保审查。",
    "收费规则在系统中配置错误，上线前未经复核。",
    "第三方催收机构管理不到位，委托协议缺少对催收行为的约束。",
    "网点服务流程执行不到位，现场管理缺位。",
    "系统升级导致还款入账延迟，应急预案未及时启动。",
    "适当性管理执行不严，风险测评与产品风险等级不匹配。",
)
CONTACT_SUMMARIES = (
    "已电话联系客户，了解诉求并告知处理时限。",
    "已与客户取得联系，客户补充说明了事情经过。",
    "已联系客户并约定当面沟通时间。",
)
FOLLOW_UP_COMMENTS = {
    5: ("对处理结果满意。", "感谢银行的及时处理。", ""),
    4: ("基本满意。", "处理结果可以接受，希望以后改进。", ""),
    3: ("处理时间偏长。", "结果一般。"),
    2: ("对处理结果不太满意。", "认为补偿不足。"),
    1: ("不认可处理结果，保留进一步投诉的权利。",),
}
DECLINE_REASONS = (
    (
        "投诉提出人并非消费者本人、法定代理人或受托人，且未提供授权委托材料（第十八条第四款）。",
        "已电话告知投诉提出人不予受理的理由，并说明可由消费者本人或其授权代理人提出投诉。",
    ),
    (
        "来电内容为业务咨询，不涉及消费纠纷，不属于消费投诉。",
        "已告知来电人相关业务规则，并转客服咨询渠道处理。",
    ),
)
EXTENSION_REASONS = {
    30: "案情较复杂，需调取合作机构资料并核实多笔交易，依第十八条延长至30日。",
    60: "案情特别复杂，涉及外部机构核查，需再延长30日，报上级机构批准。",
}
PAUSE_DETAILS = {
    "appraisal": "委托司法鉴定机构对签名笔迹进行鉴定，鉴定期间不计入处理时限。",
    "mediation": "经客户同意，提交当地金融纠纷调解中心调解，调解期间不计入处理时限。",
}


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def pick_business(rng: random.Random) -> Business:
    return rng.choices(BUSINESSES, weights=[b.weight for b in BUSINESSES])[0]


def _slots(rng: random.Random, fact: Fact, receipt: dt.date) -> dict[str, Any]:
    before = receipt - dt.timedelta(days=rng.randint(1, 45))
    amount = rng.randint(*fact.amount) if fact.amount else None
    if amount is not None and amount >= 1000:
        amount = round(amount, -2)
    return {
        "d1": f"{before.month}月{before.day}日",
        "amt": f"{amount:,}" if amount is not None else "",
        "amount": amount,
        "n": rng.randint(2, 12),
        "rate": rng.choice(["3.6", "3.8", "4.2", "4.5"]),
    }


MIN_LENGTH, MAX_LENGTH = 100, 400  # characters of a description (the real texts: ~20 to ~1,000)


def description(
    rng: random.Random,
    *,
    fact: Fact,
    channel: str,
    source: str,
    branch_code: str,
    outlet: str,
    slots: dict[str, Any],
    target: int | None = None,
) -> tuple[str, str]:
    """(description, request): a synthetic complaint text of ~100–400 characters and the request."""
    city = CITIES.get(branch_code, "当地")
    if source in FORWARD_OPENERS:
        opener = FORWARD_OPENERS[source]
    else:
        opener = rng.choice(OPENERS.get(channel, ("客户反映，",)))
    values = {**slots, "outlet": outlet, "city": city}
    request = fact.request.format(**values)
    parts = [opener.format(**values) + fact.text.format(**values)]
    target = target or int(rng.triangular(MIN_LENGTH, MAX_LENGTH, 150))
    extras = rng.sample(EXTRAS, k=len(EXTRAS))
    demand = rng.choice(DEMANDS).format(request=request)
    length = len(parts[0]) + len(demand)
    while extras and length < target:
        sentence = extras.pop().format(n=rng.randint(3, 10))
        if length + len(sentence) <= MAX_LENGTH:
            parts.append(sentence)
            length += len(sentence)
    parts.append(demand)
    return "".join(parts), request


# --- people ---------------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    id_number: str
    phone: str
    account: str
    address: str

    def payload(self, rng: random.Random) -> dict[str, str]:
        data = {"name": self.name, "id_number": self.id_number, "phone": self.phone}
        if rng.random() < 0.5:
            data["account_number"] = self.account
        if rng.random() < 0.3:
            data["address"] = self.address
        return data


STREETS = ("中关村大街", "陆家嘴环路", "天河路", "建国路", "南京西路", "环市东路", "学院路", "漕溪北路")


def new_person(rng: random.Random, region: str) -> Person:
    return Person(
        name=synthetic_name(rng),
        id_number=synthetic_id_number(rng, region),
        phone=synthetic_phone(rng),
        account=synthetic_account(rng),
        address=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}单元",
    )


# --- the plan -------------------------------------------------------------------------------------------

DATE_ACTIONS = {"contact", "pause", "resume", "withdraw", "request_review"}
DataFn = Callable[[Complaint, dt.datetime], dict[str, Any]]


@dataclass
class Plan:
    index: int
    payload: dict[str, Any]
    last: dt.datetime  # time of the latest planned step
    complaint: Complaint | None = None
    reached: bool = False  # a pinned plan got as far as its `stop`


@dataclass(order=True)
class Step:
    at: dt.datetime
    seq: int
    plan: Plan = field(compare=False)
    action: str = field(compare=False)
    actor: User = field(compare=False)
    data: dict[str, Any] | DataFn = field(compare=False, default_factory=dict)


@dataclass
class Staff:
    """Who does what for one responsible unit."""

    unit: OrgUnit
    branch: OrgUnit | None
    handler: User
    assigner: User
    approver: User
    registrar: User  # for complaints made at the counter


@dataclass
class Life:
    """The parameters of one complaint's life; `stop` ends it after that action (pinned open states;
    besides action names: extend30 / extend60 stop after that extension request)."""

    decision_day: int = 5  # calendar days after receipt (paused days included)
    contact: bool = True
    contact_late: bool = False
    transfer: bool = False
    assist: bool = False
    pause: str = ""  # appraisal | mediation
    pause_day: int = 2
    pause_days: int | None = 14  # None: still paused
    extension: int = 0  # 30 | 60
    returned: bool = False
    follow_up: bool = True
    satisfaction: int = 5
    liability: str = "valid"
    review: bool = False
    review_decided: bool = True
    archive_after: int | None = 20
    end: str = ""  # withdraw | decline | merge
    end_day: int = 3
    merge_into: Plan | None = None
    new_facts: bool = False
    stop: str = ""


@dataclass
class DemoResult:
    created: int
    steps: int
    seconds: float
    statuses: dict[str, int]


class _Planner:
    """Plans complaints as timed steps (who does what, when, with which data); nothing is written yet."""

    def __init__(self, rng: random.Random, today: dt.date, limit: dt.datetime) -> None:
        self.rng = rng
        self.today = today
        self.limit = limit
        self.cal = get_calendar()
        self.tz = timezone.get_default_timezone()
        self.steps: list[Step] = []
        self.plans: list[Plan] = []
        self.seq = 0
        self.units = {u.code: u for u in OrgUnit.objects.filter(is_active=True)}
        self.users = {u.username: u for u in User.objects.filter(is_active=True).select_related("org_unit")}
        self.branches = sorted((u for u in self.units.values() if u.kind == "branch"), key=lambda u: u.code)
        self.persons: dict[str, list[Person]] = {b.code: [] for b in self.branches}
        from xiaobao.complaints.services import _approval_threshold

        self.threshold = _approval_threshold()

    # --- time helpers ---------------------------------------------------------------------------------

    def moment(self, day: dt.date, lo: float = 9.0, hi: float = 17.5) -> dt.datetime:
        minutes = self.rng.randint(int(lo * 60), int(hi * 60))
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        return timezone.make_aware(naive, self.tz)

    def local_day(self, at: dt.datetime) -> dt.date:
        return timezone.localtime(at, self.tz).date()

    def workday(self, day: dt.date) -> dt.date:
        return self.cal.next_workday(day)

    # --- staff ----------------------------------------------------------------------------------------

    def region(self, unit: OrgUnit) -> str:
        """A county-level GB/T 2260 code for synthetic ID numbers of the unit's customers."""
        branch = self.branch_of(unit)
        region = unit.region_code or (branch.region_code if branch else "") or "110101"
        return region[:4] + "01" if region.endswith("00") else region

    def branch_of(self, unit: OrgUnit) -> OrgUnit | None:
        return next((b for b in self.branches if unit.path.startswith(b.path)), None)

    def staff_for(self, unit: OrgUnit) -> Staff:
        u = self.users
        branch = self.branch_of(unit)
        if branch is None:  # head office: the consumer-protection department handles it
            hq = u["hq_handler"]
            return Staff(unit, None, hq, u["hq_cp"], u["approver"], u["hq_cp"])
        n = self.branches.index(branch) + 1
        branch_handler = u[f"branch{n}_handler"]
        handler = branch_handler
        sub = next(
            (p for p in self.units.values() if p.kind == "sub_branch" and unit.path.startswith(p.path)),
            None,
        )
        sub_handler = u.get(_sub_handler_name(sub)) if sub else None
        if sub_handler is not None and self.rng.random() < 0.85:
            handler = sub_handler
        return Staff(
            unit,
            branch,
            handler,
            u[f"branch{n}_cp"],
            u[f"branch{n}_approver"],
            sub_handler or u[f"branch{n}_cp"],
        )

    def pick_unit(self) -> OrgUnit:
        r = self.rng.random()
        if r < 0.08:
            return self.units["HO-CPD"]
        branch = self.rng.choices(self.branches, weights=[40, 35, 25][: len(self.branches)])[0]
        below = [x for x in self.units.values() if x.path.startswith(branch.path) and x != branch]
        outlets = [x for x in below if x.kind == "outlet"]
        subs = [x for x in below if x.kind == "sub_branch"]
        if r < 0.13 or not (outlets or subs):
            return branch
        if r < 0.28 and subs:
            return self.rng.choice(subs)
        return self.rng.choice(outlets or subs)

    def person(self, branch: OrgUnit | None, region: str) -> Person:
        pool = self.persons.setdefault(branch.code if branch else "HO", [])
        if pool and self.rng.random() < 0.12:
            return self.rng.choice(pool)
        person = new_person(self.rng, region)
        pool.append(person)
        return person

    # --- one complaint --------------------------------------------------------------------------------

    def add(self, plan: Plan, action: str, actor: User, day: dt.date, data: Any = None, **kw: Any) -> bool:
        """Schedule `action` on `day` (after the plan's last step); False when it falls after the limit."""
        at = self.moment(day, **kw)
        if at <= plan.last:
            at = plan.last + dt.timedelta(minutes=self.rng.randint(3, 40))
        if at > self.limit:
            return False
        plan.last = at
        self.seq += 1
        self.steps.append(Step(at, self.seq, plan, action, actor, data if data is not None else {}))
        return True

    def complaint(
        self,
        *,
        receipt: dt.date,
        life: Life,
        unit: OrgUnit | None = None,
        source: str | None = None,
        major: bool = False,
        person: Person | None = None,
        channel: str | None = None,
    ) -> Plan:
        rng = self.rng
        unit = unit or self.pick_unit()
        staff = self.staff_for(unit)
        source = source or weighted(rng, SOURCE_WEIGHTS)
        channel = channel or weighted(rng, CHANNEL_WEIGHTS)
        if major:
            biz_code, cause, text, request_text = rng.choice(MAJOR_FACTS)
            business = BUSINESS_BY_CODE[biz_code]
            fact = Fact(cause, text, request_text)
            channel = "A01"
        else:
            business = pick_business(rng)
            fact = rng.choice(business.facts)
        person = person or self.person(staff.branch, self.region(unit))
        central = channel in CENTRAL_CHANNELS or source != Source.DIRECT
        registrar = self.users["hq_cp"] if central else staff.registrar
        assigner = self.users["hq_cp"] if central else staff.assigner
        # time of receipt: the hotline and online channels around the clock, counters in opening hours
        lo, hi = (8.0, 21.5) if central else (9.0, 17.0)
        received = self.moment(receipt, lo, hi)
        if received + dt.timedelta(hours=1) > self.limit:
            received = self.limit - dt.timedelta(minutes=rng.randint(60, 240))
        slots = _slots(rng, fact, receipt)
        people = rng.randint(20, 80) if major else 1
        slots.update(people=people, reps=rng.randint(3, 5))
        outlet = unit.name if unit.kind == "outlet" else "网点"
        text, request = description(
            rng,
            fact=fact,
            channel=channel,
            source=source,
            branch_code=staff.branch.code if staff.branch else "B01",
            outlet=outlet,
            slots=slots,
        )
        groups: list[str] = []
        if rng.random() < (0.2 if business.code in {"B05", "B0601", "B01", "B0304"} else 0.05):
            groups.append("elderly")
        if rng.random() < 0.01:
            groups.append("disabled")
        tags = set()
        if source != Source.DIRECT:
            tags.add("regulatory")
        if channel == "A08" or major:
            tags.add("public_opinion")
        if groups:
            tags.add("special_group")
        if major or rng.random() < 0.02:
            tags.add("aggressive")
        amount = slots["amount"]
        payload: dict[str, Any] = {
            "received_at": received.isoformat(),
            "channel": channel,
            "business_type": business.code,
            "cause": fact.cause,
            "source": source,
            "org_unit": unit.code,
            "complainant": person.payload(rng),
            "complainant_role": "agent" if (groups and rng.random() < 0.3) else "self",
            "request": request,
            "description": text,
            "product": rng.choice(business.products),
            "amount_in_dispute": str(amount) if amount is not None else None,
            "special_groups": groups,
            "sensitivity_tags": sorted(tags),
            "people_count": people,
            "face_to_face": major,
        }
        if source != Source.DIRECT:
            prefix = "JGZB" if source == Source.NFRA_TRANSFER else "RHZB"
            payload["external_reference"] = f"{prefix}-{receipt:%Y%m%d}-{rng.randint(100, 999)}"
        first = min(received + dt.timedelta(minutes=rng.randint(2, 40)), self.limit - dt.timedelta(minutes=1))
        plan = Plan(len(self.plans), payload, first)
        self.plans.append(plan)
        needs_approval = (
            major or source != Source.DIRECT or (amount is not None and Decimal(amount) >= self.threshold)
        )
        self.seq += 1
        self.steps.append(Step(plan.last, self.seq, plan, "register", registrar, {}))
        self._life(plan, staff, assigner, receipt, life, business, needs_approval, channel)
        return plan

    def _life(
        self,
        plan: Plan,
        staff: Staff,
        assigner: User,
        receipt: dt.date,
        life: Life,
        business: Business,
        needs_approval: bool,
        channel: str,
    ) -> None:
        rng, add, wd = self.rng, self.add, self.workday
        day = lambda n: receipt + dt.timedelta(days=n)  # noqa: E731
        stop = life.stop

        def go(action: str, actor: User, on: dt.date, data: Any = None, **kw: Any) -> bool:
            """Schedule the step; False when the life ends here (after the limit, or at `stop`)."""
            ok = add(plan, action, actor, on, data, **kw)
            if ok and action == stop:
                plan.reached = True
                return False
            return ok

        if stop == "register":
            plan.reached = True
            return
        handler = staff.handler
        first = plan.last.date()
        if life.end == "merge" and life.merge_into is not None:
            target = life.merge_into
            go(
                "merge",
                assigner,
                first,
                lambda c, at: {"into": _reference(target), "new_facts": life.new_facts},
                lo=9,
                hi=23.9,
            )
            return
        if life.end == "decline":
            reason, notice = rng.choice(DECLINE_REASONS)
            go("decline", assigner, wd(first), {"reason": reason, "notice": notice})
            return
        # assignment (to the right unit, or first to a wrong one and then transferred)
        assign_data: dict[str, Any] = {"unit": staff.unit.code}
        if staff.handler.org_unit and staff.handler.org_unit.path.startswith(staff.unit.path):
            assign_data["handler"] = staff.handler.username
        if life.transfer:
            outlets = [x for x in self.units.values() if x.kind == "outlet" and x != staff.unit]
            wrong = rng.choice(outlets) if outlets else None
            if wrong is not None:
                wrong_staff = self.staff_for(wrong)
                if not go("assign", self.users["hq_cp"], wd(first), {"unit": wrong.code}, hi=18.5):
                    return
                reason = "经核实，该业务不属于本机构办理，转交实际办理机构处理。"
                if not go(
                    "transfer",
                    wrong_staff.assigner,
                    wd(first + dt.timedelta(days=1)),
                    {"unit": staff.unit.code, "reason": reason},
                ):
                    return
                assign_data = {}
        if assign_data and not go("assign", assigner, wd(first), assign_data, hi=18.5):
            return
        accept_day = wd(plan.last.date() + dt.timedelta(days=1 if rng.random() < 0.1 else 0))
        if not go("accept", handler, accept_day):
            return
        if life.contact:
            # first contact on the day of acceptance, or late (2–4 days after receipt) now and then
            contact_day = plan.last.date()
            if life.contact_late:
                contact_day = max(day(rng.randint(2, 4)), contact_day)
            data = {"method": "phone", "summary": rng.choice(CONTACT_SUMMARIES)}
            if not go("contact", handler, contact_day, data, lo=9, hi=19):
                return
        if life.end == "withdraw":
            go("withdraw", handler, max(day(life.end_day), plan.last.date()), {})
            return
        if life.assist:
            question = f"请协助核实客户{business.products[0]}业务的办理记录及相关合同条款。"
            if not go("assist", handler, wd(plan.last.date()), {"unit": "HO-RET", "question": question}):
                return
            answer = "经核查，相关业务按产品规则办理，合同及办理记录已随附，请结合客户诉求处理。"
            responder = self.users.get("retail_responder")
            if responder is not None and not go(
                "answer_assist",
                responder,
                wd(plan.last.date() + dt.timedelta(days=rng.randint(1, 3))),
                lambda c, at: {"assistance": _open_assistance(c), "answer": answer},
            ):
                return
        paused = 0
        if life.pause:
            pause_on = max(day(life.pause_day), plan.last.date())
            detail = PAUSE_DETAILS[life.pause]
            if not go("pause", handler, pause_on, {"reason": life.pause, "detail": detail}):
                return
            if life.pause_days is None:
                return
            paused = life.pause_days
            if not go("resume", handler, pause_on + dt.timedelta(days=paused), {}):
                return
        if life.extension:
            # NFRA rule: to 30 days freely, to 60 with approval; the PBoC preset only knows 60 with approval
            rule_pboc = plan.payload["source"] == Source.PBOC_TRANSFER
            approver = staff.approver
            told = lambda c, at: {"complainant_told_at": at.isoformat()}  # noqa: E731
            if not rule_pboc:
                on = max(day(rng.randint(10, 14) + paused), plan.last.date())
                if not go(
                    "extend",
                    handler,
                    on,
                    lambda c, at: {"to_days": 30, "reason": EXTENSION_REASONS[30], **told(c, at)},
                ):
                    return
                if stop == "extend30":
                    plan.reached = True
                    return
            if life.extension == 60 or rule_pboc:
                on = max(day(rng.randint(24, 28) + paused), plan.last.date())
                if rule_pboc:
                    on = max(day(rng.randint(10, 14) + paused), plan.last.date())
                if not go(
                    "extend",
                    handler,
                    on,
                    lambda c, at: {"to_days": 60, "reason": EXTENSION_REASONS[60], **told(c, at)},
                ):
                    return
                if stop == "extend60":
                    plan.reached = True
                    return
                if not go(
                    "approve_extension", approver, wd(plan.last.date() + dt.timedelta(days=rng.randint(0, 2)))
                ):
                    return
        decision = max(day(life.decision_day), plan.last.date())
        draft_day = max(decision - dt.timedelta(days=rng.randint(0, 2)), plan.last.date())
        verification = rng.choice(VERIFY).format(evidence=business.evidence) + rng.choice(
            FINDINGS[life.liability]
        )
        result = rng.choice(RESULTS[life.liability]).format(remedy=rng.choice(REMEDIES))
        draft = {
            "verification": verification,
            "basis": f"依据{business.basis}的相关规定。",
            "result": result,
        }
        if not go("draft", handler, wd(draft_day), draft):
            return
        if needs_approval:
            approver = self.users["approver"] if plan.payload["face_to_face"] else staff.approver
            if not go("submit", handler, plan.last.date()):
                return
            if life.returned:
                if not go(
                    "return",
                    approver,
                    wd(plan.last.date() + dt.timedelta(days=1)),
                    {"reason": "核实情况不够充分，请补充合作机构的书面说明后重新提交。"},
                ):
                    return
                if not go("draft", handler, wd(plan.last.date() + dt.timedelta(days=1)), draft):
                    return
                if not go("submit", handler, plan.last.date()):
                    return
            if not go("approve", approver, wd(plan.last.date() + dt.timedelta(days=rng.randint(0, 1)))):
                return
        method = {"A0302": "phone", "A06": "letter", "A01": "in_person"}.get(channel, "sms")
        if method == "in_person" and rng.random() < 0.6:
            method = "phone"
        notify_on = max(decision, plan.last.date())

        def notify_data(c: Complaint, at: dt.datetime) -> dict[str, Any]:
            proof = {
                "phone": f"通话录音 REC-{at:%Y%m%d}-{rng.randint(1000, 9999)}",
                "sms": f"短信平台发送回执 S{at:%y%m%d}-{rng.randint(100, 999)}",
                "letter": f"EMS挂号信 EA{rng.randint(10**8, 10**9 - 1)}CN",
                "in_person": "客户签收的书面答复回执",
            }[method]
            return {"method": method, "at": at.isoformat(), "proof": proof}

        if not go("notify", handler, notify_on, notify_data, lo=9, hi=20):
            return
        after_notify = plan.last.date()
        if life.follow_up:
            score = life.satisfaction
            comment = rng.choice(FOLLOW_UP_COMMENTS[score])
            on = wd(after_notify + dt.timedelta(days=rng.randint(1, 5)))
            if not go("follow_up", handler, on, {"satisfaction": score, "comment": comment}):
                return
        close: dict[str, Any] = {"liability": life.liability}
        if life.liability == "at_fault":
            close["root_cause"] = rng.choice(ROOT_CAUSES)
            amount = plan.payload.get("amount_in_dispute")
            if amount and rng.random() < 0.7:
                close["redress_amount"] = amount
                close["redress_paid_at"] = None  # set from the step's day below
            close["case_library"] = rng.random() < 0.05

        def close_data(c: Complaint, at: dt.datetime) -> dict[str, Any]:
            data = dict(close)
            if "redress_paid_at" in data:
                data["redress_paid_at"] = self.local_day(at).isoformat()
            return data

        if not go("close", handler, wd(plan.last.date() + dt.timedelta(days=rng.randint(0, 2))), close_data):
            return
        if life.review:
            request_on = after_notify + dt.timedelta(days=rng.randint(5, 25))
            if not go("request_review", handler, max(request_on, plan.last.date())):
                return
            if not life.review_decided:
                return
            # the superior unit reviews (Art 20): a branch reviews its sub-branches' and outlets' decisions
            below_branch = staff.branch is not None and staff.unit != staff.branch
            reviewer = staff.approver if below_branch else self.users["approver"]
            result = "经复核，原处理程序合规、时限符合规定，处理结果适当，维持原处理意见。"
            on = wd(plan.last.date() + dt.timedelta(days=rng.randint(5, 25)))
            if not go("decide_review", reviewer, on, {"result": result}):
                return
        if life.archive_after is not None:
            go("archive", handler, wd(plan.last.date() + dt.timedelta(days=life.archive_after)))


def _reference(plan: Plan) -> str:
    if plan.complaint is None:
        raise RuntimeError(f"demo complaint #{plan.index} was not registered")
    return plan.complaint.reference


def _open_assistance(c: Complaint) -> int | None:
    return c.assistances.filter(answered_at__isnull=True).values_list("pk", flat=True).first()


def _sub_handler_name(sub: OrgUnit | None) -> str:
    """branch1_sub2_handler for B01-02."""
    if sub is None or "-" not in sub.code:
        return ""
    b, s = sub.code.split("-", 1)
    return f"branch{int(b[1:])}_sub{int(s)}_handler"


# --- the year's mix -------------------------------------------------------------------------------------

PinnedMaker = Callable[[random.Random], tuple[int, Life, dict[str, Any]]]


def _pinned_table() -> list[tuple[str, PinnedMaker]]:
    """Open states every demo shows at `today`: (name, rng → (days before today, life, options))."""
    direct = {"source": Source.DIRECT}

    def drafted(r: random.Random) -> tuple[int, Life, dict[str, Any]]:
        age = r.randint(3, 10)
        return age, Life(decision_day=age, stop="draft"), direct

    def pending(r: random.Random) -> tuple[int, Life, dict[str, Any]]:
        age = r.randint(3, 10)
        return age, Life(decision_day=age, stop="submit"), {"source": Source.NFRA_TRANSFER}

    def decided(r: random.Random) -> tuple[int, Life, dict[str, Any]]:
        age = r.randint(4, 12)
        return age, Life(decision_day=age - r.randint(0, 2), stop="notify"), {}

    def followed(r: random.Random) -> tuple[int, Life, dict[str, Any]]:
        age = r.randint(8, 16)
        return age, Life(decision_day=age - r.randint(5, 7), stop="follow_up"), {}

    def paused(reason: str) -> PinnedMaker:
        def make(r: random.Random) -> tuple[int, Life, dict[str, Any]]:
            life = Life(pause=reason, pause_day=r.randint(2, 4), pause_days=None, stop="pause")
            return r.randint(6, 25), life, {}

        return make

    return [
        ("registered", lambda r: (0, Life(stop="register"), {})),
        ("assigned", lambda r: (r.randint(0, 1), Life(stop="assign"), {})),
        ("in_progress", lambda r: (r.randint(1, 5), Life(decision_day=30, stop="contact"), {})),
        ("due_soon", lambda r: (r.randint(11, 13), Life(decision_day=30, stop="contact"), direct)),
        ("overdue", lambda r: (r.randint(18, 35), Life(decision_day=60, stop="contact"), direct)),
        (
            "extended_30",
            lambda r: (r.randint(17, 24), Life(extension=30, decision_day=29, stop="extend30"), direct),
        ),
        (
            "extended_60",
            lambda r: (
                r.randint(33, 50),
                Life(extension=60, decision_day=59, stop="approve_extension"),
                direct,
            ),
        ),
        ("extension_pending", lambda r: (29, Life(extension=60, stop="extend60"), direct)),
        ("paused_appraisal", paused("appraisal")),
        ("paused_mediation", paused("mediation")),
        ("drafted", drafted),
        ("pending_approval", pending),
        ("decided", decided),
        ("followed_up", followed),
        (
            "closed",
            lambda r: (
                r.randint(20, 30),
                Life(decision_day=r.randint(3, 9), archive_after=None, stop="close"),
                {},
            ),
        ),
        (
            "under_review",
            lambda r: (
                r.randint(22, 40),
                Life(decision_day=r.randint(3, 8), review=True, review_decided=False, stop="request_review"),
                {},
            ),
        ),
        ("major_open", lambda r: (r.randint(3, 10), Life(decision_day=30, stop="contact"), {"major": True})),
    ]


# Special lives over the year, as shares of `count` (the rest follow the ordinary path).
KIND_SHARES: list[tuple[str, float, int]] = [  # kind, share, minimum
    ("merge_pair", 0.0075, 1),
    ("decline", 0.015, 1),
    ("withdraw", 0.02, 1),
    ("major", 1 / 300, 1),
    ("review", 0.025, 1),
    ("ext60", 0.015, 1),
    ("ext30", 0.05, 1),
    ("pause", 0.03, 1),
    ("late", 0.03, 1),
    ("transfer", 0.02, 1),
    ("assist", 0.03, 1),
]


class _YearPlanner(_Planner):
    """The mix of a year: pinned open states first, then ordinary and special lives over 365 days."""

    def life_for(self, kind: str) -> Life:
        rng = self.rng
        life = Life()
        u = rng.random()
        life.decision_day = (
            rng.randint(0, 1) if u < 0.22 else rng.randint(2, 7) if u < 0.62 else rng.randint(8, 14)
        )
        life.contact_late = rng.random() < 0.06
        life.returned = rng.random() < 0.1
        life.follow_up = rng.random() < 0.93
        life.satisfaction = rng.choices([5, 4, 3, 2, 1], weights=[55, 28, 10, 5, 2])[0]
        life.liability = rng.choices(["invalid", "valid", "at_fault"], weights=[18, 47, 35])[0]
        life.archive_after = rng.randint(3, 40)
        if kind == "decline":
            life.end = "decline"
        elif kind == "withdraw":
            life.end, life.end_day = "withdraw", rng.randint(1, 10)
        elif kind == "review":
            life.review = True
        elif kind == "ext30":
            life.extension, life.decision_day = 30, rng.randint(17, 29)
        elif kind == "ext60":
            life.extension, life.decision_day = 60, rng.randint(32, 58)
        elif kind == "pause":
            life.pause = rng.choice(["appraisal", "mediation"])
            life.pause_day, life.pause_days = rng.randint(2, 6), rng.randint(7, 45)
            life.decision_day = life.pause_day + life.pause_days + rng.randint(2, 9)
        elif kind == "late":
            life.decision_day = rng.randint(17, 26)
        elif kind == "transfer":
            life.transfer = True
        elif kind == "assist":
            life.assist, life.decision_day = True, max(life.decision_day, 5)
        elif kind == "major":
            life.decision_day = rng.randint(10, 14)
            life.satisfaction = rng.choice([3, 4, 4, 5])
            life.liability = rng.choice(["valid", "at_fault"])
        # decided on the first day: the notice is the first contact (no separate contact step)
        life.contact = not (life.decision_day <= 1 and rng.random() < 0.7)
        return life

    def anchor(self) -> dt.date:
        """The last working day whose office hours have begun by the limit: pinned states count from it, so a
        demo loaded on a Sunday or early in the morning still shows complaints awaiting each next step."""
        day = self.limit.date()
        if self.limit.hour < 10:
            day -= dt.timedelta(days=1)
        while not self.cal.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def pinned(self, make: PinnedMaker) -> Plan | None:
        anchor = self.anchor()
        for _ in range(12):
            offset, life, options = make(self.rng)
            mark_steps, mark_plans = len(self.steps), len(self.plans)
            plan = self.complaint(receipt=anchor - dt.timedelta(days=offset), life=life, **options)
            if plan.reached:
                return plan
            del self.steps[mark_steps:]
            del self.plans[mark_plans:]
        return None

    def build(self, count: int) -> None:
        rng = self.rng
        k = 1 + count // 500
        table = [maker for _name, maker in _pinned_table() for _ in range(k)]
        for make in table[: count // 2]:
            self.pinned(make)
        remaining = count - len(self.plans)
        kinds: list[str] = []
        for kind, share, minimum in KIND_SHARES:
            n = max(minimum, round(count * share))
            kinds += [kind] * n
        size = lambda kind: 2 if kind == "merge_pair" else 1  # noqa: E731
        chosen: list[str] = []
        for kind in kinds:
            if sum(map(size, chosen)) + size(kind) <= remaining:
                chosen.append(kind)
        chosen += ["normal"] * (remaining - sum(map(size, chosen)))
        rng.shuffle(chosen)
        days = [self.today - dt.timedelta(days=d) for d in range(365)]
        weights = [1.0 if self.cal.is_workday(d) else 0.55 for d in days]
        for kind in chosen:
            receipt = rng.choices(days, weights=weights)[0]
            if kind == "merge_pair":
                self._merge_pair(receipt)
                continue
            life = self.life_for(kind)
            options: dict[str, Any] = {"major": kind == "major"}
            if kind in {"ext30", "ext60", "pause"}:
                options["source"] = rng.choice([Source.DIRECT] * 4 + [Source.NFRA_TRANSFER])
            self.complaint(receipt=receipt, life=life, **options)

    def _merge_pair(self, receipt: dt.date) -> None:
        """A repeat by the same complainant while the first complaint is open, merged into it (Art 18 ¶3)."""
        rng = self.rng
        gap = rng.randint(1, 4)
        receipt = min(receipt, self.today - dt.timedelta(days=gap))
        unit = self.pick_unit()
        person = new_person(rng, self.region(unit))
        life = self.life_for("normal")
        life.decision_day = max(life.decision_day, gap + 3)
        target = self.complaint(receipt=receipt, life=life, unit=unit, person=person, source=Source.DIRECT)
        repeat = Life(end="merge", merge_into=target, new_facts=rng.random() < 0.3)
        self.complaint(
            receipt=receipt + dt.timedelta(days=gap),
            life=repeat,
            unit=unit,
            person=person,
            source=Source.DIRECT,
        )


# --- replay ---------------------------------------------------------------------------------------------


def _ensure_sub_branch_handlers(rng: random.Random) -> None:
    """One complaint handler per sub-branch (branch1_sub1_handler …), so handling is spread as at a bank."""
    from xiaobao.core.services.accounts import user_create

    for sub in OrgUnit.objects.filter(kind="sub_branch", is_active=True).order_by("code"):
        username = _sub_handler_name(sub)
        if username and not User.objects.filter(username=username).exists():
            user_create(
                actor=None,
                username=username,
                full_name=synthetic_name(rng),
                org_unit=sub,
                roles=["complaint_handler"],
                password=DEMO_PASSWORD,
            )


def _replay(steps: list[Step], tz: Any, progress: Callable[[int, int], None] | None) -> None:
    """Every step through the services, recorded at its own moment (`at=`: no clock is moved)."""
    from xiaobao.complaints.services import complaint_register, complaint_transition

    for i, step in enumerate(steps, start=1):
        plan = step.plan
        try:
            if step.action == "register":
                plan.complaint, _ = complaint_register(actor=step.actor, data=plan.payload, at=step.at)
            elif plan.complaint is not None:
                data = step.data(plan.complaint, step.at) if callable(step.data) else dict(step.data)
                if step.action in DATE_ACTIONS:
                    data["date"] = timezone.localtime(step.at, tz).date().isoformat()
                plan.complaint = complaint_transition(
                    actor=step.actor, complaint=plan.complaint, action=step.action, data=data, at=step.at
                )
                _stamp(step, plan.complaint)
        except Exception as exc:
            raise RuntimeError(
                f"demo complaint #{plan.index}: {step.action} by {step.actor.username} at {step.at} "
                f"failed: {exc!r}"
            ) from exc
        if progress and (i % 1000 == 0 or i == len(steps)):
            progress(i, len(steps))


# The rows a step creates (True) or decides (False) besides the complaint's own, and their model.
STAMPED: dict[str, tuple[type[Extension] | type[Assistance], bool]] = {
    "extend": (Extension, True),
    "approve_extension": (Extension, False),
    "assist": (Assistance, True),
    "answer_assist": (Assistance, False),
}


def _stamp(step: Step, complaint: Complaint) -> None:
    """Date the extension or assistance row the step wrote (its created/updated time) at the step."""
    if step.action not in STAMPED:
        return
    model, created = STAMPED[step.action]
    rows = model._default_manager.filter(complaint=complaint)
    row = rows.order_by("-pk" if created else "-updated_at").values_list("pk", flat=True).first()
    if row is not None:
        stamp = {"created_at": step.at, "updated_at": step.at} if created else {"updated_at": step.at}
        rows.filter(pk=row).update(**stamp)


def _date_complaints(since: dt.datetime) -> None:
    """The complaints (and their new complainants) carry the times of their first and last steps, not the
    time of loading: their created/updated stamps are written by the database's clock."""
    events = ComplaintEvent.objects.filter(complaint=OuterRef("pk"))
    Complaint.objects.update(
        created_at=Subquery(events.order_by("at", "id").values("at")[:1]),
        updated_at=Subquery(events.order_by("-at", "-id").values("at")[:1]),
    )
    first = Complaint.objects.filter(complainant=OuterRef("pk")).order_by("created_at").values("created_at")
    Consumer.objects.filter(created_at__gte=since, complaints__isnull=False).distinct().update(
        created_at=Subquery(first[:1]), updated_at=Subquery(first[:1])
    )


def _recompute_for(today: dt.date) -> int:
    """Recompute every clock still waiting for something, as of `today` (the replay left each clock as of
    its complaint's last step)."""
    from xiaobao.complaints.choices import ClockState
    from xiaobao.complaints.services import complaint_recompute_clocks

    waiting = (
        Clock.objects.filter(met_on__isnull=True)
        .exclude(state=ClockState.STOPPED)
        .values_list("complaint_id", flat=True)
    )
    complaints = Complaint.objects.filter(pk__in=set(waiting))
    for c in complaints:
        complaint_recompute_clocks(c, today=today)
    return len(complaints)


def _date_notifications() -> None:
    """Date each workflow notification at the step that sent it (sent on commit, they carry the time of
    loading): its key ends with the complaint's version before that step, the step's index among the
    complaint's events; "major" comes with the registration."""
    steps: dict[int, list[dt.datetime]] = {}
    for complaint_id, at in ComplaintEvent.objects.order_by("complaint_id", "at", "id").values_list(
        "complaint_id", "at"
    ):
        steps.setdefault(complaint_id, []).append(at)
    dated = []
    for n in Notification.objects.exclude(kind="early_warning").exclude(complaint__isnull=True):
        parts = n.dedupe_key.split(":")
        index = 0 if n.kind == "major" else int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else -1
        times = steps.get(n.complaint_id or 0, [])
        if 0 <= index < len(times):
            n.created_at = times[index]
            dated.append(n)
    Notification.objects.bulk_update(dated, ["created_at"], batch_size=500)


def _read_settled_notifications() -> None:
    """Staff have read the notifications about complaints that are over; open ones stay unread."""
    from xiaobao.complaints.notifications import mark_read

    settled = Notification.objects.filter(read_at__isnull=True).exclude(
        complaint__status__in=Status.open_statuses()
    )
    by_user: dict[int, list[int]] = {}
    for pk, user_id in settled.values_list("pk", "user_id"):
        by_user.setdefault(user_id, []).append(pk)
    for user in User.objects.filter(pk__in=by_user):
        mark_read(user, by_user[user.pk])


def complaints_demo_load(
    seed: int = 20261123,
    count: int = DEFAULT_COUNT,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Load `count` synthetic complaints received over the 365 days up to `today` (default: today).

    Needs the demo bank (`xiaobao.core.demo.demo_load`). Does nothing when complaints exist already. All or
    nothing: one transaction.
    """
    import time

    if Complaint.objects.exists():
        return DemoResult(0, 0, 0.0, {})
    needed = {"hq_cp", "hq_handler", "approver", "branch1_cp", "branch1_handler", "branch1_approver"}
    if set(User.objects.filter(username__in=needed).values_list("username", flat=True)) != needed:
        raise RuntimeError("Load the demo bank first (xiaobao demo_load).")
    started, loading_since = time.perf_counter(), timezone.now()
    tz = timezone.get_default_timezone()
    real_today = timezone.localdate()
    today = today or real_today
    if today == real_today:
        limit = timezone.localtime(timezone.now(), tz) - dt.timedelta(minutes=1)
    else:
        limit = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59)), tz)
    with transaction.atomic():
        _ensure_sub_branch_handlers(random.Random(seed + 1))
        planner = _YearPlanner(random.Random(seed), today, limit)
        planner.build(count)
        steps = sorted(planner.steps)
        if steps:
            _replay(steps, tz, progress)
        _recompute_for(today)
        _date_complaints(loading_since)
    # the services notify on commit: after their notifications (at once, unless inside an outer transaction)
    transaction.on_commit(_date_notifications)
    transaction.on_commit(_read_settled_notifications)
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    return DemoResult(len(planner.plans), len(steps), time.perf_counter() - started, dict(statuses))
