"""Reading uploads: kind and encoding by content, header aliases, Excel cells."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from xiaobao.imports.readers import profile, read_table, sniff
from xiaobao.imports.targets import norm_header, resolve_columns
from xiaobao.imports.tests.conftest import CFPB, needs_cfpb

CSV = "Date received,Product,投诉编号\n2020/3/18,Mortgage,甲-1\n"


def test_csv_encodings_are_recognised():
    # given the same CSV in UTF-8, UTF-8 with BOM and GB18030
    for data, encoding in (
        (CSV.encode(), "utf-8"),
        (b"\xef\xbb\xbf" + CSV.encode(), "utf-8-sig"),
        (CSV.encode("gb18030"), "gb18030"),
    ):
        # when
        kind, found = sniff(data)
        table = read_table(data, kind, found)
        # then the BOM is not part of the first header and Chinese text is intact
        assert (kind, found) == ("csv", encoding)
        assert table.headers == ["Date received", "Product", "投诉编号"]
        assert table.rows == [["2020/3/18", "Mortgage", "甲-1"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "CSV"),
        (b"PK\x03\x04 not really a workbook", "workbook"),
        (b"Date received,Product\n", "no data rows"),
    ],
)
def test_unreadable_files_are_refused_on_the_file_field(data, message):
    # when
    with pytest.raises(ValidationError) as exc:
        kind, encoding = sniff(data)
        read_table(data, kind, encoding)
    # then
    assert message in " ".join(exc.value.message_dict["file"])


def test_xlsx_cells(tmp_path):
    from openpyxl import Workbook

    # given a workbook with a date cell, an integral float id and an empty cell
    wb = Workbook()
    ws = wb.active
    ws.append(["Date received", "Complaint ID", "Product", None])
    ws.append([dt.datetime(2020, 3, 18), 3571115.0, "Mortgage", None])
    ws.append([None, None, None, None])  # a blank row is skipped
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    # when
    kind, encoding = sniff(data)
    table = read_table(data, kind, encoding)
    # then
    assert kind == "xlsx"
    assert table.headers == ["Date received", "Complaint ID", "Product"]
    assert table.rows == [[dt.datetime(2020, 3, 18), "3571115", "Mortgage"]]


@pytest.mark.parametrize(
    "header", ["Date received", "date_received", "DATE RECEIVED ", "Date-Received", "Date_received?"]
)
def test_header_aliases_normalised(header):
    assert norm_header(header) == "date received"


@needs_cfpb
def test_preset_aliases_match_each_real_layout():
    # given the cfpb preset's columns and the headers of the four real files
    from xiaobao.imports.presets import CFPB_COLUMNS

    expected = {
        "complaints_sample_ZiyuYan9.csv": {"received_on", "external_id", "status", "narrative", "company"},
        "complaints_2023_Sravanbunny2002.csv": {
            "received_on",
            "external_id",
            "status",
            "sub_product",
            "channel",
        },
        "structured_28k_samratbhosale7.csv": {"received_on", "external_id", "status", "sub_issue"},
        "narratives_product_sha-hsg.csv": {"business_type", "narrative"},
    }
    for name, fields in expected.items():
        headers = (CFPB / name).open(encoding="utf-8").readline().rstrip("\r\n").split(",")
        # when
        columns = resolve_columns(CFPB_COLUMNS, headers)
        # then every expected field found its column, spelled as in the file
        assert fields <= set(columns), (name, columns)
        assert all(h in headers for h in columns.values())
    headers_28k = (CFPB / "structured_28k_samratbhosale7.csv").open().readline().strip().split(",")
    assert resolve_columns(CFPB_COLUMNS, headers_28k)["status"] == "Company response"
    assert "received_on" not in resolve_columns(CFPB_COLUMNS, ["", "Product", "Consumer complaint narrative"])


def test_profile_masks_personal_data_and_drops_free_text_values():
    # given a column of ID numbers and a column with many distinct values
    rows = [[f"110108199003070016 note {i}", "Web"] for i in range(400)]
    header = "Narrative,Submitted via\n"
    data = (header + "\n".join(",".join(r) for r in rows)).encode()
    table = read_table(data, "csv", "utf-8")
    # when
    shown = profile(table)
    # then the preview never shows the ID number in clear; free text keeps no value list
    assert "110108199003070016" not in str(shown["preview"])
    assert "Narrative" not in shown["distinct"]
    assert shown["distinct"]["Submitted via"] == {"Web": 400}
