"""`xiaobao report …`: writes the file and exits 0; bad input exits non-zero with a message."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiaobao.reports.models import ReportJob
from xiaobao.reports.tests.helpers import grid_table, read_xlsx

pytestmark = pytest.mark.django_db


def test_monthly_from_the_command_line(complaints, org, hq_officer, tmp_path, capsys):
    out = tmp_path / "oct.xlsx"
    call_command(
        "report", "monthly", "--period", "2026-10", "--org", "B1", "--out", str(out), "--user", "hq_cp"
    )
    printed = capsys.readouterr().out
    assert str(out) in printed and "[1/5]" in printed
    _codes, rows = grid_table(read_xlsx(out.read_bytes()).worksheets[1])
    assert rows[-1][-1] == 6
    job = ReportJob.objects.get()
    assert job.requested_by == hq_officer and job.state == "done"


def test_default_user_is_the_only_hq_officer(complaints, org, hq_officer, tmp_path, capsys):
    out = tmp_path / "q.docx"
    call_command("report", "quarterly", "--period", "2026-Q4", "--out", str(out))
    assert out.read_bytes()[:2] == b"PK"
    assert "as hq_cp" in capsys.readouterr().out
    assert ReportJob.objects.get().org_unit == org.ho  # the top of the officer's scope


@pytest.mark.parametrize(
    "argv, message",
    [
        (["monthly", "--period", "2026-13", "--org", "B1", "--user", "hq_cp"], "period"),
        (["monthly", "--period", "2026-Q3", "--org", "B1", "--user", "hq_cp"], "period"),
        (["monthly", "--period", "2026-10", "--org", "NOPE", "--user", "hq_cp"], "org_unit"),
        (["monthly", "--period", "2026-10", "--user", "ghost"], "ghost"),
    ],
)
def test_bad_input_raises_with_a_message(org, hq_officer, argv, message, tmp_path):
    with pytest.raises(CommandError) as err:
        call_command("report", *argv, "--out", str(tmp_path / "x.xlsx"))
    assert message in str(err.value)
    assert err.value.returncode == 1  # the console script prints the message and exits with it
    assert not (tmp_path / "x.xlsx").exists()
