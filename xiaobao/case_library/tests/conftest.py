"""Shared fixtures of the case library's tests: a closed complaint full of personal data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_user

SH = ZoneInfo("Asia/Shanghai")
NAME, PHONE, ID_NO, CARD = "王芳", "13912345678", "110108199003070024", "6222020200112233445"
ADDRESS = "北京市海淀区中关村大街1号"
DESCRIPTION = (
    f"客户{NAME}（身份证{ID_NO}，手机{PHONE}）称，2026年3月在海淀支行办理信用卡，卡号{CARD}，"
    "客户经理李强承诺首年免年费，实际被扣收年费600元。王女士住朝阳区望京西路48号3号楼2单元1201室。"
)


@pytest.fixture
def closed_complaint(org):
    """A closed complaint of branch 1's sub-branch flagged for the case library, its texts full of personal
    data; the handler is named 刘明."""
    from xiaobao.complaints.models import Complaint
    from xiaobao.complaints.services import complaint_register

    clerk = make_user("cl_clerk", org.b1s, ["complaint_handler"])
    clerk.full_name = "刘明"
    clerk.save(update_fields=["full_name"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 11, 0, tzinfo=SH)):
        complaint, _ = complaint_register(
            actor=clerk,
            data={
                "received_at": "2026-03-02T10:30:00+08:00",
                "channel": "A01",
                "business_type": "B01",
                "cause": "C01",
                "org_unit": org.b1s.code,
                "complainant": {"name": NAME, "phone": PHONE, "id_number": ID_NO, "address": ADDRESS},
                "request": f"退还年费600元，回电{PHONE}",
                "description": DESCRIPTION,
            },
        )
    Complaint.objects.filter(pk=complaint.pk).update(
        status="closed",
        case_library=True,
        handler=clerk,
        closed_at=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH),
        decision_verification=f"调取录音，刘明核实客户经理确有承诺；客户{NAME}提供了卡号{CARD}的账单。",
        decision_basis="依据信用卡章程第十二条。",
        decision_result=f"退还年费600元至尾号{CARD[-4:]}的卡。",
        root_cause="营销话术未经审核，年费减免规则未同步至系统。",
        liability="at_fault",
    )
    return Complaint.objects.get(pk=complaint.pk)
