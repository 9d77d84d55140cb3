"""The regulator table (Excel, A4 landscape, institution's name, names not codes) and the campaign summary
(Word, A4, eastAsia fonts) of an edition, scoped to the requester."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from xiaobao.education.tests.test_figures import codes, expected, world  # noqa: F401  (fixtures)
from xiaobao.reports.builders import institution_name

pytestmark = pytest.mark.django_db


def test_regulator_table(org, world, client_for, hq_officer):  # noqa: F811
    # when
    r = client_for(hq_officer).get(f"/education/editions/{world.sept.pk}/table.xlsx")
    # then
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    assert institution_name() in ws["A1"].value and "金融知识普及月" in ws["A1"].value
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    rows = {row[0]: row for row in ws.iter_rows(min_row=6, values_only=True) if row[0]}
    assert "北京分行" in rows and "B1" not in rows
    want = expected(org.b1.path, edition=world.sept)
    assert rows["北京分行"][1] == want["activities"] and rows["北京分行"][2] == want["people_reached"]
    total = next(v for k, v in rows.items() if k in ("Total", "合计"))
    assert total[2] == expected(org.ho.path, edition=world.sept)["people_reached"]


def test_regulator_table_scoped_to_a_branch(org, world, client_for, branch_officer):  # noqa: F811
    r = client_for(branch_officer).get(f"/education/editions/{world.sept.pk}/table.xlsx")
    ws = load_workbook(BytesIO(r.content)).active
    names = [row[0] for row in ws.iter_rows(min_row=6, values_only=True) if row[0]]
    assert "上海分行" not in names and "浦东支行" not in names and "海淀支行" in names
    assert (
        client_for(branch_officer).get(f"/education/editions/{world.sept.pk}/table.xlsx?unit=B2").status_code
        == 404
    )


def test_campaign_summary_docx(org, world, client_for, hq_officer):  # noqa: F811
    # when
    r = client_for(hq_officer).get(f"/education/editions/{world.sept.pk}/summary.docx")
    # then A4, the institution's name, Chinese fonts, the figures and the silent outlets
    assert r.status_code == 200
    doc = Document(BytesIO(r.content))
    s = doc.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == institution_name()
    assert "2026 金融知识普及月" in text
    want = expected(org.ho.path, edition=world.sept)
    assert f"{want['people_reached']:,}" in text
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "北京分行" in cells


def test_summary_lists_outlets_not_reported(org, codes, world, client_for, hq_officer):  # noqa: F811
    from xiaobao.core.services.org import org_unit_create

    org_unit_create(actor=None, code="B2-S1-O9", name="静默网点", kind="outlet", parent=org.b2s)
    r = client_for(hq_officer).get(f"/education/editions/{world.sept.pk}/summary.docx")
    text = "\n".join(p.text for p in Document(BytesIO(r.content)).paragraphs)
    assert "静默网点" in text and "中关村网点" not in text.split("静默网点")[0].splitlines()[-1]


def test_documents_of_an_unknown_edition_are_404(org, client_for, hq_officer):
    assert client_for(hq_officer).get("/education/editions/999999/summary.docx").status_code == 404
    assert client_for(hq_officer).get("/education/editions/999999/table.xlsx").status_code == 404


def test_documents_are_audited(org, world, client_for, hq_officer):  # noqa: F811
    from xiaobao.core.models import AuditEvent

    client_for(hq_officer).get(f"/education/editions/{world.sept.pk}/summary.docx")
    assert AuditEvent.objects.filter(object_type="education.edition", object_id=str(world.sept.pk)).exists()
