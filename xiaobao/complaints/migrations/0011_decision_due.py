"""The decision clock's due date on the complaint row (lists ordered by urgency read an index), filled from
the clocks in one statement (PostgreSQL: UPDATE … FROM; SQLite: a correlated sub-select).

Cost: every complaint row is rewritten, with its entries in every index (the search index recomputes its
bigrams): 5 min 49 s at 1,000,000 complaints on the 2-core benchmark machine, so about an hour at 10M —
plan it as a maintenance window there."""

from django.db import migrations, models

FILL_POSTGRESQL = """
UPDATE complaints_complaint c SET decision_due = k.due_date
FROM complaints_clock k WHERE k.complaint_id = c.id AND k.name = 'decision'
"""
FILL_SQLITE = """
UPDATE complaints_complaint SET decision_due = (
  SELECT due_date FROM complaints_clock k WHERE k.complaint_id = complaints_complaint.id AND k.name = 'decision')
"""


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(FILL_POSTGRESQL if vendor == "postgresql" else FILL_SQLITE)


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL: the index is built after the UPDATE has committed

    dependencies = [("complaints", "0010_text_search_index")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="decision_due",
            field=models.DateField(blank=True, null=True, verbose_name="decision due"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["decision_due", "id"], name="complaint_decision_due"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "assigned",
                            "drafted",
                            "in_progress",
                            "paused",
                            "pending_approval",
                            "registered",
                            "under_review",
                        ],
                    )
                ),
                fields=["decision_due", "id"],
                name="complaint_open_due",
            ),
        ),
    ]
