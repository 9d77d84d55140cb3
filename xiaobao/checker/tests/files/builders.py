"""Test documents made at test time (no committed binaries): Word, PowerPoint, Excel and PDF files with
Chinese text, an encrypted PDF, a zip bomb. Shared by test_extract.py, test_uploads.py and
bench/extract_speed.py.

The PDF is written by hand (no PDF writer library with Chinese fonts is installed, and the machines have no
CJK fonts): a Type0 font with Identity-H encoding whose glyph ids are the Unicode code points, not embedded,
and a ToUnicode CMap — how Word, WPS and LibreOffice mark their subset fonts, so pypdf reads the text through
the same path as it does for theirs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO

LEAFLET_PARAGRAPHS = [
    "“稳盈”系列理财产品说明",
    "本产品为非保本浮动收益型理财产品，业绩比较基准为年化3.2%。",
    "理财非存款、产品有风险、投资须谨慎。",
]
LEAFLET_TABLE = [["项目", "内容"], ["产品风险等级", "R2（中低风险）"], ["认购起点", "1万元"]]
LEAFLET_AFTER = "详情请咨询网点理财经理。"
LEAFLET_HEADER = "小宝银行 · 内部审查稿"
LEAFLET_FOOTER = "本材料不构成任何投资建议。"


def docx_bytes(
    paragraphs: list[str] | None = None,
    table: list[list[str]] | None = None,
    after: str | None = None,
    header: str | None = LEAFLET_HEADER,
    footer: str | None = LEAFLET_FOOTER,
) -> bytes:
    """A leaflet: paragraphs (one empty paragraph among them), a table, a paragraph after it, header and
    footer."""
    import docx

    doc = docx.Document()
    paras = LEAFLET_PARAGRAPHS if paragraphs is None else paragraphs
    for i, text in enumerate(paras):
        doc.add_paragraph(text)
        if i == 0:
            doc.add_paragraph("")  # an empty paragraph is not counted
    rows = LEAFLET_TABLE if table is None else table
    if rows:
        t = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    doc.add_paragraph(LEAFLET_AFTER if after is None else after)
    section = doc.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pptx_bytes() -> bytes:
    """Two slides: a title and text box, then a table; notes on the first."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    s1.shapes.title.text = "月月享理财"
    box = s1.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = "业绩比较基准3.5%"
    box.text_frame.add_paragraph().text = "理财非存款、产品有风险、投资须谨慎。"
    s1.notes_slide.notes_text_frame.text = "讲解时提示客户风险等级。"
    s2 = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    shape = s2.shapes.add_table(2, 2, Inches(1), Inches(1), Inches(6), Inches(1))
    cells = [["期限", "起购金额"], ["90天", "1万元"]]
    for r in range(2):
        for c in range(2):
            shape.table.cell(r, c).text = cells[r][c]
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    """Sheet “费率” with a header row, a percentage, an empty row and a date; a second sheet."""
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "费率"
    ws.append(["服务", "费率", "生效日期"])
    ws.append(["跨行转账", 0.005, datetime.date(2026, 1, 1)])
    ws["B2"].number_format = "0.0%"
    ws.append([])
    ws.append(["账户管理费", 10, None])
    other = wb.create_sheet("说明")
    other.append(["以上收费标准经审查后公示。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pdf_hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)


def _to_unicode_cmap(chars: set[str]) -> bytes:
    """A ToUnicode map of the characters used (as a subset font's is), glyph id = code point."""
    pairs = [f"<{ord(ch):04X}> <{ord(ch):04X}>" for ch in sorted(chars) if ord(ch) <= 0xFFFF]
    body = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        body.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(body)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF whose page i shows the paragraphs pages[i] (each a line or more; a gap between paragraphs)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    cmap = _to_unicode_cmap({ch for paragraphs in pages for para in paragraphs for ch in para})
    tounicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 880] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    cidfont = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>"
        % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] "
        b"/ToUnicode %d 0 R >>" % (cidfont, tounicode)
    )
    kids = []
    for paragraphs in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 780 Td"]
        for para in paragraphs:
            for line in para.split("\n"):
                ops.append(f"<{_pdf_hex(line)}> Tj T*")
            ops.append("T* T*")
        ops.append("ET")
        content = "\n".join(ops).encode()
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> "
                b">> /Contents %d 0 R >>" % (pages_obj, font, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    trailer = b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, catalog, xref))
    return out.getvalue()


PDF_PAGES = [
    ["“稳盈”理财产品说明书", "本产品不保本，业绩比较基准不代表实际收益。"],
    ["理财非存款、产品有风险、投资须谨慎。"],
]


def encrypted_pdf_bytes(user_password: str = "secret", owner_password: str = "owner") -> bytes:
    """PDF_PAGES encrypted with AES-256 (an empty user password opens it without asking)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(PDF_PAGES))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (20, 10)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


def zip_bomb(target: str | Path | IO[bytes], unpacked: int = 300 * 1024 * 1024) -> None:
    """A .docx-looking zip whose one part unpacks to `unpacked` bytes of zeros (packed ≈ 1/1000 of that),
    written in streaming chunks so it never holds the unpacked size in memory."""
    zeros = b"\0" * (4 * 1024 * 1024)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            left = unpacked
            while left > 0:
                n = min(left, len(zeros))
                member.write(zeros[:n])
                left -= n


def zip_with(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)


def docx_word_features_bytes() -> bytes:
    """What python-docx's own paragraph text misses: a tracked change (deleted 保本保息, inserted 不保本),
    a VML text box, a drawing text box with its VML fallback copy, a content control, and a footnote."""
    import docx
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    doc = docx.Document()
    body = doc.element.body
    sect = body[-1]  # w:sectPr stays last

    def put(xml: str) -> None:
        sect.addprevious(parse_xml(xml))

    put(
        f'<w:p {NS}><w:r><w:t>本产品</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>保本保息'
        f'</w:delText></w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>不保本</w:t></w:r></w:ins>'
        f'<w:r><w:footnoteReference w:id="1"/></w:r></w:p>'
    )
    put(
        f"<w:p {NS}><w:r><w:t>见右侧说明</w:t></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent>"
        f"<w:p><w:r><w:t>限时抢购</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    put(
        f'<w:p {NS}><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        f"<w:p><w:r><w:t>名额有限</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>名额有限</w:t></w:r></w:p>"
        f"</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    put(
        f"<w:sdt {NS}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>客户签名栏</w:t></w:r></w:p></w:sdtContent>"
        "</w:sdt>"
    )
    footnotes = (
        f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f'</w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>过往业绩不预示其未来表现。</w:t></w:r></w:p>'
        f"</w:footnote></w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, footnotes, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
