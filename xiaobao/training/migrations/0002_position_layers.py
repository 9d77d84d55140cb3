"""The position layers every bank trains by (a code table: administrators may add, rename or retire)."""

from django.db import migrations

LAYERS = [
    ("senior_management", "高级管理人员", 10),
    ("middle_management", "中层管理人员", 20),
    ("front_line", "一线员工", 30),
    ("new_hire", "新入职员工", 40),
]


def load(apps, schema_editor):
    PositionLayer = apps.get_model("training", "PositionLayer")
    for code, name, order in LAYERS:
        PositionLayer.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


def unload(apps, schema_editor):
    apps.get_model("training", "PositionLayer").objects.filter(code__in=[c for c, _, _ in LAYERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
