"""Demo case library (`Module.demo`): twelve head-office entries written as a consumer-protection department
would (published to the whole institution), a few branch entries drafted from the demo's closed complaints
flagged for the library (anonymised through the same service as the page), and one circulation of five cases
to the branches that about half the readers have opened and confirmed. Written through the services."""

from __future__ import annotations

import contextlib
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xiaobao.core.errors import DomainError

# (title, business type, cause, tags, facts, handling, outcome, lessons)
CASES: list[tuple[str, str, str, list[str], str, str, str, str]] = [
    (
        "信用卡首年免年费承诺未兑现引发投诉",
        "B0303",
        "C04",
        ["销售误导", "费用收取"],
        "客户A女士在网点办理信用卡时，客户经理口头告知“首年免年费、刷卡三次次年免年费”。客户按要求刷卡后仍被扣收年费600元，认为银行营销宣传与实际不符，要求退还年费并道歉。",
        "消保部门调取办卡时的营销话术记录和申请材料，确认宣传单页未载明免年费条件，客户经理口头承诺超出产品规则；约见客户当面说明并致歉。",
        "退还年费600元，客户表示满意并撤回投诉。",
        "营销话术须经消保审查，口头承诺不得超出产品条款；对费用减免条件应书面告知并留痕。",
    ),
    (
        "老年客户大额存单被引导购买保险",
        "B0601",
        "C04",
        ["销售误导", "适老化服务", "特殊群体"],
        "客户B先生（78岁）到期支取大额存单时，被理财经理推荐“收益更高的存款产品”，签署后发现实为五年期分红型保险，退保将损失本金。客户子女陪同投诉。",
        "调取双录视频发现未充分揭示产品为保险、未提示犹豫期和退保损失；启动适当性评估复核，认定客户风险承受能力与产品不匹配。",
        "协调保险公司全额退保，银行承担差额损失；对理财经理进行问责。",
        "向65岁以上客户销售代理保险必须全程双录并由第二人复核；禁止以“存款”“理财”名义销售保险。",
    ),
    (
        "个人住房贷款提前还款违约金收取争议",
        "B0201",
        "C07",
        ["费用收取", "信息披露"],
        "客户C女士申请提前结清房贷，被告知需支付违约金1%。客户称签约时未被告知该条款，且合同条款字体过小，要求免收。",
        "核查合同，违约金条款已约定但未做显著提示；查询同期政策，我行已对满三年的贷款取消违约金，客户贷款满三年零两个月。",
        "按政策免收违约金，并向客户书面说明。",
        "合同中与客户重大利害相关的条款须加粗提示并逐项讲解；政策调整后系统参数须及时同步。",
    ),
    (
        "借记卡境外盗刷后账户冻结处理不及时",
        "B0302",
        "C10",
        ["资金安全", "系统故障"],
        "客户D先生凌晨收到境外消费短信提醒，连续拨打客服热线要求冻结，排队等待二十余分钟，期间又被盗刷两笔，共计损失8,600元。",
        "核实客服热线夜间坐席不足，挂失菜单层级过深；协助客户报案并发起拒付，同时评估银行责任。",
        "拒付成功追回6,200元，银行对等待期间发生的两笔损失先行赔付2,400元。",
        "夜间应保留“一键冻结”快捷通道；风险交易监测规则应覆盖凌晨境外连续小额试探交易。",
    ),
    (
        "催收人员多次致电客户亲属",
        "B0303",
        "C12",
        ["催收行为", "个人信息保护"],
        "客户E先生信用卡逾期两个月，外包催收人员多次拨打其亲属和同事电话，透露其欠款信息，客户认为侵犯隐私，向监管部门投诉。",
        "调取催收录音，确认催收员向第三人透露债务信息，违反委外催收管理规定；暂停该外包机构相关业务。",
        "向客户致歉，协商个性化分期还款方案；对外包机构扣减服务费并约谈。",
        "委外催收须严格限定联系对象，不得向无关第三人透露债务信息；每月抽检催收录音不少于一定比例。",
    ),
    (
        "手机银行转账限额调整未提前告知",
        "B0403",
        "C05",
        ["信息披露", "系统故障"],
        "客户F女士支付购房首付款时，发现手机银行单笔转账限额由50万元下调至20万元，无法按时付款，产生违约风险。",
        "核实限额调整仅在官网发布公告，未通过短信或App消息推送告知存量客户；为客户开通临时柜面大额转账。",
        "当日完成转账，未产生违约；客户接受解释。",
        "涉及客户权益的服务规则调整，应提前通过多渠道告知，并在App关键页面提示。",
    ),
    (
        "网点未提供轮椅通道，残障客户办理业务受阻",
        "B01",
        "C02",
        ["适老化服务", "特殊群体"],
        "客户G先生乘坐轮椅到网点办理存款，网点门口有台阶且无坡道，保安称“请家人代办”，客户认为受到歧视。",
        "网点负责人当即上门致歉，临时安排移动设备上门服务；分行排查辖内网点无障碍设施情况。",
        "两周内完成网点坡道改造，客户业务当场办结。",
        "网点无障碍设施纳入服务检查清单；对保安和大堂人员开展特殊群体服务培训。",
    ),
    (
        "理财产品风险等级与客户风险承受能力不匹配",
        "B05",
        "C06",
        ["销售误导", "信息披露"],
        "客户H女士风险测评为“稳健型”，却被推荐购买R4级权益类理财产品，产品净值下跌18%，客户要求赔偿损失。",
        "核查发现风险测评问卷由理财经理代填，存在诱导勾选；系统未拦截超风险等级购买。",
        "按过错比例赔偿客户部分损失，系统增加超风险等级购买强制拦截。",
        "严禁代客填写风险测评；超风险等级销售应有系统硬控制而非仅弹窗提示。",
    ),
    (
        "个人征信异议处理超期",
        "B08",
        "C11",
        ["个人信息保护", "多元化解"],
        "客户J先生发现征信报告中有一笔非本人办理的贷款逾期记录，提出异议后二十个工作日未获答复，影响其办理房贷。",
        "核实为冒名办理的消费贷款，内部流转环节延误；立即向征信中心报送更正并出具情况说明。",
        "五个工作日内完成征信更正，配合客户向公安机关报案。",
        "征信异议须设定内部处理时限并纳入督办；冒名贷款线索应同步移送反欺诈部门。",
    ),
    (
        "代理基金赎回到账延迟",
        "B0602",
        "C03",
        ["服务态度", "信息披露"],
        "客户K女士赎回基金后，按网点告知的T+1日未收到款项，多次询问网点均答复“系统问题请等待”，实际到账用时五个工作日。",
        "核实该基金为QDII产品，赎回到账周期较长，网点人员不熟悉产品规则；未在赎回时提示到账时间。",
        "向客户说明原因并致歉，赠送积分作为补偿。",
        "代销产品的关键规则（到账时间、费率）应在交易确认页面显著提示；加强代销产品知识培训。",
    ),
    (
        "柜员服务态度生硬引发二次投诉",
        "B01",
        "C01",
        ["服务态度", "重复投诉"],
        "客户L先生办理挂失补卡时因证件问题被拒，柜员态度生硬、未解释原因，客户首次投诉后网点未回访，客户再次拨打监管热线投诉。",
        "调取监控和录音，确认柜员未履行告知义务；首次投诉被网点记为“已解释”未实际联系客户。",
        "网点负责人上门致歉，协助客户补办证件后完成补卡；对首次投诉处理不实问责。",
        "首次投诉必须实质联系客户并留痕；二次投诉纳入分行重点督办。",
    ),
    (
        "贷款捆绑销售保险被认定侵犯自主选择权",
        "B0202",
        "C06",
        ["销售误导", "溯源整改"],
        "客户M女士申请消费贷款时被告知“必须购买意外险才能放款”，保费1,200元从贷款中直接扣除，客户认为属于捆绑销售。",
        "核查该行贷款审批规则并无强制投保要求，系个别客户经理为完成代理保险任务的违规行为；溯源发现同类情况另有12笔。",
        "为客户办理退保并退还保费；对同类12笔业务主动联系客户，自愿退保。",
        "禁止将代理保险与贷款审批挂钩；考核指标不得设置诱发违规销售的任务。",
    ),
]

