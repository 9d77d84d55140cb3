"""The default notice texts (Chinese) and the settings row."""

from django.db import migrations


def seed(apps, schema_editor):
    from xiaobao.outreach.defaults import DEFAULTS

    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    OutreachSettings = apps.get_model("outreach", "OutreachSettings")
    have = set(MessageTemplate.objects.values_list("kind", "channel"))
    MessageTemplate.objects.bulk_create(
        [
            MessageTemplate(kind=str(kind), channel=str(channel), subject=subject, body=body)
            for (kind, channel), (subject, body) in DEFAULTS.items()
            if (str(kind), str(channel)) not in have
        ]
    )
    OutreachSettings.objects.get_or_create(pk=1)


def unseed(apps, schema_editor):
    apps.get_model("outreach", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
