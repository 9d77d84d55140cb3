from django.db import migrations


def mark_historical(apps, schema_editor):
    """The shipped CFPB preset imports history: its open rows are archived, not put in today's queues."""
    preset = apps.get_model("imports", "ImportPreset").objects.filter(name="cfpb", is_builtin=True).first()
    if preset is not None and "historical" not in (preset.defaults or {}):
        preset.defaults = {**(preset.defaults or {}), "historical": True}
        preset.save(update_fields=["defaults"])


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_file_retention")]
    operations = [migrations.RunPython(mark_historical, migrations.RunPython.noop)]
