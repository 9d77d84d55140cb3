"""Text extraction of review documents: every kind, the blocks' labels and offsets, the limits."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from xiaobao.checker.extract import Extracted, ExtractionError, extract_text
from xiaobao.checker.tests.files import builders


@pytest.fixture(autouse=True)
def _zh():
    with translation.override("zh-hans"):
        yield


def located(result: Extracted) -> list[tuple[str, str]]:
    """(label, text) of every block, checking that the blocks are in order, apart, and inside the text."""
    previous_end = -1
    for start, end, _label in result.blocks:
        assert previous_end < start < end <= len(result.text)
        previous_end = end
    return [(label, result.text[start:end]) for start, end, label in result.blocks]


def test_docx_paragraphs_tables_in_place_then_header_and_footer():
    # given a leaflet: title, an empty paragraph, two paragraphs, a 3-row table, a paragraph, header, footer
    data = builders.docx_bytes()

    # when
    result = extract_text(data, "docx")

    # then each paragraph and table row is a block where it stands; the empty paragraph is not counted
    assert located(result) == [
        ("第1段", "“稳盈”系列理财产品说明"),
        ("第2段", "本产品为非保本浮动收益型理财产品，业绩比较基准为年化3.2%。"),
        ("第3段", "理财非存款、产品有风险、投资须谨慎。"),
        ("表格1 第1行", "项目\t内容"),
        ("表格1 第2行", "产品风险等级\tR2（中低风险）"),
        ("表格1 第3行", "认购起点\t1万元"),
        ("第4段", "详情请咨询网点理财经理。"),
        ("页眉：第1段", builders.LEAFLET_HEADER),
        ("页脚：第1段", builders.LEAFLET_FOOTER),
    ]
    assert result.text.split("\n")[0] == "“稳盈”系列理财产品说明"
    assert result.warnings == []


def test_docx_tracked_changes_text_boxes_content_controls_and_footnotes():
    # given a document with a tracked change, text boxes (one with its VML fallback copy), a content
    # control and a footnote
    data = builders.docx_word_features_bytes()

    # when
    result = extract_text(data, "docx")

    # then the inserted text is read and the deleted text is not; each text box once; the footnote labelled
    assert located(result) == [
        ("第1段", "本产品不保本"),
        ("第2段", "见右侧说明"),
        ("文本框1", "限时抢购"),
        ("文本框2", "名额有限"),
        ("第3段", "客户签名栏"),
        ("脚注1", "过往业绩不预示其未来表现。"),
    ]
    assert "保本保息" not in result.text


def test_docx_table_cells_with_several_paragraphs_stay_on_their_row():
    # given a table whose cell holds two paragraphs, and no header or footer
    import docx

    doc = docx.Document()
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "风险提示"
    table.cell(0, 1).paragraphs[0].text = "理财非存款"
    table.cell(0, 1).add_paragraph("投资须谨慎")
    out = io.BytesIO()
    doc.save(out)

    # when
    result = extract_text(out.getvalue(), "docx")

    # then the row is one block, the cell's paragraphs joined by a space
    assert located(result) == [("表格1 第1行", "风险提示\t理财非存款 投资须谨慎")]


def test_pptx_slides_with_their_tables_and_notes_apart():
    # given two slides (title and text box; a table) with notes on the first
    data = builders.pptx_bytes()

    # when
    result = extract_text(data, "pptx")

    # then
    assert located(result) == [
        ("幻灯片1", "月月享理财\n业绩比较基准3.5%\n理财非存款、产品有风险、投资须谨慎。"),
        ("幻灯片1 备注", "讲解时提示客户风险等级。"),
        ("幻灯片2", "期限\t起购金额\n90天\t1万元"),
    ]
    assert result.pages == 2


def test_xlsx_rows_by_sheet_with_their_own_row_numbers_and_formatted_values():
    # given a sheet “费率” with a percentage, a date and an empty row 3, and a second sheet
    data = builders.xlsx_bytes()

    # when
    result = extract_text(data, "xlsx")

    # then the empty row is skipped but the row numbers are the sheet's
    assert located(result) == [
        ("工作表“费率” 第1行", "服务\t费率\t生效日期"),
        ("工作表“费率” 第2行", "跨行转账\t0.5%\t2026-01-01"),
        ("工作表“费率” 第4行", "账户管理费\t10"),
        ("工作表“说明” 第1行", "以上收费标准经审查后公示。"),
    ]


def test_pdf_chinese_text_by_page():
    # given a two-page PDF with Chinese text in a Type0 font with a ToUnicode map (as Word and WPS write it)
    data = builders.pdf_bytes(builders.PDF_PAGES)

    # when
    result = extract_text(data, "pdf")

    # then pypdf reads the Chinese characters exactly, one block per page
    assert located(result) == [
        ("第1页", "“稳盈”理财产品说明书\n本产品不保本，业绩比较基准不代表实际收益。"),
        ("第2页", "理财非存款、产品有风险、投资须谨慎。"),
    ]
    assert result.pages == 2


def test_pdf_wrapped_lines_inside_a_sentence_are_joined():
    # given a paragraph wrapped so that 保本 is broken across two lines, after a short heading
    first = "本理财产品的投资范围包括债券、货币市场工具等，本产品不保"
    second = "本，过往业绩不代表未来表现，投资须谨慎。"
    data = builders.pdf_bytes([["产品说明", first + "\n" + second]])

    # when
    result = extract_text(data, "pdf")

    # then the wrap is joined (the checker can see 保本), the heading keeps its own line
    assert result.text == "产品说明\n" + first + second


def test_pdf_without_text_warns_that_it_may_be_a_scan():
    # given a PDF whose pages carry no text
    data = builders.pdf_bytes([[], []])

    # when
    result = extract_text(data, "pdf")

    # then
    assert result.text == ""
    assert result.pages == 2
    assert result.warnings == ["此 PDF 中未找到文字（可能是扫描件）：如需检查，请将其文字粘贴到检查工具中。"]


def test_pdf_with_an_empty_user_password_is_read():
    # given a PDF encrypted with an owner password only (opens in every reader without a password)
    data = builders.encrypted_pdf_bytes(user_password="")

    # when
    result = extract_text(data, "pdf")

    # then
    assert "理财非存款、产品有风险、投资须谨慎。" in result.text


def test_pdf_that_needs_a_password_is_an_extraction_error():
    # given
    data = builders.encrypted_pdf_bytes(user_password="secret")

    # when / then
    with pytest.raises(ExtractionError, match="设有打开密码"):
        extract_text(data, "pdf")


@pytest.mark.parametrize("kind", ["png", "jpg", "jpeg"])
def test_images_give_no_text_and_say_so(kind):
    # given
    data = builders.png_bytes() if kind == "png" else builders.jpeg_bytes()

    # when
    result = extract_text(data, kind)

    # then
    assert (result.text, result.blocks) == ("", [])
    assert result.warnings == ["系统不识别图片中的文字：如需检查，请将图片中的文字粘贴到检查工具中。"]


@pytest.mark.parametrize("kind", ["docx", "pptx", "xlsx", "pdf"])
def test_a_damaged_file_is_an_extraction_error_with_a_message(kind):
    # given the first half of a real file of the kind
    whole = {
        "docx": builders.docx_bytes,
        "pptx": builders.pptx_bytes,
        "xlsx": builders.xlsx_bytes,
        "pdf": lambda: b"%PDF-1.7\n" + b"\x00garbage" * 100,
    }[kind]()
    data = whole[: len(whole) // 2]

    # when / then
    with pytest.raises(ExtractionError, match="无法读取此文件的文字"):
        extract_text(data, kind)


def test_unknown_kind_is_refused():
    with pytest.raises(ExtractionError):
        extract_text(b"text", "doc")


def test_path_file_and_bytes_give_the_same_result(tmp_path):
    # given the same leaflet as bytes, as a path and as an open file
    data = builders.docx_bytes()
    path = tmp_path / "leaflet.docx"
    path.write_bytes(data)

    # when
    results = [extract_text(data, "docx"), extract_text(path, "docx"), extract_text(str(path), "docx")]
    with path.open("rb") as fp:
        results.append(extract_text(fp, "docx"))

    # then
    assert all(r == results[0] for r in results)


def test_text_is_cut_at_the_character_limit_with_a_warning():
    # given 40 paragraphs of 50 characters
    data = builders.docx_bytes(paragraphs=["理" * 50] * 40, table=[], after="完", header=None, footer=None)

    # when
    result = extract_text(data, "docx", max_chars=120)

    # then two whole paragraphs, the third cut so that the text is 120 characters; the blocks end inside it
    assert len(result.text) == 120
    assert [label for _s, _e, label in result.blocks] == ["第1段", "第2段", "第3段"]
    assert result.blocks[-1][1] == 120
    assert result.warnings == ["文字已在 120 字处截断：文档其余部分未读取。"]


def test_reading_stops_at_the_time_limit_with_a_warning():
    # given a document and a time limit already passed when the first block is added
    data = builders.docx_bytes()

    # when
    result = extract_text(data, "docx", max_seconds=1e-9)

    # then nothing is read past the limit and the warning says so
    assert result.blocks == []
    assert result.warnings == ["读取文字超过 0 秒已停止：文档其余部分未读取。"]


def test_labels_follow_the_active_language():
    # given
    data = builders.pptx_bytes()

    # when
    with translation.override("en"):
        result = extract_text(data, "pptx")

    # then
    assert [label for _s, _e, label in result.blocks] == ["Slide 1", "Slide 1 notes", "Slide 2"]
