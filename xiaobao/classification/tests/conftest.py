"""Fixtures for the classification tests: synthetic Chinese complaints (varied phrasing per business type and
cause, generated from a fixed seed), written in bulk as closed complaints (no registration per row: training
data, not registrations), and a model trained on them (real scikit-learn, ≤ 500 rows)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from conftest import make_user

BUSINESS = {
    "B0303": ["信用卡", "信用卡账单", "白金卡", "信用卡分期", "信用卡额度"],
    "B0201": ["房贷", "个人住房贷款", "按揭贷款", "房贷利率", "提前还房贷"],
    "B13": ["催收电话", "催收人员", "逾期催收", "外包催收公司", "催收短信"],
    "B01": ["储蓄存款", "定期存款", "活期账户", "存折", "大额存单"],
    "B08": ["个人信息", "征信报告", "身份信息", "客户资料", "个人征信记录"],
}
CAUSES = {
    "C07": ["收取了年费", "多扣了手续费", "收费标准不清楚", "乱收费", "利息算得太高"],
    "C01": ["工作人员态度恶劣", "客服挂断电话", "柜员不耐烦", "服务质量很差", "经理爱答不理"],
    "C12": ["一天打十几个电话", "骚扰家人和同事", "言语威胁", "半夜打电话", "冒充律师恐吓"],
    "C11": ["信息被泄露", "资料被他人查询", "接到诈骗电话", "信息被卖给第三方", "未经授权查询"],
    "C09": [
        "合同条款不公平",
        "格式条款没有提示",
        "合同写的和说的不一样",
        "合同里有霸王条款",
        "条款解释权归银行",
    ],
}
FILLER = ["客户来电称", "本人反映", "消费者投诉", "客户到网点表示", "我想投诉", "客户通过热线反映"]
ASKS = ["要求退还", "要求道歉", "要求给个说法", "要求处理", "希望尽快解决", "要求赔偿损失"]

PAIRS = [
    ("B0303", "C07"),
    ("B0303", "C01"),
    ("B0201", "C09"),
    ("B0201", "C07"),
    ("B13", "C12"),
    ("B01", "C01"),
    ("B08", "C11"),
    ("B01", "C09"),
]


def synthetic(n: int, seed: int = 1) -> list[tuple[str, str, str, str]]:
    """(request, description, business type, cause) × n."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        bt, cause = PAIRS[i % len(PAIRS)]
        desc = (
            f"{rng.choice(FILLER)}{rng.choice(BUSINESS[bt])}方面的问题，{rng.choice(CAUSES[cause])}，"
            f"{rng.choice(CAUSES[cause])}，涉及{rng.choice(BUSINESS[bt])}。"
        )
        rows.append((f"{rng.choice(ASKS)}", desc, bt, cause))
    return rows


@pytest.fixture(autouse=True)
def _isolated_models(settings, tmp_path):
    """Model files in the test's own directory; the process cache forgotten before and after."""
    from xiaobao.classification import services

    settings.DATA_DIR = tmp_path
    services.forget_active()
    services._cache.sha, services._cache.trained, services._cache.version = "", None, None
    yield
    services.forget_active()
    services._cache.sha, services._cache.trained, services._cache.version = "", None, None


@pytest.fixture
def b1_handler(org):
    return make_user("b1_handler", org.b1s, ["complaint_handler"])


@pytest.fixture
def b2_handler(org):
    return make_user("b2_handler", org.b2s, ["complaint_handler"])


@pytest.fixture
def register(org):
    """Register one complaint through the service (the way the form and the API do)."""
    from xiaobao.complaints.services import complaint_register

    def make(actor: Any, **over: Any) -> Any:
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": over.pop("unit", org.b1s.code),
            "complainant": {"name": "张伟", "phone": "13812345678"},
            "request": "要求退还年费",
            "description": "客户称信用卡年费未经同意扣收。",
        }
        data.update(over)
        return complaint_register(actor=actor, data=data)[0]

    return make


@pytest.fixture
def confirmed(org, register, b1_handler):
    """Write closed complaints with these texts and codes in bulk (copies of one registered complaint)."""
    from xiaobao.complaints.models import Complaint, ComplaintCode

    def make(
        rows: list[tuple[str, str, str, str]], unit: Any = None, status: str = "closed", actor: Any = None
    ) -> list[int]:
        base = register(actor or b1_handler, unit=(unit or org.b1s).code)
        codes = {(c.dimension, c.code): c for c in ComplaintCode.objects.all()}
        fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
        objs = []
        for i, (request, description, bt, cause) in enumerate(rows):
            c = Complaint(**{f.attname: getattr(base, f.attname) for f in fields})
            c.reference = f"TST{base.pk:05d}{i:06d}"
            c.idempotency_key = None
            c.request, c.description, c.status = request, description, status
            c.business_type, c.cause = codes[("business_type", bt)], codes[("cause", cause)]
            c.received_at = base.received_at - dt.timedelta(days=1 + i % 300)
            objs.append(c)
        Complaint.objects.bulk_create(objs, batch_size=200)
        return list(
            Complaint.objects.filter(reference__startswith=f"TST{base.pk:05d}").values_list("pk", flat=True)
        )

    return make


@pytest.fixture
def trained(settings, confirmed):
    """A model trained on 320 synthetic complaints (threshold lowered to 100 for speed) and activated."""
    from xiaobao.classification.services import classifier_train

    settings.CLASSIFIER_MIN_COMPLAINTS = 100
    confirmed(synthetic(320))
    return classifier_train(seed=7)
