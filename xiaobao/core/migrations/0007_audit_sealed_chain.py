"""The audit trail chained after commit with a keyed hash; the database refuses UPDATE and DELETE on both
PostgreSQL and SQLite, except the sealer filling `seq`, `prev_hash` and `hash` of a row that has none.

Existing rows carried an unkeyed SHA-256 chain: it is verified here (a broken one stops the migration: the
trail was tampered with before the upgrade; set XIAOBAO_AUDIT_LEGACY_BROKEN_OK=1 after investigating to
re-seal anyway); the ID, phone and card numbers typed into their free text are masked as new rows' are
(issue 12 item 11); then they are unsealed so that `xiaobao audit_seal` (run it right after `migrate`)
chains them again, in id order, under the audit key.
"""

import hashlib
import json
import os
import re

from django.db import migrations, models

CONTENT = (
    "id, at, actor_id, actor_username, unit_path, unit_code, action, object_type, object_id, "
    "object_repr, changes, ip"
)

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  IF current_setting('xiaobao.audit_maintenance', true) = 'on' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
     AND ROW({", ".join("NEW." + c for c in CONTENT.split(", "))})
         IS NOT DISTINCT FROM ROW({", ".join("OLD." + c for c in CONTENT.split(", "))}) THEN
    RETURN NEW;  -- the sealer: chain columns of an unsealed row, nothing else
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only (core_auditevent)';
END
$$ LANGUAGE plpgsql;
"""
PG_BACKWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  IF current_setting('xiaobao.audit_maintenance', true) = 'on' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only (core_auditevent)';
END
$$ LANGUAGE plpgsql;
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only (core_auditevent)'); END""",
    f"""CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL
  OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT.split(", "))}
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only (core_auditevent)'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
]


def _legacy_hash(row):
    at, actor, username, path, code, action, otype, oid, orepr, changes, ip, prev = row
    payload = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "actor_username": username,
        "unit_path": path,
        "unit_code": code,
        "action": action,
        "object_type": otype,
        "object_id": oid,
        "object_repr": orepr,
        "changes": changes,
        "ip": ip,
        "prev": prev,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _check_legacy_chain(AuditEvent):
    prev = "0" * 64
    fields = [
        "at", "actor_id", "actor_username", "unit_path", "unit_code", "action", "object_type",
        "object_id", "object_repr", "changes", "ip", "prev_hash",
    ]  # fmt: skip
    for pk, stored, *row in AuditEvent.objects.order_by("id").values_list("id", "hash", *fields).iterator():
        if row[-1] != prev or _legacy_hash(row) != stored:
            if os.environ.get("XIAOBAO_AUDIT_LEGACY_BROKEN_OK") == "1":
                return
            raise RuntimeError(
                f"the audit chain is already broken at row {pk} before this upgrade: investigate, then set "
                "XIAOBAO_AUDIT_LEGACY_BROKEN_OK=1 to re-seal the trail as it is"
            )
        prev = stored


# The patterns of services.audit.mask_text as of this migration (copied: a migration must not change later).
_ID = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
_CARD = re.compile(r"(?<![0-9A-Za-z])\d{13,19}(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_DIGEST = re.compile(r"[0-9a-fA-F]{32,128}")


def _mask_text(text):
    from xiaobao.core.vault.masking import mask

    if _DIGEST.fullmatch(text):
        return text
    text = _ID.sub(lambda m: mask(m.group(0), "id_number"), text)
    text = _CARD.sub(lambda m: mask(m.group(0), "account_number"), text)
    return _PHONE.sub(lambda m: mask(m.group(0), "phone"), text)


def _masked(value):
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _mask_legacy_rows(AuditEvent, cursor):
    """Numbers typed into free text, masked in the rows written before the audit masked them."""
    changed = []
    for pk, changes, repr_ in AuditEvent.objects.values_list("id", "changes", "object_repr").iterator():
        masked, masked_repr = _masked(changes), _mask_text(repr_)
        if (masked, masked_repr) != (changes, repr_):
            changed.append((json.dumps(masked, ensure_ascii=False), masked_repr, pk))
    if changed:
        cursor.executemany("UPDATE core_auditevent SET changes = %s, object_repr = %s WHERE id = %s", changed)


def forward(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    _check_legacy_chain(AuditEvent)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET LOCAL xiaobao.audit_maintenance = 'on'")
        with schema_editor.connection.cursor() as cur:
            _mask_legacy_rows(AuditEvent, cur)
        schema_editor.execute("UPDATE core_auditevent SET prev_hash = NULL, hash = NULL")
        schema_editor.execute("SET LOCAL xiaobao.audit_maintenance = 'off'")
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cur:
            _mask_legacy_rows(AuditEvent, cur)
        schema_editor.execute("UPDATE core_auditevent SET prev_hash = NULL, hash = NULL")
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_auditevent_password_reset")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("hash__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
