"""Data shipped with the module (editable after the migration loads it): the sampling rules, the import preset
of the sales register, and the retention rule of sales recordings (core.RetentionRule "sales_recording")."""

from __future__ import annotations

from typing import Any

RULES = [
    {
        "code": "bank-sales-zone",
        "name": "银行销售专区双录抽检（机构自定比例）",
        "share_percent": "10",
        "count": None,
        "min_per_unit": 1,
        "product_kinds": ["wealth", "agency"],
        "must_check": [{"applicant_age_gte": 60}],
        "source_document": "银监办发〔2017〕110号要求逐笔录音录像，未规定抽检比例；"
        "10%及60周岁以上客户全检为机构内部默认值，可调整（待核实）",
    },
    {
        "code": "insurance-traceability",
        "name": "保险销售可回溯质检（不低于30%，60周岁以上全检）",
        "share_percent": "30",
        "count": None,
        "min_per_unit": 1,
        "product_kinds": ["insurance"],
        "must_check": [{"applicant_age_gte": 60}],
        "source_document": "保监发〔2017〕54号第10条：犹豫期内抽检不低于30%，第6条第2项"
        "（60周岁以上投保人）100%；比例可调整",
    },
]

PRESET = {
    "name": "双录销售台账",
    "kind": "recorded_sales",
    "description": "销售系统导出的需双录销售台账（产品、网点、销售人员、销售时间、录像编号、时长、客户年龄）",
    "file_kinds": ["csv", "xlsx"],
    "columns": {
        "external_id": ["交易流水号", "流水号", "交易编号", "Transaction ID", "external_id"],
        "outlet": ["网点代码", "网点编号", "机构代码", "Outlet", "outlet_code"],
        "product": ["产品名称", "产品", "Product"],
        "product_kind": ["产品类型", "产品类别", "Product type"],
        "seller": ["销售人员", "销售人员工号", "理财经理", "Seller"],
        "sale_at": ["销售时间", "交易时间", "销售日期", "Sale time"],
        "recording_id": ["录像编号", "双录编号", "录音录像编号", "Recording ID"],
        "duration": ["录像时长", "时长", "时长（秒）", "Duration"],
        "applicant_age": ["客户年龄", "投保人年龄", "年龄", "Applicant age"],
    },
    "value_maps": {
        "product_kind": {
            "自营理财": "wealth",
            "理财": "wealth",
            "理财产品": "wealth",
            "代销基金": "agency",
            "基金": "agency",
            "代销": "agency",
            "信托": "agency",
            "代销保险": "insurance",
            "保险": "insurance",
            "银保": "insurance",
            "贵金属": "other",
            "国债": "other",
        }
    },
    "defaults": {"source": "sales-system", "product_kind": "other", "date_order": "auto"},
    "is_builtin": True,
}

RETENTION_SOURCE = (
    "银监办发〔2017〕110号：销售专区录音录像至少保存至产品或合同终止后6个月，有争议的保存至争议解决"
    "（183天自终止日计；代销产品另有规定从其规定；待核实）"
)


def load(apps: Any, schema_editor: Any = None) -> None:
    rule = apps.get_model("sales_recording", "SamplingRule")
    for data in RULES:
        rule.objects.get_or_create(code=data["code"], defaults=data)
    preset = apps.get_model("imports", "ImportPreset")
    preset.objects.get_or_create(name=PRESET["name"], defaults=PRESET)
    retention = apps.get_model("core", "RetentionRule")
    retention.objects.get_or_create(
        record_type="sales_recording", defaults={"days": 183, "source_document": RETENTION_SOURCE}
    )


def unload(apps: Any, schema_editor: Any = None) -> None:
    apps.get_model("sales_recording", "SamplingRule").objects.filter(
        code__in=[r["code"] for r in RULES]
    ).delete()
    apps.get_model("imports", "ImportPreset").objects.filter(name=PRESET["name"]).delete()
    apps.get_model("core", "RetentionRule").objects.filter(record_type="sales_recording").delete()


def load_now() -> None:
    """Load the data into the current database (tests that flush it, demo)."""
    from django.apps import apps as live_apps

    load(live_apps)
