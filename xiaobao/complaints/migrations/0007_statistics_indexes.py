"""Covering indexes for statistics: the dashboard, reports and early warning aggregate complaints by day of
receipt without touching the wide complaint rows (PostgreSQL index-only scans; SQLite covering indexes).

Raw SQL because Django's `Index(include=…)` is PostgreSQL-only and would warn on SQLite; the model state is
unchanged (these indexes are an implementation detail of `xiaobao.analytics.stats`).
"""

from django.db import migrations

STATS_COLUMNS = (
    "id, org_unit_id, business_type_id, cause_id, channel_id, source, status, is_repeat, is_secondary, "
    "is_major, liability, satisfaction, review_requested_on, redress_amount, redress_paid_at"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS complaint_stats ON complaints_complaint (receipt_date) "
            f"INCLUDE ({STATS_COLUMNS})"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS clock_stats ON complaints_clock (complaint_id, name) "
            "INCLUDE (state, met_on)"
        )
    else:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS complaint_stats ON complaints_complaint (receipt_date, {STATS_COLUMNS})"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS clock_stats ON complaints_clock (complaint_id, name, state, met_on)"
        )


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS complaint_stats")
    schema_editor.execute("DROP INDEX IF EXISTS clock_stats")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_repeat_flags")]

    operations = [migrations.RunPython(create, drop)]
