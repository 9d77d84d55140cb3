from django.db import migrations


def load(apps, schema_editor):
    from xiaobao.complaints import presets

    Code = apps.get_model("complaints", "ComplaintCode")
    Rule = apps.get_model("complaints", "DeadlineRule")
    for dimension, rows in (("channel", presets.CHANNELS), ("business_type", presets.BUSINESS_TYPES)):
        for order, (code, name, children) in enumerate(rows):
            parent = Code.objects.create(dimension=dimension, code=code, name=name, sort_order=order)
            for sub_order, (sub_code, sub_name) in enumerate(children):
                Code.objects.create(dimension=dimension, code=sub_code, name=sub_name, parent=parent,
                                    sort_order=sub_order)
    for order, (code, name) in enumerate(presets.CAUSES):
        Code.objects.create(dimension="cause", code=code, name=name, sort_order=order)
    for code, name, clock, days, unit, roll, ext, sources, doc in presets.RULES:
        Rule.objects.create(code=code, name=name, clock=clock, days=days, unit=unit, roll_forward=roll,
                            extensions=ext, sources=sources, source_document=doc)


def unload(apps, schema_editor):
    apps.get_model("complaints", "DeadlineRule").objects.all().delete()
    Code = apps.get_model("complaints", "ComplaintCode")
    Code.objects.filter(parent__isnull=False).delete()
    Code.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
