# Notifications move to casework (a subject of any kind): every row is copied with its id, dedupe key and
# read / e-mailed times, its complaint becoming the subject (content type complaints.complaint, object id =
# complaint id); then the old table goes and `complaints.Notification` stays as a proxy of the new one.
from django.db import migrations

COLUMNS = "id, user_id, kind, message, created_at, read_at, emailed_at, dedupe_key"


def _complaint_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="complaints", model="complaint")[0]


def _reset_sequence(schema_editor, apps):
    from django.core.management.color import no_style

    model = apps.get_model("casework", "Notification")
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    Old = apps.get_model("complaints", "Notification")
    if not Old.objects.exists():
        return
    ct = _complaint_type(apps).pk
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO casework_notification ({COLUMNS}, content_type_id, object_id) "
            f"SELECT {COLUMNS}, CASE WHEN complaint_id IS NULL THEN NULL ELSE %s END, complaint_id "
            "FROM complaints_notification",
            [ct],
        )
    _reset_sequence(schema_editor, apps)


def backwards(apps, schema_editor):
    New = apps.get_model("casework", "Notification")
    if not New.objects.exists():
        return
    ct = _complaint_type(apps).pk
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO complaints_notification ({COLUMNS}, complaint_id) "
            f"SELECT {COLUMNS}, object_id FROM casework_notification "
            "WHERE content_type_id = %s OR content_type_id IS NULL",
            [ct],
        )
        cursor.execute("DELETE FROM casework_notification")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_notification"),
        ("complaints", "0014_deadline_rule_to_casework"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.DeleteModel(name="Notification"),
        migrations.CreateModel(
            name="Notification",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("casework.notification",),
        ),
    ]
