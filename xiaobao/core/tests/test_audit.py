"""Audit trail: append-only keyed chain sealed after commit, tamper detection against the exported head, what
gets recorded (personal numbers masked), page, export and API."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from xiaobao.core.models import AuditEvent
from xiaobao.core.services.audit import GENESIS, AuditChainError, audit_record, audit_seal, audit_verify
from xiaobao.core.services.org import org_unit_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_dir(settings, tmp_path):
    """A head directory of the test's own (tests export no head unless they configure one)."""
    settings.AUDIT_HEAD_DIR = str(tmp_path / "audit-head")
    return tmp_path / "audit-head"


def test_rows_are_written_unsealed_and_sealed_in_order(org, hq_officer):
    # given the org fixture and a user wrote events: they are stored without a chain link
    assert not AuditEvent.objects.filter(hash__isnull=False).exists()
    # when the sealer runs, then every row carries its position and its predecessor's hash
    assert audit_seal().sealed == AuditEvent.objects.count()
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    report = audit_verify()
    assert report.broken_id is None and report.checked == len(rows) and report.unsealed == 0


def test_recording_takes_no_lock_and_reads_no_chain(org, hq_officer):
    # the create of every complaint writes one audit row: one INSERT, nothing that waits on other writers
    with CaptureQueriesContext(connection) as queries:
        audit_record(actor=hq_officer, action="export", object_type="x", object_repr="导出")
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1 and sql[0].startswith("INSERT"), sql


def test_a_row_committed_after_higher_ids_were_sealed_takes_the_next_position(org):
    # given a sealed chain and a row with a higher id committed first (PostgreSQL commits out of id order)
    audit_seal()
    top = AuditEvent.objects.order_by("-id").first()
    late = AuditEvent.objects.create(id=top.id + 10, at=top.at, action="export", object_repr="later id")
    audit_seal()
    # when a row with a lower id than an already sealed one commits and the sealer runs again
    early = AuditEvent.objects.create(id=top.id + 5, at=top.at, action="export", object_repr="early id")
    audit_seal()
    # then it is chained after the tail, whatever its id, and the chain verifies
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.seq == late.seq + 1 and early.prev_hash == late.hash
    assert audit_verify().broken_id is None


def _as_dba(cur):
    """What someone with database rights would do to get past the append-only triggers."""
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL xiaobao.audit_maintenance = 'on'")
    else:  # rolled back with the test's transaction
        cur.execute("DROP TRIGGER core_auditevent_no_update")
        cur.execute("DROP TRIGGER core_auditevent_no_delete")


def test_the_database_refuses_updates_and_deletes(org):
    # on PostgreSQL and on SQLite alike, sealed or not
    audit_seal()
    audit_record(actor=None, action="export", object_type="x", object_repr="unsealed")
    for victim in (AuditEvent.objects.order_by("id").first(), AuditEvent.objects.order_by("id").last()):
        for sql in (
            "UPDATE core_auditevent SET actor_username = 'x' WHERE id = %s",
            "UPDATE core_auditevent SET object_repr = 'y', hash = 'f' WHERE id = %s",
            "UPDATE core_auditevent SET hash = NULL, seq = NULL WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cur,
            ):
                cur.execute(sql, [victim.id])
    assert audit_verify().broken_id is None


def test_the_sealer_may_fill_only_the_chain_columns_of_an_unsealed_row(org):
    row = audit_record(actor=None, action="export", object_type="x", object_repr="unsealed")
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_auditevent SET seq = 999, prev_hash = 'a', hash = 'b' WHERE id = %s", [row.id]
        )
    row.refresh_from_db()
    assert (row.seq, row.hash) == (999, "b")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET hash = 'c' WHERE id = %s", [row.id])


