"""Personal-data vault: encryption at rest, blind index, masking, audited reveal, key rotation, C3."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.services import consumers as svc
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import contains_c3, redact
from xiaobao.core.vault.keys import keyring
from xiaobao.core.vault.logging import RedactPersonalDataFilter
from xiaobao.core.vault.masking import mask

ID_NUMBER = "110108199003070016"
PHONE = "13812345678"
CARD = "6222020200112233445"


def _database_bytes() -> bytes:
    """Everything the database holds on disk: the SQLite file and its WAL, or a pg_dump."""
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connection.cursor().execute("PRAGMA wal_checkpoint(FULL)")
        return b"".join(p.read_bytes() for p in [name, Path(f"{name}-wal")] if p.exists())
    s = connection.settings_dict
    env = os.environ | {"PGPASSWORD": s.get("PASSWORD") or ""}
    dump = shutil.which("pg_dump")
    assert dump, "pg_dump is needed for this test on PostgreSQL"
    return subprocess.run(
        [dump, "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"], s["NAME"]],
        env=env,
        capture_output=True,
        check=True,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_personal_data_in_the_database(b1_consumer, hq_officer):
    # given a consumer saved (committed) and revealed once
    svc.consumer_reveal(actor=hq_officer, consumer=b1_consumer, field="id_number", reason="核实身份信息")
    # when the database is read as raw bytes
    raw = _database_bytes()
    # then neither the ID number, the phone nor the card number appear anywhere (nor in the audit rows)
    for secret in (ID_NUMBER, PHONE, CARD, "中关村大街1号"):
        assert secret.encode() not in raw
    # while the ciphertext itself is there: we searched the right database
    token = Consumer.objects.filter(pk=b1_consumer.pk).values_list("id_number", flat=True).get().token
    assert token.split("$", 1)[1].encode() in raw


@pytest.mark.django_db
def test_values_are_ciphertext_with_key_id(b1_consumer):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM core_consumer WHERE id = %s", [b1_consumer.pk])
        id_token, phone_token = cur.fetchone()
    assert id_token.startswith(f"{keyring().active}$") and ID_NUMBER not in id_token
    assert crypto.decrypt(id_token, "id_number") == ID_NUMBER
    # the kind is bound as associated data: a phone ciphertext does not decrypt as an ID number
    with pytest.raises(crypto.VaultError):
        crypto.decrypt(phone_token, "id_number")


@pytest.mark.django_db
def test_masked_everywhere_by_default(b1_consumer, client_for, api_for, hq_officer):
    consumer = Consumer.objects.get(pk=b1_consumer.pk)
    assert str(consumer.id_number) == "110108********0016"
    assert str(consumer.phone) == "138****5678"
    assert str(consumer.account_number) == "622202*********3445"
    assert consumer.masked_name == "王**"
    html = client_for(hq_officer).get(f"/consumers/{consumer.pk}/").content.decode()
    api = api_for(hq_officer).get(f"/api/v1/consumers/{consumer.pk}").json()
    for text in (html, json.dumps(api, ensure_ascii=False)):
        assert ID_NUMBER not in text and PHONE not in text and CARD not in text
        assert "110108********0016" in text


def test_masking_patterns_are_configuration(settings):
    settings.VAULT_MASKING = {**settings.VAULT_MASKING, "phone": [3, 2]}
    assert mask(PHONE, "phone") == "138******78"
    assert mask("张三", "name") == "张*"
    assert mask("ab", "phone") == "**"


@pytest.mark.django_db
def test_reveal_needs_reason_and_is_audited(b1_consumer, branch_officer):
    # when a permitted officer reveals the phone with a reason
    value = svc.consumer_reveal(
        actor=branch_officer, consumer=b1_consumer, field="phone", reason="回访核实联系方式"
    )
    # then the plaintext is returned and the reveal is in the audit trail without the value
    assert value == PHONE
    event = AuditEvent.objects.filter(action="reveal").get()
    assert event.actor_username == "branch1_cp"
    assert event.changes == {"field": "phone", "reason": "回访核实联系方式"}
    assert PHONE not in json.dumps(event.changes)
    with pytest.raises(ValidationError):
        svc.consumer_reveal(actor=branch_officer, consumer=b1_consumer, field="phone", reason=" ")


@pytest.mark.django_db
def test_reveal_refused_without_permission(b1_consumer, auditor):
    with pytest.raises(PermissionDenied):
        svc.consumer_reveal(actor=auditor, consumer=b1_consumer, field="phone", reason="只是看看而已")
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.django_db
def test_reveal_through_page_and_api(b1_consumer, client_for, api_for, branch_officer):
    page = client_for(branch_officer).post(
        f"/consumers/{b1_consumer.pk}/reveal/",
        {"field": "id_number", "reason": "核实投诉人身份"},
        headers={"HX-Request": "true"},
    )
    assert page.status_code == 200 and ID_NUMBER in page.content.decode()
    bad = client_for(branch_officer).post(
        f"/consumers/{b1_consumer.pk}/reveal/", {"field": "id_number", "reason": ""}
    )
    assert bad.status_code == 400 and ID_NUMBER not in bad.content.decode()
    api = api_for(branch_officer).post(
        f"/api/v1/consumers/{b1_consumer.pk}/reveal",
        {"field": "account_number", "reason": "核对交易账户"},
        content_type="application/json",
    )
    assert api.json() == {"field": "account_number", "value": CARD}
    assert AuditEvent.objects.filter(action="reveal").count() == 2


@pytest.mark.django_db
def test_blind_index_finds_without_decrypting(b1_consumer, branch_officer, other_branch_officer):
    # exact lookup works with spaces/dashes normalised and a lower-case x
    assert svc.consumer_find(user=branch_officer, field="phone", value="138-1234-5678") == [b1_consumer]
    assert svc.consumer_find(user=branch_officer, field="id_number", value=ID_NUMBER) == [b1_consumer]
    # and stays within the user's scope
    assert svc.consumer_find(user=other_branch_officer, field="phone", value=PHONE) == []


@pytest.mark.django_db
def test_lookup_api_and_page(b1_consumer, api_for, client_for, branch_officer):
    r = api_for(branch_officer).post(
        "/api/v1/consumers/lookup", {"field": "phone", "value": PHONE}, content_type="application/json"
    )
    assert [c["id"] for c in r.json()] == [b1_consumer.pk]
    page = client_for(branch_officer).post("/consumers/", {"field": "phone", "value": PHONE})
    assert b1_consumer.masked_name in page.content.decode()


@pytest.mark.django_db
def test_invalid_personal_data_is_refused_with_field_messages(org, api_for, hq_officer):
    r = api_for(hq_officer).post(
        "/api/v1/consumers",
        {
            "unit": "B1-S1-O1",
            "name": "张三",
            "id_number": "110108199003070017",
            "phone": "12ab",
            "account_number": "12",
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    assert {"id_number", "phone", "account_number"} <= set(r.json()["fields"])
    assert not Consumer.objects.exists()


def test_c3_information_is_recognised():
    assert contains_c3("客户说他的密码是123456")
    assert contains_c3("CVV: 123")
    assert contains_c3("短信验证码 884512")
    assert not contains_c3("客户要求重置密码，未提供任何数字")


@pytest.mark.django_db
def test_c3_in_free_text_is_rejected(org, client_for, hq_officer):
    response = client_for(hq_officer).post(
        "/consumers/new/",
        {
            "org_unit": org.b1o.pk,
            "kind": "person",
            "name": "赵六",
            "id_type": "resident_id",
            "note": "客户提供了取款密码：654321",
        },
    )
    assert response.status_code == 400
    assert "C3" in response.content.decode() or "密码" in response.content.decode()
    assert not Consumer.objects.exists()


def test_log_records_are_redacted():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "lookup %s phone %s card %s", (ID_NUMBER, PHONE, CARD), None
    )
    RedactPersonalDataFilter().filter(record)
    message = record.getMessage()
    assert ID_NUMBER not in message and PHONE not in message and CARD not in message
    assert "138****5678" in message
    assert redact("no numbers here") == "no numbers here"


def test_json_log_lines_are_structured_and_redacted_with_their_traceback():
    import json
    import sys

    from xiaobao.core.vault.logging import JsonFormatter

    try:
        raise ValueError(f"no consumer with phone {PHONE}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("xiaobao.x", logging.ERROR, __file__, 1, "lookup %s", (ID_NUMBER,), exc_info)
    RedactPersonalDataFilter().filter(record)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["level"] == "ERROR" and data["logger"] == "xiaobao.x" and data["time"].endswith("+00:00")
    assert "ValueError" in data["exception"] and "138****5678" in data["exception"]
    assert ID_NUMBER not in line and PHONE not in line


@pytest.mark.django_db
def test_key_rotation_reencrypts_under_the_new_key(b1_consumer, settings):
    # given a key file with the development key as "old" and a new active key
    old_key = keyring().keys[keyring().active]
    new_key = os.urandom(32)
    path = Path(settings.DATA_DIR) / f"keys-{os.getpid()}.json"
    old_kid = keyring().active
    path.write_text(
        json.dumps(
            {
                "active": "k2",
                "keys": {
                    old_kid: base64.b64encode(old_key).decode(),
                    "k2": base64.b64encode(new_key).decode(),
                },
                "blind_index": base64.b64encode(keyring().blind_index).decode(),
            }
        )
    )
    settings.VAULT_KEY_FILE = str(path)
    keyring.cache_clear()
    try:
        # when
        changed = svc.consumer_rotate_keys(actor=None)
        # then every value is under k2, still decrypts, and the blind index still finds it
        consumer = Consumer.objects.get(pk=b1_consumer.pk)
        assert changed == 1
        assert consumer.id_number.key_id == "k2" and consumer.id_number.reveal() == ID_NUMBER
        assert svc.consumer_rotate_keys(actor=None) == 0
        assert AuditEvent.objects.filter(action="rotate").count() == 2
    finally:
        settings.VAULT_KEY_FILE = ""
        keyring.cache_clear()
        path.unlink()


def test_production_refuses_development_keys():
    from xiaobao.core.checks import vault_keys_configured

    keyring.cache_clear()
    ids = [e.id for e in vault_keys_configured(None)]
    assert "xiaobao.E001" in ids
    assert settings.VAULT_KEY_FILE == ""


@pytest.mark.django_db
def test_consumer_name_is_masked_in_the_audit_trail(b1_consumer):
    event = AuditEvent.objects.get(object_type="core.consumer", action="create")
    assert event.changes["name"] == [None, "王**"]
    assert "王小明" not in json.dumps(event.changes, ensure_ascii=False) and "王小明" not in event.object_repr