CIRCULATION_MESSAGE = "请各分行组织消保专员和投诉处理人员于本月内学习以下典型案例，并结合本机构情况开展自查。"


def case_library_demo_load(*, seed: int = 20261701) -> dict[str, int]:
    from xiaobao.case_library.models import CaseEntry
    from xiaobao.case_library.selectors import proposals
    from xiaobao.case_library.services import (
        circulation_send,
        entry_create,
        entry_publish,
        receipt_acknowledge,
        receipt_open,
    )
    from xiaobao.core.models import OrgUnit, User

    rng = random.Random(seed)
    hq = User.objects.filter(username="hq_cp").first()
    if hq is None:
        return {"entries": 0}
    made: list[CaseEntry] = []
    with transaction.atomic():
        for i, (title, bt, cause, tags, facts, handling, outcome, lessons) in enumerate(CASES):
            data: dict[str, Any] = {
                "title": title,
                "business_type": bt,
                "cause": cause,
                "tags": tags,
                "facts": facts,
                "handling": handling,
                "outcome": outcome,
                "lessons": lessons,
                "year": 2025 + (i % 2),
            }
            made.append(entry_publish(actor=hq, entry=entry_create(actor=hq, data=data)))
    # branch officers turn some of the complaints proposed by their handlers into entries
    drafted = 0
    for officer in User.objects.filter(username__in=["branch1_cp", "branch2_cp"]).order_by("username"):
        for complaint in list(proposals(officer, limit=3)):
            try:
                entry = entry_create(actor=officer, data={"tags": ["溯源整改"]}, complaint=complaint)
            except (ValidationError, DomainError):  # texts the checks refuse: stays a proposal
                continue
            drafted += 1
            if drafted % 2:
                with contextlib.suppress(ValidationError, DomainError):  # else a draft for the officer
                    entry_publish(actor=officer, entry=entry)
    branches = list(OrgUnit.objects.filter(kind="branch", is_active=True).order_by("path"))
    readers = 0
    if branches:
        circ = circulation_send(
            actor=hq,
            entry_ids=[e.pk for e in made[:5]],
            unit_ids=[b.pk for b in branches],
            message=CIRCULATION_MESSAGE,
        )
        receipts = list(circ.receipts.select_related("user"))
        readers = len(receipts)
        for r in receipts:
            roll = rng.random()
            if roll < 0.5:
                receipt_acknowledge(user=r.user, circulation=circ)
            elif roll < 0.7:
                receipt_open(user=r.user, circulation=circ)
    return {"entries": len(made) + drafted, "readers": readers}


def load(command: Any, **opts: Any) -> None:
    from xiaobao.case_library.models import CaseEntry

    out = command.stdout
    if CaseEntry.objects.exists():
        out.write("Demo case library already loaded.")
        return
    r = case_library_demo_load()
    out.write(
        command.style.SUCCESS(
            f"Demo case library loaded: {r['entries']} entries, "
            f"one circulation to {r.get('readers', 0)} readers."
        )
    )
