"""The import preset of the staff register (员工名册: the HR system's export), editable afterwards — see
xiaobao/training/importing.py (PRESET)."""

from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.training.importing import load_preset

    load_preset(apps)


def unload(apps, schema_editor):
    from xiaobao.training.importing import unload_preset

    unload_preset(apps)


class Migration(migrations.Migration):
    dependencies = [("training", "0002_position_layers"), ("imports", "0006_import_kind")]
    operations = [migrations.RunPython(load, unload)]
