"""Preloaded, editable checklists (mystery shopping in six aspects, on-site inspection, elder-friendly
facilities, personal-information self-inspection, sales-recording check) and the rating bands."""

from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.inspections.presets import load_presets

    get = apps.get_model
    load_presets(
        get("inspections", "ChecklistTemplate"),
        get("inspections", "ChecklistSection"),
        get("inspections", "ChecklistItem"),
        get("inspections", "RatingBand"),
    )


def unload(apps, schema_editor):
    from xiaobao.inspections.presets import CHECKLISTS

    Template = apps.get_model("inspections", "ChecklistTemplate")
    codes = [c["code"] for c in CHECKLISTS]
    apps.get_model("inspections", "ChecklistItem").objects.filter(template__code__in=codes).delete()
    apps.get_model("inspections", "ChecklistSection").objects.filter(template__code__in=codes).delete()
    Template.objects.filter(code__in=codes).delete()
    apps.get_model("inspections", "RatingBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_plan_cadence_presets")]
    operations = [migrations.RunPython(load, unload)]
