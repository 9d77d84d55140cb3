"""The facilities checklist, the reasons for a home service and the kinds of service (xiaobao.special_services
.presets), loaded with get_or_create; the reverse removes the preloaded rows."""

from django.db import migrations


def forwards(apps, schema_editor):
    from xiaobao.special_services.presets import load

    load(apps)


def backwards(apps, schema_editor):
    from xiaobao.special_services.presets import unload

    unload(apps)


class Migration(migrations.Migration):
    dependencies = [("special_services", "0001_facilities_and_home_services")]

    operations = [migrations.RunPython(forwards, backwards)]
