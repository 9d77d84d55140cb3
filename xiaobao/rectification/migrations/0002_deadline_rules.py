"""Deadline rules for rectification items, as editable data (casework.DeadlineRule).

- `rectification-10wd`: 10 working days from the day after the opening day, a last day off work moves to the
  next working day, one extension to 20 working days with approval. The default for inspection findings,
  complaints' root causes, audits and self-checks.
- `rectification-regulator-30d`: the default for a regulator's opinion (监管意见), 30 calendar days with one
  extension to 60 with approval. This is the institution's configurable default, not a legal term: a
  regulator's opinion states its own deadline — edit the rule or pick another one when opening the item.
"""

from django.db import migrations

SUBJECT = "rectification.rectification"
RULES = [
    {
        "code": "rectification-10wd",
        "name": "整改期限（10个工作日）",
        "days": 10,
        "unit": "working",
        "roll_forward": True,
        "extensions": [{"to_days": 20, "approval": True}],
        "sources": ["inspection", "complaint", "audit", "self_check"],
        "source_document": "机构内部制度：检查发现问题限期整改（可配置）",
    },
    {
        "code": "rectification-regulator-30d",
        "name": "监管意见整改（30日，可配置）",
        "days": 30,
        "unit": "calendar",
        "roll_forward": True,
        "extensions": [{"to_days": 60, "approval": True}],
        "sources": ["regulator"],
        "source_document": "机构默认值，非法定期限：以监管意见书载明的期限为准",
    },
]


def add_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("casework", "DeadlineRule")
    for rule in RULES:
        values = {k: v for k, v in rule.items() if k != "code"}
        DeadlineRule.objects.update_or_create(
            code=rule["code"], defaults={**values, "subject": SUBJECT, "clock": "rectification", "is_active": True}
        )


def remove_rules(apps, schema_editor):
    # A plain DELETE: the collector would follow relations of other apps' historical models, which do not
    # match this migration's state when a whole chain is being unapplied.
    DeadlineRule = apps.get_model("casework", "DeadlineRule")
    DeadlineRule.objects.filter(code__in=[r["code"] for r in RULES])._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_initial"), ("casework", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
