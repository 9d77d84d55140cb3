"""Deadline rules for governance action items, as editable data (casework.DeadlineRule).

- `governance-action-30d`: a meeting's action item without a stated deadline is due 30 calendar days after the
  meeting (a stated due date always wins: the clock then counts the calendar days from the meeting to it).
- `governance-feedback-15wd`: an external supervisor's feedback is answered within 15 working days of its
  receipt. Both are the institution's configurable defaults, not legal terms.
"""

from django.db import migrations

SUBJECT = "governance.actionitem"
RULES = [
    {
        "code": "governance-action-30d",
        "name": "督办事项（默认30日，可配置）",
        "days": 30,
        "unit": "calendar",
        "roll_forward": True,
        "extensions": [],
        "sources": ["meeting"],
        "source_document": "机构内部制度：会议议定事项督办（默认期限，可配置）",
    },
    {
        "code": "governance-feedback-15wd",
        "name": "特约监督员意见答复（15个工作日）",
        "days": 15,
        "unit": "working",
        "roll_forward": True,
        "extensions": [],
        "sources": ["feedback"],
        "source_document": "机构内部制度：特约监督员意见建议答复（可配置）",
    },
]


def add_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("casework", "DeadlineRule")
    for rule in RULES:
        values = {k: v for k, v in rule.items() if k != "code"}
        DeadlineRule.objects.get_or_create(
            code=rule["code"], defaults={**values, "subject": SUBJECT, "clock": "action", "is_active": True}
        )


def remove_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("casework", "DeadlineRule")
    DeadlineRule.objects.filter(code__in=[r["code"] for r in RULES])._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_registers_and_action_items"), ("casework", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
