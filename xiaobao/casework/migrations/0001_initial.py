# The deadline-rule table moves from complaints to casework (rules are data for every kind of work item):
# the model is taken over in the migration state, its table renamed, its rows and ids kept, then each rule
# learns which subject it applies to (all existing rules are complaint rules).
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("complaints", "0013_export_job")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineRule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("code", models.CharField(max_length=40, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("clock", models.CharField(default="decision", max_length=20, verbose_name="clock")),
                        ("days", models.PositiveIntegerField(verbose_name="days")),
                        ("unit", models.CharField(choices=[("calendar", "calendar days"), ("working", "working days")], max_length=10, verbose_name="counted in")),
                        ("roll_forward", models.BooleanField(default=True, verbose_name="move a last day off work to the next working day")),
                        ("extensions", models.JSONField(blank=True, default=list, verbose_name="extension steps")),
                        ("sources", models.JSONField(blank=True, default=list, help_text="Complaint sources this rule is the default for.", verbose_name="applies to sources")),
                        ("source_document", models.CharField(blank=True, max_length=200, verbose_name="source document")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "deadline rule",
                        "verbose_name_plural": "deadline rules",
                        "ordering": ["clock", "code"],
                        "db_table": "complaints_deadlinerule",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="deadlinerule", table=None),
        migrations.AddField(
            model_name="deadlinerule",
            name="subject",
            field=models.CharField(db_index=True, default="complaints.complaint", max_length=60, verbose_name="applies to"),
        ),
    ]
