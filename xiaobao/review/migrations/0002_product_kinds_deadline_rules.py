"""Presets for consumer-protection review, as editable data.

- Product kinds (a code table): each with the wording checker's product kind it is checked as.
- Deadline rules (casework.DeadlineRule, subject "review.review", clock "review"): `review-10wd`, 10 working
  days from the day after submission, for the normal track, one extension to 15 working days with approval;
  `review-urgent-3wd`, 3 working days, for the urgent track. The institution's configurable defaults, not
  legal terms; the clock pauses while the submitter answers opinions.
"""

from django.db import migrations

PRODUCT_KINDS = [
    ("deposit", "存款", "deposit"),
    ("wealth", "理财", "wealth"),
    ("fund", "基金代销", "fund"),
    ("insurance", "保险代理", "insurance"),
    ("personal_loan", "个人贷款", "loan"),
    ("credit_card", "信用卡", "credit_card"),
    ("payment", "支付结算", "payment"),
    ("precious_metal", "贵金属", "precious_metal"),
    ("other", "其他", "other"),
]

SUBJECT = "review.review"
RULES = [
    {
        "code": "review-10wd",
        "name": "消保审查（10个工作日）",
        "days": 10,
        "unit": "working",
        "roll_forward": True,
        "extensions": [{"to_days": 15, "approval": True}],
        "sources": ["normal"],
        "source_document": "机构内部制度：消费者权益保护审查时限（可配置）",
    },
    {
        "code": "review-urgent-3wd",
        "name": "消保审查加急（3个工作日）",
        "days": 3,
        "unit": "working",
        "roll_forward": True,
        "extensions": [{"to_days": 5, "approval": True}],
        "sources": ["urgent"],
        "source_document": "机构内部制度：消费者权益保护审查加急通道（可配置）",
    },
]


def add_presets(apps, schema_editor):
    ProductKind = apps.get_model("review", "ProductKind")
    for order, (code, name, checker_kind) in enumerate(PRODUCT_KINDS, start=1):
        ProductKind.objects.update_or_create(
            code=code,
            defaults={"name": name, "checker_kind": checker_kind, "order": order * 10, "active": True},
        )
    DeadlineRule = apps.get_model("casework", "DeadlineRule")
    for rule in RULES:
        values = {k: v for k, v in rule.items() if k != "code"}
        DeadlineRule.objects.update_or_create(
            code=rule["code"], defaults={**values, "subject": SUBJECT, "clock": "review", "is_active": True}
        )


def remove_presets(apps, schema_editor):
    # Plain DELETEs: the collector would follow relations of other apps' historical models.
    alias = schema_editor.connection.alias
    apps.get_model("casework", "DeadlineRule").objects.filter(
        code__in=[r["code"] for r in RULES]
    )._raw_delete(alias)
    apps.get_model("review", "ProductKind").objects.filter(
        code__in=[c for c, _n, _k in PRODUCT_KINDS]
    )._raw_delete(alias)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial"), ("casework", "0001_initial")]

    operations = [migrations.RunPython(add_presets, remove_presets)]
