"""Chinese substring search over complaint texts (PostgreSQL): a GIN index on the character bigrams of
reference, product, description and request joined into one document.

Why bigrams: Chinese search words are mostly two characters (理财, 年费, 销户). Every substring of two or
more characters contains all of its own bigrams, so `bigrams(document) @> bigrams(query)` is a lossless
pre-filter for any query of two or more characters; the list then re-checks the exact per-field
`icontains` on the candidates. pg_trgm (PostgreSQL's trigram index) cannot serve two-character LIKE
patterns — they yield no trigram and fall back to reading every row — and pg_bigm, which would, is not
packaged by Debian. The bigrams are extracted with two `regexp_matches(…, '(..)', 'g')` passes (offsets 0
and 1), C code: 0.8 ms per complaint on the 2-core benchmark machine under load (pg_trgm's extraction:
0.33 ms; a per-character SQL loop: 13 ms, too slow for every insert). One-character queries are answered
by the re-check alone.

Declared COST 10000 so the planner never evaluates it row by row as a filter (walking the list's
ordering index and extracting each row's bigrams: 0.8 ms a row) but always answers from the index.
`xiaobao_bigrams` is IMMUTABLE (lower-case per the database's ctype, which a deployment does not change)
and not inlinable (a sub-select), so the list's expression matches the index's. SQLite keeps plain LIKE
(small institutions; see docs/benchmarks.md).
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION xiaobao_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
  SELECT array(SELECT DISTINCT m[1] FROM (
    SELECT regexp_matches(lower(t), '(..)', 'g') AS m
    UNION ALL
    SELECT regexp_matches(substr(lower(t), 2), '(..)', 'g')) pairs)
$$
"""

DOCUMENT = "reference || ' ' || product || ' ' || description || ' ' || request"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute("SET maintenance_work_mem TO '512MB'")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS complaint_text_bigrams ON complaints_complaint "
        f"USING gin (xiaobao_bigrams({DOCUMENT}))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS complaint_text_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS xiaobao_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_retention")]

    operations = [migrations.RunPython(create, drop)]
