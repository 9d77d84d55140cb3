"""`xiaobao import_complaints`: the same services on the command line, with exit codes and a summary."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from xiaobao.complaints.models import Complaint
from xiaobao.imports.models import ImportJob
from xiaobao.imports.tests.conftest import cfpb_row, make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_complaints", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(make_csv([cfpb_row(i) for i in range(1, 6)] + [cfpb_row(6, Product="Crypto wallet")]))
    return path


def test_imports_and_summarises(org, importer, cfpb_preset, history):
    # when
    code, out, err = run(str(history), "--preset", "cfpb", "--org", "B1-S1", "--actor", importer.username)
    # then
    assert code == 0, err
    assert "imported:           6" in out and "invalid:            0" in out
    assert "not in the business_type table (→ other): Crypto wallet ×1" in out
    assert "100%" in err  # the progress line
    assert Complaint.objects.filter(org_unit=org.b1s, registered_by=importer).count() == 6
    # when run again, nothing is added and it still succeeds
    code, out, _ = run(str(history), "--preset", "cfpb", "--org", "B1-S1", "--actor", importer.username)
    assert code == 0 and "already imported:   6" in out and Complaint.objects.count() == 6


def test_invalid_rows_exit_1_and_write_nothing(org, importer, cfpb_preset, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"  # the messages asserted below are the English msgids
    path = tmp_path / "bad.csv"
    path.write_bytes(make_csv([cfpb_row(1), cfpb_row(2, **{"Date received": "someday"})]))
    # when
    code, out, err = run(str(path), "--preset", "cfpb", "--org", "B1", "--actor", importer.username)
    # then
    assert code == 1
    assert "row 3 · Date received: Not a date: someday" in err and "1 rows are invalid" in err
    assert Complaint.objects.count() == 0
    # with --skip-invalid the valid row goes in
    code, out, _ = run(
        str(path), "--preset", "cfpb", "--org", "B1", "--actor", importer.username, "--skip-invalid"
    )
    assert code == 0 and "invalid:            1 (skipped)" in out and Complaint.objects.count() == 1


def test_default_date_of_receipt(org, importer, cfpb_preset, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"  # the messages asserted below are the English msgids
    path = tmp_path / "narratives.csv"
    path.write_bytes(b",Product,Consumer complaint narrative\n1,Mortgage,My escrow was miscalculated.\n")
    code, _, err = run(str(path), "--preset", "cfpb", "--org", "B1", "--actor", importer.username)
    assert code == 1 and "give a default date of receipt" in err
    code, _, _ = run(
        str(path),
        "--preset",
        "cfpb",
        "--org",
        "B1",
        "--actor",
        importer.username,
        "--received-on",
        "2015-06-01",
    )
    assert code == 0 and str(Complaint.objects.get().receipt_date) == "2015-06-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope", "--org", "B1", "--actor", "b1_importer"], "unknown preset"),
        (["--preset", "cfpb", "--org", "ZZ", "--actor", "b1_importer"], "unknown unit"),
        (["--preset", "cfpb", "--org", "B1", "--actor", "nobody"], "unknown or inactive user"),
        (["--preset", "cfpb", "--org", "B1"], "give --actor"),
        (["--preset", "cfpb", "--org", "B2", "--actor", "b1_importer"], "org_unit"),  # outside the scope
        (
            ["--preset", "cfpb", "--org", "B1", "--actor", "b1_importer", "--received-on", "1/2/2015"],
            "YYYY-MM-DD",
        ),
    ],
)
def test_bad_arguments_exit_2(org, importer, cfpb_preset, history, args, message):
    code, _, err = run(str(history), *args)
    assert code == 2 and message in err
    assert not Complaint.objects.exists()


def test_a_superuser_is_the_default_actor(org, cfpb_preset, history):
    from xiaobao.core.models import User

    admin = User.objects.create_superuser("root", password="Xb-test-pass-2026", org_unit=org.ho)
    code, _, err = run(str(history), "--preset", "cfpb", "--org", "B2")
    assert code == 0, err
    assert ImportJob.objects.get().requested_by == admin
    assert Complaint.objects.filter(org_unit=org.b2).count() == 6


def test_missing_file_exits_2(org, cfpb_preset, tmp_path):
    code, _, err = run(str(tmp_path / "none.csv"), "--preset", "cfpb", "--org", "B1")
    assert code == 2 and "no such file" in err
