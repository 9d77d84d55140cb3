"""Audit trail: append-only hash chain, tamper detection, what gets recorded, page, export and API."""

from __future__ import annotations

from io import BytesIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import load_workbook

from xiaobao.core.models import AuditEvent
from xiaobao.core.services.audit import GENESIS, audit_record, audit_verify
from xiaobao.core.services.org import org_unit_update

pytestmark = pytest.mark.django_db


def test_chain_links_every_row_to_the_previous(org, hq_officer):
    # given the org fixture and a user wrote events; then every row carries its predecessor's hash
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    report = audit_verify()
    assert report.broken_id is None and report.checked == len(rows)


def _as_dba(cur):
    """What someone with database rights would do to get past the append-only trigger."""
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL xiaobao.audit_maintenance = 'on'")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_updates_and_deletes(org):
    from django.db import DatabaseError, transaction

    victim = AuditEvent.objects.order_by("id").first()
    for sql in (
        "UPDATE core_auditevent SET actor_username = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [victim.id])
    assert audit_verify().broken_id is None


def test_editing_a_row_in_the_database_is_detected(org, hq_officer):
    # given an intact chain
    victim = AuditEvent.objects.order_by("id")[3]
    # when someone edits a row behind the application's back
    with connection.cursor() as cur:
        _as_dba(cur)
        cur.execute("UPDATE core_auditevent SET actor_username = 'nobody' WHERE id = %s", [victim.id])
    # then verification names that row, and the command fails
    report = audit_verify()
    assert report.broken_id == victim.id
    with pytest.raises(CommandError, match=f"row {victim.id}"):
        call_command("audit_verify")


def test_deleting_a_row_is_detected(org, hq_officer):
    victim, successor = AuditEvent.objects.order_by("id")[2:4]
    with connection.cursor() as cur:
        _as_dba(cur)
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [victim.id])
    assert audit_verify().broken_id == successor.id


def test_verify_command_reports_intact_chain(org, capsys):
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


def test_update_records_old_and_new_values(org, hq_officer):
    org_unit_update(actor=hq_officer, unit=org.b1, name="北京分行营业部")
    event = AuditEvent.objects.filter(action="update", object_type="core.orgunit").first()
    assert event.changes == {"name": ["北京分行", "北京分行营业部"]}
    assert event.actor_username == "hq_cp" and event.unit_code == "HO-CPD"


def test_no_change_writes_no_update_row(org, hq_officer):
    before = AuditEvent.objects.count()
    org_unit_update(actor=hq_officer, unit=org.b1, name="北京分行")
    assert AuditEvent.objects.count() == before


def test_personal_fields_are_masked_in_the_trail(b1_consumer):
    event = AuditEvent.objects.filter(object_type="core.consumer", action="create").get()
    assert event.changes["id_number"] == [None, "110108********0016"]
    assert event.changes["phone"] == [None, "138****5678"]
    assert "13812345678" not in str(event.changes)


def test_login_failed_login_and_logout_are_recorded(client, branch_officer):
    from conftest import PASSWORD

    client.post("/login/", {"username": "branch1_cp", "password": "wrong-password"})
    client.post("/login/", {"username": "branch1_cp", "password": PASSWORD})
    client.post("/logout/")
    actions = list(
        AuditEvent.objects.filter(action__in=["login", "login_failed", "logout"])
        .order_by("id")
        .values_list("action", "object_repr")
    )
    assert [a for a, _ in actions] == ["login_failed", "login", "logout"]
    assert actions[0][1] == "branch1_cp"
    assert AuditEvent.objects.filter(action="login").get().ip == "127.0.0.1"


def test_audit_page_filters_by_action_and_user(client_for, hq_officer, org):
    audit_record(actor=hq_officer, action="export", object_type="x", object_repr="某次导出")
    c = client_for(hq_officer)
    html = c.get("/audit/", {"action": "export", "user": "hq_cp"}).content.decode()
    assert "某次导出" in html
    html = c.get("/audit/", {"action": "login"}).content.decode()
    assert "某次导出" not in html


def test_audit_page_invalid_filter_is_400_not_500(client_for, hq_officer):
    response = client_for(hq_officer).get("/audit/", {"date_from": "2026-13-45"})
    assert response.status_code == 400


def test_branch_officer_sees_only_own_subtree_events(client_for, branch_officer, other_branch_officer):
    audit_record(actor=other_branch_officer, action="export", object_type="x", object_repr="上海的导出")
    audit_record(actor=branch_officer, action="export", object_type="x", object_repr="北京的导出")
    html = client_for(branch_officer).get("/audit/").content.decode()
    assert "北京的导出" in html and "上海的导出" not in html


def test_export_is_excel_and_is_itself_audited(client_for, hq_officer, org):
    response = client_for(hq_officer).get("/audit/export/", {"action": "create"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][1] == "时间" and len(rows) > 5  # headers in the user's language (zh-Hans default)
    assert {r[4] for r in rows[1:]} == {str(AuditEvent(action="create").get_action_display())}
    assert AuditEvent.objects.filter(action="export", object_type="core.auditevent").exists()


def test_export_neutralises_formulas(client_for, hq_officer):
    audit_record(actor=hq_officer, action="export", object_type="x", object_repr='=HYPERLINK("http://e")')
    response = client_for(hq_officer).get("/audit/export/", {"action": "export"})
    values = [
        c for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert '\'=HYPERLINK("http://e")' in values


def test_api_lists_and_verifies(api_for, hq_officer, org):
    c = api_for(hq_officer)
    body = c.get("/api/v1/audit-events?action=create&limit=5").json()
    assert body["count"] >= 7 and len(body["items"]) == 5
    assert c.get("/api/v1/audit-events/verify").json()["intact"] is True


def test_trail_cannot_be_changed_through_the_api(api_for, hq_officer, org):
    event_id = AuditEvent.objects.first().id
    c = api_for(hq_officer)
    assert c.delete(f"/api/v1/audit-events/{event_id}").status_code in (404, 405)
    assert c.patch(f"/api/v1/audit-events/{event_id}", "{}", content_type="application/json").status_code in (
        404,
        405,
    )


def test_changes_are_shown_with_labels_and_choice_names(org, hq_officer, branch_officer):
    from django.utils import translation

    from xiaobao.core.services.accounts import user_update

    user_update(actor=hq_officer, user=branch_officer, roles=["approver"])
    event = AuditEvent.objects.filter(changes__has_key="roles").order_by("id").last()
    create = AuditEvent.objects.filter(
        object_type="core.orgunit", action="create", object_id=str(org.b1.pk)
    ).get()
    with translation.override("en"):
        assert event.change_rows == [
            ("roles", "Branch consumer-protection officer", "Approver (leadership)", True)
        ]
        rows = {label: new for label, _old, new, _pair in create.change_rows}
    assert rows["kind"] == "Branch" and rows["parent unit"] == f"{org.ho} #{org.ho.pk}"
    assert "path" not in rows and "depth" not in rows
