from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.complaints.presets import load_presets

    load_presets(apps.get_model("complaints", "ComplaintCode"), apps.get_model("complaints", "DeadlineRule"))


def unload(apps, schema_editor):
    apps.get_model("complaints", "DeadlineRule").objects.all().delete()
    Code = apps.get_model("complaints", "ComplaintCode")
    Code.objects.filter(parent__isnull=False).delete()
    Code.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
