# Deadline rules now live in casework (see casework 0001, which took the table over): the complaint clock's
# rule points there and the complaints app forgets its own model. No rows change.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_export_job"), ("casework", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="rule",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="casework.deadlinerule"),
                ),
                migrations.DeleteModel(name="DeadlineRule"),
            ],
            database_operations=[],
        ),
    ]
