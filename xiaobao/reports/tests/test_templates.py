"""Report templates: the placeholder grammar, validation on upload, and a template that round-trips."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from xiaobao.complaints.models import Complaint
from xiaobao.reports.placeholders import PlaceholderError, find, parse
from xiaobao.reports.services import report_request, template_upload
from xiaobao.reports.tests.helpers import read_xlsx


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(actor, rows, name="监管月报", kind="monthly"):
    return template_upload(
        actor=actor, name=name, kind=kind, fileobj=BytesIO(xlsx(rows)), filename="form.xlsx"
    )


# --- grammar (pure) -----------------------------------------------------------------------------------------


def test_parse_counts_and_texts():
    p = parse("{{ count business_type=B01  unit=0101 }}")
    assert p.name == "count" and p.filters == (("business_type", "B01"), ("unit", "0101"))
    assert parse("{{total}}").is_count and parse("{{total}}").filters == ()
    assert parse("{{period}}").name == "period"


@pytest.mark.parametrize(
    "raw",
    [
        "{{}}",
        "{{ colour }}",
        "{{count bogus=1}}",
        "{{count cause}}",
        "{{count cause=C01 cause=C02}}",
        "{{count source=martians}}",
        "{{period unit=B1}}",
    ],
)
def test_parse_refuses_what_is_not_in_the_grammar(raw):
    with pytest.raises(PlaceholderError):
        parse(raw)


def test_find_reports_stray_braces():
    results = [r for _raw, r in find("合计 {{total}} 和 {{period")]
    assert not isinstance(results[0], PlaceholderError)
    assert isinstance(results[-1], PlaceholderError)


# --- upload -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cell, fragment",
    [
        ("{{colour}}", "B2"),
        ("{{count cause=C98}}", "C98"),
        ("{{count unit=NOPE}}", "NOPE"),
        ("{{count", "B2"),
    ],
)
def test_upload_refuses_unknown_placeholders_naming_the_cell(hq_officer, cell, fragment):
    with pytest.raises(ValidationError) as err:
        upload(hq_officer, [["标题"], ["", cell]])
    message = " ".join(err.value.message_dict["file"])
    assert fragment in message


@pytest.mark.django_db
def test_upload_refuses_a_file_that_is_not_a_workbook(hq_officer):
    for data in (b"%PDF-1.4", b"PK\x03\x04garbage"):
        with pytest.raises(ValidationError) as err:
            template_upload(
                actor=hq_officer, name="x", kind="monthly", fileobj=BytesIO(data), filename="x.xlsx"
            )
        assert "file" in err.value.message_dict


@pytest.mark.django_db
def test_template_round_trips(complaints, org, hq_officer, branch_officer):
    # given a bank's form laid out with placeholders (and a formula that must survive)
    rows = [
        ["{{institution}} 投诉统计（{{period}}）", None, None],
        ["机构", "{{org}}", "{{org_code}}"],
        ["合计", "{{total}}", None],
        ["贷款（含细分）", "{{count business_type=B02}}", None],
        ["信用卡·海淀支行", "{{count business_type=B0303 unit=B1-S1}}", None],
        ["定价收费", "{{count cause=C07}}", None],
        ["银保监转办", "{{count source=nfra_transfer}}", None],
        ["监管转办合计", "{{count source=forwarded}}", None],
        ["电子渠道", "{{count channel=A03}}", None],
        ["期间", "{{period_start}}至{{period_end}}", None],
        ["核对", "=B4+B6", None],
        ["海淀支行（含网点）", "{{count unit=B1-S1}}", "{{count unit=B1-S1-O1 source=direct}}"],
    ]
    template = upload(hq_officer, rows)
    assert "{{count business_type=B02}}" in template.placeholders
    # when branch 1 runs its October table with it
    job = report_request(
        actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1", template_id=template.pk
    )
    assert job.state == "done", job.error
    ws = read_xlsx(job.file.read()).worksheets[0]
    # then the layout is kept and each placeholder holds the independently counted figure
    oct_b1 = Complaint.objects.filter(
        org_unit__path__startswith=org.b1.path, receipt_date__gte="2026-10-01", receipt_date__lte="2026-10-31"
    )
    assert ws.title == "月报"
    assert ws["A1"].value.endswith("投诉统计（2026-10）")
    assert (ws["B2"].value, ws["C2"].value) == ("北京分行", "B1")
    assert ws["B3"].value == oct_b1.count() == 6
    assert ws["B4"].value == oct_b1.filter(business_type__code__startswith="B02").count() == 2
    assert (
        ws["B5"].value
        == oct_b1.filter(business_type__code="B0303", org_unit__path__startswith=org.b1s.path).count()
        == 2
    )
    assert ws["B6"].value == oct_b1.filter(cause__code="C07").count() == 2
    assert ws["B7"].value == oct_b1.filter(source="nfra_transfer").count() == 1
    assert ws["B8"].value == oct_b1.exclude(source="direct").count() == 2
    assert ws["B9"].value == oct_b1.filter(channel__code__startswith="A03").count() == 3
    assert ws["B10"].value == "2026-10-01至2026-10-31"
    assert ws["B11"].value == "=B4+B6"
    in_b1s = oct_b1.filter(org_unit__path__startswith=org.b1s.path)
    assert ws["B12"].value == in_b1s.count() == 4  # the sub-branch and its outlet
    assert ws["C12"].value == in_b1s.filter(org_unit=org.b1o, source="direct").count() == 1
