"""Chinese substring search over complaint texts (PostgreSQL): a GIN index on the character bigrams of
reference, product, description and request.

Why bigrams and not pg_trgm: Chinese search words are mostly two characters (理财, 扣费, 销户), and a LIKE
pattern of two characters yields no trigram, so pg_trgm falls back to reading every row; a three-character
word gives trigrams only with a UTF-8 ctype. Every substring of two or more characters contains all of its
own bigrams, so `bigrams(text) @> bigrams(query)` is a lossless pre-filter for any query of ≥ 2
characters; the list then re-checks the exact `icontains` on the candidates. One-character queries match
everything in the pre-filter and are answered by the re-check alone.

`xiaobao_bigrams` is IMMUTABLE (lower-case per the database's ctype, which the deployment fixes) and
written in SQL with an aggregate, so the planner never inlines it and the list's expression matches the
index's. SQLite keeps plain LIKE (small institutions; see docs/benchmarks.md).
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION xiaobao_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT substr(x, i, 2) AS g
        FROM (SELECT lower(t) AS x) s, generate_series(1, char_length(x) - 1) AS i) b
  WHERE g !~ '\s'
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
