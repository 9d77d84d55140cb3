"""Preloaded data: the sampling rules (editable), the import preset of the sales register, and the retention
rule of sales recordings (core.RetentionRule "sales_recording") — see xiaobao/sales_recording/presets.py."""

from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.sales_recording.presets import load as load_data

    load_data(apps)


def unload(apps, schema_editor):
    from xiaobao.sales_recording.presets import unload as unload_data

    unload_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sales_recording", "0001_initial"),
        ("imports", "0006_import_kind"),
        ("core", "0008_export_file_retention"),
    ]

    operations = [migrations.RunPython(load, unload)]
