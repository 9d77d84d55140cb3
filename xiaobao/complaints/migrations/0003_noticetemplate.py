from django.db import migrations, models

DEFAULT = """关于您投诉事项（编号 {reference}）的处理决定

{complainant}：
我行于 {received} 收到您的投诉，您的诉求为：{request}

一、核实情况
{verification}

二、处理依据和理由
{basis}

三、处理决定
{result}

四、救济途径
{remedies}

{unit}
{date}"""


def load(apps, schema_editor):
    apps.get_model("complaints", "NoticeTemplate").objects.get_or_create(
        name="标准处理决定告知书", defaults={"body": DEFAULT, "is_default": True})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_presets")]
    operations = [
        migrations.CreateModel(
            name="NoticeTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("body", models.TextField(verbose_name="text")),
                ("is_default", models.BooleanField(default=False, verbose_name="default")),
            ],
            options={"verbose_name": "notice template", "verbose_name_plural": "notice templates",
                     "ordering": ["-is_default", "name"]},
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
