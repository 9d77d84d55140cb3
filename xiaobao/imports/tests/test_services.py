"""The import services: mapping, validation, all-or-nothing bulk writing, idempotency, clocks, audit."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaobao.complaints.choices import ClockState, Priority, Source, Status
from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent
from xiaobao.complaints.services import complaint_recompute_clocks
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.models.audit import AuditAction
from xiaobao.imports.models import ImportPreset
from xiaobao.imports.services import (
    import_job_create,
    import_job_run,
    import_job_set_mapping,
    import_preset_from_job,
    import_preset_set_values,
)
from xiaobao.imports.tests.conftest import cfpb_row, make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def test_rows_become_complaints_with_mapped_codes(org, importer, run_import):
    # given three CFPB rows: a mortgage by web, a debt collection by phone for an older servicemember,
    # and a credit card still in progress
    data = make_csv(
        [
            cfpb_row(1),
            cfpb_row(
                2,
                Product="Debt collection",
                Issue="Communication tactics",
                **{"Submitted via": "Phone", "Tags": "Older American, Servicemember"},
            ),
            cfpb_row(
                3,
                Product="Credit card",
                Issue="Late fee",
                **{"Company response to consumer": "In progress", "Date received": "2020-03-19"},
            ),
        ]
    )
    # when
    job = run_import(importer, data, org.b1s)
    # then
    assert (job.state, job.created, job.invalid, job.unmapped) == ("done", 3, 0, {})
    c1, c2, c3 = Complaint.objects.order_by("external_reference")
    assert (c1.business_type.code, c1.cause.code, c1.channel.code) == ("B0201", "C03", "A0399")
    assert (c2.business_type.code, c2.cause.code, c2.channel.code) == ("B13", "C12", "A0302")
    assert c2.special_groups == ["elderly", "servicemember"] and c2.priority == Priority.HIGH
    assert c1.external_reference == "cfpb:9000001" and c1.source == Source.OTHER_REFERRAL
    assert c1.status == Status.CLOSED and c1.liability == "valid" and c1.closed_at == c1.received_at
    # in progress there, history here: archived (the shipped preset is historical), closed on its receipt day
    assert c3.status == Status.ARCHIVED and c3.closed_at == c3.received_at and c3.liability == ""
    assert str(c1.receipt_date) == "2020-03-18" and str(c3.receipt_date) == "2020-03-19"
    assert c1.product == "Mortgage / FHA mortgage"
    assert c1.request == "Struggling to pay mortgage"
    assert c1.description.startswith("The servicer lost my payment number 1.")
    assert "EXAMPLE BANK" in c1.description and "TX" in c1.description
    assert c1.org_unit == org.b1s and c1.registering_unit == org.b1s
    assert c1.registered_by == importer and c1.created_by == importer
    assert c1.reference.startswith(f"IM{job.pk:06d}20200318") and len(c1.reference) <= 24
    assert not c1.is_repeat and not c1.is_secondary
    # one anonymous consumer per row, nothing sealed
    assert c1.complainant != c2.complainant
    assert c1.complainant.name == "匿名" and not c1.complainant.id_number
    # one "imported" event per complaint, pointing back to the job and the row
    event = ComplaintEvent.objects.get(complaint=c2)
    assert (event.action, event.data, event.to_status) == ("imported", {"job": job.pk, "row": 3}, "closed")


def test_unmapped_values_go_to_other_and_are_counted(org, importer, run_import):
    # given products, issues and channels the preset does not know
    data = make_csv(
        [
            cfpb_row(1, Product="Crypto wallet", Issue="Lost keys", **{"Submitted via": "Carrier pigeon"}),
            cfpb_row(2, Product="Crypto wallet", Tags="Veteran"),
        ]
    )
    # when
    job = run_import(importer, data, org.b1s)
    # then the rows are imported with the "other" codes and the values are listed with their counts
    assert job.state == "done" and job.created == 2
    assert job.unmapped == {
        "business_type": {"Crypto wallet": 2},
        "cause": {"Lost keys": 1},
        "channel": {"Carrier pigeon": 1},
        "special_groups": {"Veteran": 1},
    }
    assert job.unmapped_total == 5
    c = Complaint.objects.get(external_reference="cfpb:9000001")
    assert (c.business_type.code, c.cause.code, c.channel.code) == ("B99", "C99", "A99")


def test_value_maps_compare_without_case_and_extra_spaces(org, importer, run_import):
    # given values written differently from the table
    data = make_csv([cfpb_row(1, Product="  mortgage ", **{"Submitted via": "POSTAL   MAIL"})])
    # when
    job = run_import(importer, data, org.b1s)
    # then
    c = Complaint.objects.get()
    assert job.unmapped == {}
    assert (c.business_type.code, c.channel.code) == ("B0201", "A06")


def test_invalid_rows_are_reported_and_nothing_is_written(org, importer, run_import):
    # given a bad date, a missing date and a future date among good rows
    rows = [cfpb_row(i) for i in range(1, 6)]
    rows[1]["Date received"] = "2020/13/45"
    rows[3]["Date received"] = ""
    rows[4]["Date received"] = "2027-01-01"
    # when
    job = run_import(importer, make_csv(rows), org.b1s)
    # then the job fails with one error per bad row, naming the row and the file's column
    assert job.state == "failed" and "3 rows are invalid" in job.error
    assert (job.invalid, job.valid_rows, job.created) == (3, 2, 0)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "Date received"),
        (5, "Date received"),
        (6, "Date received"),
    ]
    assert "Not a date: 2020/13/45" in job.errors[0]["message"]
    assert "empty" in job.errors[1]["message"]
    assert "future" in job.errors[2]["message"]
    assert Complaint.objects.count() == 0 and Consumer.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows(org, importer, run_import):
    # given two bad rows out of four
    rows = [cfpb_row(i) for i in range(1, 5)]
    rows[0]["Date received"] = "N/A"
    rows[2]["Date received"] = "1999-12-31"
    # when the user chose to skip invalid rows
    job = run_import(importer, make_csv(rows), org.b1s, skip_invalid=True)
    # then
    assert (job.state, job.created, job.invalid) == ("done", 2, 2)
    assert sorted(Complaint.objects.values_list("external_reference", flat=True)) == [
        "cfpb:9000002",
        "cfpb:9000004",
    ]
    assert "too far in the past" in job.errors[1]["message"]


def test_a_file_without_dates_needs_a_default_date(org, importer, run_import):
    # given a Product + narrative extract without a date column (like narratives_product_sha-hsg.csv)
    data = b",Product,Consumer complaint narrative\n549162,Credit card,The bank charged me twice.\n"
    # when imported without a default date
    job = run_import(importer, data, org.b1s)
    # then the row is invalid with a clear message
    assert job.state == "failed"
    assert job.errors == [
        {
            "row": 2,
            "column": "Date of receipt",
            "message": "No date of receipt: the file has no such column; give a default date of receipt.",
        }
    ]
    # when given one
    import datetime as dt

    job = run_import(importer, data, org.b1s, received_on=dt.date(2015, 6, 1))
    # then
    c = Complaint.objects.get()
    assert job.created == 1 and str(c.receipt_date) == "2015-06-01"
    assert c.external_reference.startswith("cfpb:h:")  # no ID column: a stable hash of the row
    assert (c.channel.code, c.cause.code, c.business_type.code) == ("A99", "C99", "B0303")


def test_re_running_the_same_file_adds_nothing(org, importer, run_import):
    # given a file imported once (with a row repeated inside it)
    data = make_csv([cfpb_row(1), cfpb_row(2), cfpb_row(1)])
    first = run_import(importer, data, org.b1s)
    # when the same file is imported again
    second = run_import(importer, data, org.b1s)
    # then
    assert (first.created, first.duplicates) == (2, 1)
    assert (second.state, second.created, second.skipped_existing) == ("done", 0, 2)
    assert Complaint.objects.count() == 2 and Consumer.objects.count() == 2


def test_an_error_in_the_last_batch_leaves_nothing(org, importer, cfpb_preset):
    import datetime as dt

    from xiaobao.complaints.services import complaint_register
    from xiaobao.imports.services import import_job_run, import_job_start
    from xiaobao.imports.writer import reference

    # given 25 uploaded rows to be written in batches of 10, and a complaint already holding the reference
    # the last row will get (a database error in the third batch)
    data = make_csv([cfpb_row(i) for i in range(1, 26)])
    job = import_job_create(
        actor=importer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1s
    )
    blocker, _ = complaint_register(
        actor=importer,
        data={
            "received_at": "2026-03-02T10:00:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1.code,
            "complainant": {"name": "王五"},
            "request": "r",
            "description": "d",
        },
    )
    Complaint.objects.filter(pk=blocker.pk).update(reference=reference(job.pk, dt.date(2020, 3, 18), 25))
    before = (Complaint.objects.count(), Consumer.objects.count(), Clock.objects.count())
    # when
    job = import_job_run(job=import_job_start(actor=importer, job=job, stage="import"), batch_size=10)
    # then the job failed and none of the 25 rows (nor their consumers, events, clocks) remain
    assert job.state == "failed" and job.created == 0 and "UNIQUE" in job.error.upper()
    assert (Complaint.objects.count(), Consumer.objects.count(), Clock.objects.count()) == before
    assert not ComplaintEvent.objects.filter(action="imported").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_queries_do_not_grow_with_the_rows(org, importer, run_import):
    def queries(n: int, start: int) -> tuple[int, int]:
        data = make_csv([cfpb_row(start + i) for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            run_import(importer, data, org.b1s)
        inserts = sum(1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT"))
        return len(ctx.captured_queries) - inserts, inserts

    queries(3, 5000)  # warm the per-process caches (permissions, calendar)
    # when 30 and then 300 rows are imported
    small_other, small_inserts = queries(30, 0)
    big_other, big_inserts = queries(300, 1000)
    # then the statements other than INSERTs are the same, and the INSERTs are batched (SQLite caps one
    # INSERT … RETURNING at 999 values: a few dozen rows per statement; PostgreSQL takes the batch whole)
    assert big_other == small_other
    assert small_inserts <= big_inserts <= 300 / 10


def test_one_audit_record_per_run(org, importer, run_import):
    # when 20 rows are imported
    job = run_import(importer, make_csv([cfpb_row(i) for i in range(20)]), org.b1s, name="history-2020.csv")
    # then one audit record says who imported which file into which unit, with the counts
    records = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert records.count() == 1
    record = records.get()
    assert record.actor == importer and record.object_id == str(job.pk)
    assert record.changes["file"] == "history-2020.csv" and record.changes["unit"] == org.b1s.code
    assert (record.changes["created"], record.changes["rows"], record.changes["outcome"]) == (
        20,
        20,
        "imported",
    )
    assert not AuditEvent.objects.filter(object_type="complaints.complaint").exists()


@pytest.fixture
def live_cases(cfpb_preset):
    """The preset set to take over live cases (`historical: false`): open rows stay open."""
    cfpb_preset.defaults = {**cfpb_preset.defaults, "historical": False}
    cfpb_preset.save()


def test_open_imported_complaints_get_the_real_clocks(org, importer, run_import, live_cases):
    # given one complaint still in progress and one closed, taken over as live cases
    data = make_csv(
        [
            cfpb_row(1, **{"Date received": "2026-02-25", "Company response to consumer": "In progress"}),
            cfpb_row(2, **{"Date received": "2026-02-25"}),
        ]
    )
    # when
    run_import(importer, data, org.b1s)
    # then the open one's clocks are exactly what the complaints app computes from its history
    open_c = Complaint.objects.get(external_reference="cfpb:9000001")
    stored = {c.name: (c.due_date, c.state, c.days) for c in open_c.clocks.all()}
    assert open_c.decision_due == stored["decision"][0]  # written by the import, as lists sort by it
    recomputed = {c.name: (c.due_date, c.state, c.days) for c in complaint_recompute_clocks(open_c)}
    assert stored == recomputed and set(stored) == {"decision", "first_contact"}
    assert stored["decision"][1] == ClockState.RUNNING
    assert (open_c.decision_state, open_c.decided_on, open_c.is_extended) == (ClockState.RUNNING, None, False)
    # and the closed one has its decision clock, stopped (history without a recorded notice)
    closed_c = Complaint.objects.get(external_reference="cfpb:9000002")
    (clock,) = closed_c.clocks.all()
    assert closed_c.decision_state == ClockState.STOPPED and closed_c.decision_due == clock.due_date
    assert (clock.name, clock.state, clock.due_date) == (
        "decision",
        ClockState.STOPPED,
        stored["decision"][0],
    )


def test_id_numbers_find_the_complainant_again(org, importer, run_import, b1_consumer):
    # given a file with an ID-number column: one row of a known consumer, two rows of a new person
    header = ["Date received", "Product", "Complaint ID", "Name", "ID number"]
    rows = [
        {
            "Date received": "2020-03-18",
            "Product": "Mortgage",
            "Complaint ID": "1",
            "ID number": "110108199003070016",
        },
        {
            "Date received": "2020-03-18",
            "Product": "Mortgage",
            "Complaint ID": "2",
            "Name": "李四",
            "ID number": "11010519491231002X",
        },
        {
            "Date received": "2020-03-19",
            "Product": "Mortgage",
            "Complaint ID": "3",
            "Name": "李四",
            "ID number": "110105 19491231 002x",
        },
        {"Date received": "2020-03-19", "Product": "Mortgage", "Complaint ID": "4", "ID number": "123"},
    ]
    preset = ImportPreset.objects.create(
        name="own",
        columns={
            "received_on": ["Date received"],
            "business_type": ["Product"],
            "external_id": ["Complaint ID"],
            "complainant_name": ["Name"],
            "id_number": ["ID number"],
        },
        value_maps={"business_type": {"Mortgage": "B0201"}},
        defaults={"external_prefix": "old:"},
    )
    # when imported by a user who may see consumers, skipping the bad ID
    job = run_import(importer, make_csv(rows, header), org.b1, preset=preset, skip_invalid=True)
    # then
    assert (job.created, job.invalid) == (3, 1)
    assert job.errors[0]["column"] == "ID number" and "123" not in job.errors[0]["message"]
    by_ref = {c.external_reference: c for c in Complaint.objects.select_related("complainant")}
    assert by_ref["old:1"].complainant == b1_consumer
    assert by_ref["old:2"].complainant == by_ref["old:3"].complainant
    person = by_ref["old:2"].complainant
    assert person.name == "李四" and person.id_number.reveal() == "11010519491231002X"
    assert person.id_number_bidx and Consumer.objects.count() == 2


def test_mapping_changes_columns_values_and_defaults(org, importer, cfpb_preset):
    # given an uploaded file whose "Issue" column the user maps to the sub-issue instead
    data = make_csv([cfpb_row(1, Issue="Weird issue"), cfpb_row(2)])
    job = import_job_create(
        actor=importer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1
    )
    job = import_job_run(job=job)  # the worker reads the file
    assert job.columns["cause"] == "Issue" and job.stage == "mapping" and not job.is_active
    # when the user maps a new value, drops the channel column and sets its default
    maps = job.value_maps | {"cause": job.value_maps["cause"] | {"Weird issue": "C05"}}
    columns = {k: v for k, v in job.columns.items() if k != "channel"}
    job = import_job_set_mapping(
        actor=importer,
        job=job,
        columns=columns,
        value_maps=maps,
        defaults={"channel": "A01"},
        skip_invalid=False,
        received_on=None,
    )
    # then
    assert "channel" not in job.columns and job.defaults["channel"] == "A01"
    assert job.value_maps["cause"]["Weird issue"] == "C05"


@pytest.mark.parametrize(
    ("value_maps", "defaults", "field"),
    [
        ({"cause": {"Late fee": "C77"}}, {}, "cause"),
        ({"status": {"Closed": "archived"}}, {}, "status"),
        ({}, {"channel": "Z1"}, "defaults.channel"),
        ({}, {"date_order": "ydm"}, "defaults.date_order"),
    ],
)
def test_mapping_refuses_unknown_targets(org, importer, cfpb_preset, value_maps, defaults, field):
    job = import_job_create(
        actor=importer,
        fileobj=io.BytesIO(make_csv([cfpb_row(1)])),
        name="a.csv",
        preset=cfpb_preset,
        org_unit=org.b1,
    )
    job = import_job_run(job=job)
    with pytest.raises(ValidationError) as exc:
        import_job_set_mapping(
            actor=importer,
            job=job,
            columns=job.columns,
            value_maps=job.value_maps | value_maps,
            defaults=defaults,
            skip_invalid=False,
            received_on=None,
        )
    assert field in exc.value.message_dict


def test_only_units_in_scope(org, importer, other_branch_officer, cfpb_preset):
    data = make_csv([cfpb_row(1)])
    # a branch-1 officer cannot import into branch 2
    with pytest.raises(ValidationError) as exc:
        import_job_create(
            actor=importer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b2
        )
    assert "org_unit" in exc.value.message_dict
    # someone without the permission cannot import at all
    from conftest import make_user

    handler = make_user("handler", org.b1, ["complaint_handler"])
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=handler, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1
        )


def test_save_a_jobs_mapping_as_a_preset(org, hq_officer, cfpb_preset):
    # given a file whose columns have other names, mapped by hand
    header = ["收到日期", "产品", "编号"]
    data = make_csv([{"收到日期": "2020-03-18", "产品": "房贷", "编号": "7"}], header)
    job = import_job_create(
        actor=hq_officer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1
    )
    job = import_job_run(job=job)
    job = import_job_set_mapping(
        actor=hq_officer,
        job=job,
        columns={"received_on": "收到日期", "business_type": "产品", "external_id": "编号"},
        value_maps=job.value_maps | {"business_type": {"房贷": "B0201"}},
        defaults={"external_prefix": "old:"},
        skip_invalid=False,
        received_on=None,
    )
    # when saved as a new preset
    preset = import_preset_from_job(actor=hq_officer, job=job, name="旧系统")
    # then the new names are aliases, the CFPB ones are kept for fields this file did not have
    assert preset.columns["received_on"] == ["收到日期", "Date received"]
    assert preset.columns["business_type"] == ["产品", "Product"]
    assert preset.columns["narrative"] == ["Consumer complaint narrative"]
    assert preset.value_maps["business_type"] == {"房贷": "B0201"}
    assert preset.defaults["external_prefix"] == "old:"
    assert ImportPreset.objects.get(name="cfpb").value_maps["business_type"]["Mortgage"] == "B0201"
    assert (
        AuditEvent.objects.filter(object_type="imports.importpreset", action=AuditAction.CREATE).count() == 1
    )


def test_preset_value_table_replaced(org, hq_officer, importer, cfpb_preset):
    # when HQ replaces the channel table
    preset = import_preset_set_values(
        actor=hq_officer, preset=cfpb_preset, dimension="channel", values={"Web": "A0304"}
    )
    # then
    assert preset.value_maps["channel"] == {"Web": "A0304"}
    assert preset.value_maps["business_type"]["Mortgage"] == "B0201"
    # a branch officer may import but not edit presets; unknown codes are refused
    with pytest.raises(PermissionDenied):
        import_preset_set_values(actor=importer, preset=cfpb_preset, dimension="channel", values={})
    with pytest.raises(ValidationError):
        import_preset_set_values(
            actor=hq_officer, preset=cfpb_preset, dimension="channel", values={"Web": "X"}
        )


def test_old_open_complaints_do_not_flood_the_sweeper(org, importer, run_import, live_cases):
    from xiaobao.complaints.models import Notification
    from xiaobao.complaints.sweeper import sla_sweep

    # given an open complaint from 2020 (long overdue) and one received last week
    data = make_csv(
        [
            cfpb_row(1, **{"Company response to consumer": "In progress"}),
            cfpb_row(2, **{"Company response to consumer": "In progress", "Date received": "2026-02-24"}),
        ]
    )
    run_import(importer, data, org.b1s)
    old = Complaint.objects.get(external_reference="cfpb:9000001")
    assert set(old.clocks.values_list("state", "escalation_level")) == {(ClockState.BREACHED, 3)}
    # when the sweeper runs
    sla_sweep()
    # then the old breach is not announced again; the recent complaint is swept as usual (still running)
    assert not Notification.objects.filter(complaint=old).exists()
    recent = Complaint.objects.get(external_reference="cfpb:9000002")
    assert recent.clocks.get(name="decision").state == ClockState.RUNNING


def test_size_and_row_limits(org, importer, cfpb_preset, settings):
    data = make_csv([cfpb_row(i) for i in range(4)])
    settings.IMPORT_MAX_ROWS = 3
    job = import_job_create(  # the rows are counted by the worker that reads the file
        actor=importer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1
    )
    job = import_job_run(job=job)
    assert job.state == "failed" and "more than 3 rows" in job.error
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BYTES = 100, 200
    with pytest.raises(ValidationError) as exc:
        import_job_create(
            actor=importer, fileobj=io.BytesIO(data), name="a.csv", preset=cfpb_preset, org_unit=org.b1
        )
    assert "larger than" in exc.value.message_dict["file"][0]


def test_authentication_codes_in_the_text_are_refused(org, importer, run_import):
    # given a narrative with a one-time code (C3 information must never be stored)
    data = make_csv(
        [cfpb_row(1, **{"Consumer complaint narrative": "They asked me for 验证码 123456 on the phone"})]
    )
    # when
    job = run_import(importer, data, org.b1s)
    # then
    assert job.state == "failed" and job.errors[0]["column"] == "Consumer complaint narrative"
    assert "123456" not in str(job.errors) and Complaint.objects.count() == 0


def test_the_run_checks_the_uploader_may_still_import(org, importer, cfpb_preset):
    from xiaobao.imports.services import import_job_run, import_job_start

    job = import_job_create(
        actor=importer,
        fileobj=io.BytesIO(make_csv([cfpb_row(1)])),
        name="a.csv",
        preset=cfpb_preset,
        org_unit=org.b1,
    )
    # when the uploader loses the role before the run
    importer.groups.clear()
    importer = type(importer).objects.get(pk=importer.pk)
    job = import_job_run(job=import_job_start(actor=importer, job=job, stage="import"))
    # then
    assert job.state == "failed" and "may no longer import" in job.error
    assert Complaint.objects.count() == 0
