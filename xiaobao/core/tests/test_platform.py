"""The installable platform: console script, production checks, demo bank, OpenAPI."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from xiaobao.core.models import Consumer, OrgUnit, User
from xiaobao.core.services.consumers import id_number_is_valid

ROOT = Path(__file__).resolve().parents[3]
XIAOBAO = str(Path(sys.executable).parent / "xiaobao")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keys = subprocess.run(
        [XIAOBAO, "vault_keygen"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XIAOBAO_TESTING": "1"},
    ).stdout
    key_file = tmp_path / "vault.json"
    key_file.write_text(keys)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XIAOBAO_", "PYTEST", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return (
        env
        | {
            "XIAOBAO_SECRET_KEY": secrets.token_urlsafe(64),
            "XIAOBAO_VAULT_KEY_FILE": str(key_file),
            "XIAOBAO_ALLOWED_HOSTS": "xiaobao.bank.example",
            "XIAOBAO_DATA_DIR": str(tmp_path),
        }
        | extra
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [XIAOBAO, "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_development_vault_key(tmp_path):
    env = _production_env(tmp_path)
    del env["XIAOBAO_VAULT_KEY_FILE"]
    result = subprocess.run([XIAOBAO, "check", "--deploy"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "xiaobao.E001" in result.stderr


def test_production_needs_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["XIAOBAO_SECRET_KEY"]
    result = subprocess.run([XIAOBAO, "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "XIAOBAO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_demo_bank(capsys):
    # when
    call_command("demo_load", complaints=0, reviews=0, training=0, exams=0)  # their own tests
    out = capsys.readouterr().out
    # then the institution and every promised login exist, and the password is printed
    assert OrgUnit.objects.filter(kind="branch").count() == 3
    assert OrgUnit.objects.filter(kind="sub_branch").count() == 6
    assert 18 <= OrgUnit.objects.filter(kind="outlet").count() <= 24
    for username in [
        "admin",
        "hq_cp",
        "hq_handler",
        "approver",
        "auditor",
        "branch1_cp",
        "branch1_handler",
        "branch2_cp",
        "branch2_handler",
        "branch3_cp",
        "branch3_handler",
    ]:
        assert User.objects.get(username=username).role_codes
        assert username in out
    assert "Xiaobao-demo-2026" in out
    # synthetic consumers with valid check digits, encrypted
    consumer = Consumer.objects.exclude(id_number_bidx="").first()  # the portal's consumers give no ID number
    assert id_number_is_valid(consumer.id_number.reveal())
    # loading twice is harmless
    call_command("demo_load", complaints=0, reviews=0, training=0, exams=0)  # their own tests
    assert OrgUnit.objects.filter(code="HO").count() == 1


def test_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Xiaobao API"
    assert "/api/v1/calendar/deadline" in schema["paths"]
    assert {"BearerTokenAuth", "ActiveSessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_console_script_is_manage_py():
    result = subprocess.run(
        [XIAOBAO, "help", "audit_verify"],
        capture_output=True,
        text=True,
        env={**os.environ, "XIAOBAO_TESTING": "1"},
    )
    assert result.returncode == 0 and "hash chain" in result.stdout


def test_env_example_lists_every_setting_read_from_the_environment():
    import re

    used = set(re.findall(r"XIAOBAO_[A-Z0-9_]+", (ROOT / "xiaobao" / "settings.py").read_text()))
    documented = set(re.findall(r"XIAOBAO_[A-Z0-9_]+", (ROOT / ".env.example").read_text()))
    assert used - documented == set()
    assert "DATABASE_URL" in (ROOT / ".env.example").read_text()
    json.dumps(sorted(used))


@pytest.mark.django_db
def test_nothing_is_loaded_from_a_cdn(client_for, hq_officer):
    """Bank intranets have no internet: every page, including the API docs, loads only local assets."""
    import re

    client = client_for(hq_officer)
    for url in ["/", "/org/", "/calendar/", "/consumers/", "/api/v1/docs"]:
        html = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], (url, external)