def _unkeyed_hash(row: dict) -> str:
    """The chain as it was (plain SHA-256): anyone with the database could recompute it."""
    blob = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def test_editing_rows_and_recomputing_an_unkeyed_chain_is_detected(org, hq_officer):
    # given a sealed chain
    audit_seal()
    rows = list(AuditEvent.objects.order_by("seq"))
    victim = rows[3]
    # when someone with database rights edits a row and recomputes every hash after it without the key
    with connection.cursor() as cur:
        _as_dba(cur)
        prev = victim.prev_hash
        for row in rows[3:]:
            content = {"id": row.id, "user": "nobody" if row.id == victim.id else row.actor_username}
            new = _unkeyed_hash(content | {"prev": prev})
            cur.execute(
                "UPDATE core_auditevent SET actor_username = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [content["user"], prev, new, row.id],
            )
            prev = new
    # then verification names the edited row
    assert audit_verify().broken_id == victim.id


def test_deleting_the_newest_rows_is_detected_against_the_exported_head(org, hq_officer, head_dir):
    # given a sealed chain whose head was exported outside the database
    audit_seal()
    newest = AuditEvent.objects.order_by("-seq")[:2]
    head = json.loads(next(head_dir.glob("audit-head-*.json")).read_text())
    assert (head["id"], head["hash"], head["seq"]) == (newest[0].id, newest[0].hash, newest[0].seq)
    # when the two newest rows are deleted (what remains is a perfectly linked chain)
    with connection.cursor() as cur:
        _as_dba(cur)
        cur.execute("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [r.id for r in newest])
    # then verification fails naming the exported head, the command exits 1, and the sealer refuses to
    # extend the shortened chain
    report = audit_verify()
    assert report.broken_id == head["id"] and "missing" in report.reason
    with pytest.raises(CommandError, match=f"row {head['id']}"):
        call_command("audit_verify")
    audit_record(actor=None, action="export", object_type="x", object_repr="after the deletion")
    with pytest.raises(AuditChainError):
        audit_seal()


def test_seal_command_exports_the_head_and_verify_checks_it(org, head_dir, capsys):
    call_command("audit_seal")
    assert "exported to" in capsys.readouterr().out
    audit_record(actor=None, action="export", object_type="x", object_repr="one more")
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "intact" in out and "exported head" in out


def test_seal_loop_runs_and_stops(org, capsys):
    call_command("audit_seal", "--loop", "--interval", "0", "--max-loops", "2")
    assert capsys.readouterr().out.count("audit_seal:") == 2
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()


def test_editing_a_row_in_the_database_is_detected(org, hq_officer):
    # given an intact chain
    audit_seal()
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
    audit_seal()
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


def _register_with_numbers_in_free_text(branch_officer, org):
    import time_machine

    from xiaobao.complaints.services import complaint_register

    data = {
        "received_at": "2026-03-02T10:30:00+08:00",
        "channel": "A0302",
        "business_type": "B0303",
        "cause": "C07",
        "source": "direct",
        "org_unit": org.b1s.code,
        "complainant": {"name": "张伟", "id_number": "110108199003070016", "phone": "13812345678"},
        "request": "请回电13812345678，退还卡号6222021234567890123的年费",
        "description": "客户身份证110108199003070016，称信用卡年费未经同意扣收。",
    }
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        complaint, _ = complaint_register(actor=branch_officer, data=data)
    return complaint


def test_numbers_typed_into_free_text_are_masked_in_the_trail(
    client_for, api_for, hq_officer, branch_officer, org
):
    # given a complaint whose request and description hold a phone, a card and an ID number
    complaint = _register_with_numbers_in_free_text(branch_officer, org)
    # then its audit row holds them masked, and its reference number as it is
    event = AuditEvent.objects.get(object_type="complaints.complaint", action="create")
    stored = json.dumps(event.changes, ensure_ascii=False)
    for number in ("13812345678", "6222021234567890123", "110108199003070016"):
        assert number not in stored
    assert (
        "138****5678" in event.changes["request"][1] and "622202*********0123" in event.changes["request"][1]
    )
    assert "110108********0016" in event.changes["description"][1]
    assert event.changes["reference"][1] == complaint.reference
    # and so do the page, the API and the Excel export
    page = client_for(hq_officer).get("/audit/", {"object_type": "complaints.complaint"}).content.decode()
    api = api_for(hq_officer).get("/api/v1/audit-events?object_type=complaints.complaint").content.decode()
    export = client_for(hq_officer).get("/audit/export/", {"object_type": "complaints.complaint"})
    cells = " ".join(
        str(c)
        for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
        for c in row
    )
    for shown in (page, api, cells):
        assert "138****5678" in shown and "13812345678" not in shown and "110108199003070016" not in shown


def test_created_by_is_labelled_in_the_users_language(client_for, hq_officer, branch_officer, org):
    _register_with_numbers_in_free_text(branch_officer, org)
    event = AuditEvent.objects.get(object_type="complaints.complaint", action="create")
    labels = [label for label, *_ in event.change_rows]
    assert "创建人" in labels and "created by" not in labels


def test_api_verify_without_the_audit_key_answers_503_in_the_error_shape(api_for, hq_officer, settings):
    # in production the key may be given to the sealer only, not to the web application
    settings.DEBUG = settings.TESTING = False
    response = api_for(hq_officer).get("/api/v1/audit-events/verify")
    assert response.status_code == 503
    assert set(response.json()) >= {"code", "message"} and "audit key" in response.json()["message"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_leave_one_intact_chain():
    # given 8 writers committing in whatever order their transactions end, and 2 sealers running meanwhile
    import random
    import threading
    import time

    from django.db import connections

    done = threading.Event()

    def writer(n: int) -> None:
        for i in range(15):
            with transaction.atomic():
                audit_record(actor=None, action="export", object_type="x", object_repr=f"w{n}-{i}")
                time.sleep(random.uniform(0, 0.01))  # commit order differs from id order
        connections.close_all()

    def sealer() -> None:
        while not done.is_set():
            audit_seal()
        connections.close_all()

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for t in writers + sealers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in sealers:
        t.join()
    # then every row is sealed exactly once, at consecutive positions, and the chain verifies
    report = audit_verify()
    assert (
        report.broken_id is None
        and report.unsealed == 0
        and report.checked == AuditEvent.objects.count() == 120
    )


@pytest.mark.django_db(transaction=True)
def test_upgrading_verifies_the_old_chain_masks_old_rows_and_reseals_them():
    # given the trail as the previous version wrote it: an unkeyed SHA-256 chain, a phone number in clear
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0006_auditevent_password_reset")])
    prev = GENESIS
    with connection.cursor() as cur:
        for i in range(3):
            at = f"2026-03-02 10:00:0{i}+00:00"
            changes = {"text": [None, f"请回电13812345678 #{i}"]}
            content = {
                "at": f"2026-03-02T10:00:0{i}.000000+00:00",
                "actor": None,
                "actor_username": "",
                "unit_path": "",
                "unit_code": "",
                "action": "export",
                "object_type": "x",
                "object_id": "",
                "object_repr": f"old {i}",
                "changes": changes,
                "ip": None,
                "prev": prev,
            }
            digest = _unkeyed_hash(content)
            cur.execute(
                "INSERT INTO core_auditevent (at, actor_username, unit_path, unit_code, action, object_type, "
                "object_id, object_repr, changes, prev_hash, hash) "
                "VALUES (%s, '', '', '', 'export', 'x', '', %s, %s, %s, %s)",
                [at, f"old {i}", json.dumps(changes, ensure_ascii=False), prev, digest],
            )
            prev = digest
    # when the upgrade runs
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the old rows hold the number masked and are chained again under the key
    texts = [e.changes["text"][1] for e in AuditEvent.objects.order_by("id")]
    assert texts == [f"请回电138****5678 #{i}" for i in range(3)]
    report = audit_verify()
    assert report.broken_id is None and report.checked == 3


def test_the_key_comes_from_outside_the_database(org, settings, tmp_path):
    # a configured key file seals; a different key makes the same chain fail verification
    from xiaobao.core.services.audit_chain import generate_key

    settings.AUDIT_KEY_FILE = str(tmp_path / "audit.key")
    (tmp_path / "audit.key").write_text(generate_key())
    audit_seal()
    assert audit_verify().broken_id is None
    settings.AUDIT_KEY_FILE = ""
    settings.AUDIT_KEY = generate_key()
    assert audit_verify().broken_id == AuditEvent.objects.order_by("seq").first().id
