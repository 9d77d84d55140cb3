"""The planning cadence as data: head office plans quarterly, branches monthly (editable rows)."""

from django.db import migrations

CADENCE = {"head_office": "quarter", "branch": "month"}


def load(apps, schema_editor):
    PlanCadence = apps.get_model("inspections", "PlanCadence")
    for unit_kind, period in CADENCE.items():
        PlanCadence.objects.get_or_create(unit_kind=unit_kind, defaults={"period": period})


def unload(apps, schema_editor):
    apps.get_model("inspections", "PlanCadence").objects.filter(unit_kind__in=list(CADENCE)).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
