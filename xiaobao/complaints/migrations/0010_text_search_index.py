"""Chinese substring search over complaint texts (PostgreSQL): a pg_trgm GIN index on reference, product,
description and request joined into one document.

Why pg_trgm: it is PostgreSQL's own C implementation (a trusted extension, no server package to add),
it answers `ILIKE '%…%'` from the index, and in a database whose ctype is UTF-8 (C.UTF-8 here, zh_CN.UTF-8
at a bank) Chinese characters are word characters, so every run of Chinese text yields trigrams. Measured
on the 10k benchmark database: extracting the trigrams costs 0.3 ms per complaint; a character-bigram
array built by a SQL function (which would also serve two-character queries) cost 13 ms per complaint —
too slow for every insert. The limit: a query of one or two characters has no trigram, so it is answered
without the index (the list then walks complaints newest first until a page is full; see
docs/benchmarks.md for what that costs). SQLite keeps plain LIKE (small institutions).
"""

from django.db import migrations

DOCUMENT = "reference || ' ' || product || ' ' || description || ' ' || request"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("SET maintenance_work_mem TO '512MB'")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS complaint_text_trgm ON complaints_complaint USING gin (({DOCUMENT}) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS complaint_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_retention")]

    operations = [migrations.RunPython(create, drop)]
