from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.imports.presets import load_builtin_presets

    load_builtin_presets(apps.get_model("imports", "ImportPreset"))


def unload(apps, schema_editor):
    apps.get_model("imports", "ImportPreset").objects.filter(is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
