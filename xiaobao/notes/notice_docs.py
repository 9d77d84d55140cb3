"""The decision notice as a Word file (python-docx, A4) and as a PDF (that Word file converted by headless
LibreOffice), with the institution's name as letterhead and names, never codes.

The text is the notice the printable page shows (`notice_body`): the best-matching active *notice* reply
template for the complaint's business type and cause, else the complaints' default notice template. Internal
notes are never part of it. Generating a file is recorded on the complaint's timeline (once per format until
the complaint changes) and in the audit trail (every time); recording that the notice was *sent* is the
complaint's `notify` action (method, time, proof), which the notice page links to.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict, DomainError
from xiaobao.notes.institution import institution_name

LIBREOFFICE_TIMEOUT = 120  # seconds for one conversion (a cold LibreOffice start takes a few)
# East-Asian fonts named in the Word file: what Word on a bank's PC has. The PDF is made with a CJK font that
# is installed here when these are not (fontconfig would otherwise hand LibreOffice a font without Chinese).
WORD_BODY_FONT, WORD_TITLE_FONT = "宋体", "黑体"


def notice_body(user: Any, c: Any) -> str:
    """The notice's text for this complaint as this user may see it ("" while no decision is drafted)."""
    if not c.decision_result:
        return ""
    from xiaobao.complaints.views.detail import notice_text
    from xiaobao.notes.services import best_notice_template, template_render

    template = best_notice_template(c)
    if template is not None:
        return template_render(user, c, template)["body"]
    return notice_text(user, c)


def _installed_cjk_fonts() -> tuple[str, str] | None:
    """(body, title) CJK font families installed here, or None when fontconfig is missing."""
    if shutil.which("fc-list") is None:
        return None
    fc_list = shutil.which("fc-list") or "fc-list"
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout  # noqa: S603
    families = {f.strip() for line in out.splitlines() for f in line.split(",")}
    if {WORD_BODY_FONT, WORD_TITLE_FONT} <= families:
        return None  # Word's own fonts are installed: keep them
    serif = next(
        (f for f in ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN") if f in families), ""
    )
    sans = next(
        (f for f in ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei") if f in families), ""
    )
    if not (serif or sans):
        return None
    return serif or sans, sans or serif


def _set_east_asia(style_or_run: Any, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _trailing_block(lines: list[str]) -> int:
    """Index where the signature block (unit, date: ≤ 3 short lines after the last blank line) starts."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    if 0 < end - start <= 3 and all(len(line) <= 40 for line in lines[start:end]) and start > 0:
        return start
    return end


def build_docx(user: Any, c: Any, *, fonts: tuple[str, str] | None = None) -> bytes:
    """The notice as a Word file: A4 portrait, the institution's name, the notice text, the reference."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    text = notice_body(user, c)
    if not text:
        raise Conflict(_("No decision has been drafted for this complaint yet."), code="no_decision")
    body_font, title_font = fonts or (WORD_BODY_FONT, WORD_TITLE_FONT)
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(28)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)  # GB/T 9704 official-document margins
        footer = section.footer.paragraphs[0]
        footer.text = f"{c.reference}"
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer.runs[0].font.size = Pt(9)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _set_east_asia(normal, body_font)
    normal.paragraph_format.line_spacing = 1.35
    normal.paragraph_format.space_after = Pt(2)
    name = institution_name()
    doc.core_properties.title = _("Decision notice")
    doc.core_properties.author = name
    doc.core_properties.subject = c.reference
    doc.core_properties.comments = ""

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(name)
    run.bold, run.font.size = True, Pt(20)
    _set_east_asia(run, title_font)

    lines = text.replace("\r\n", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_text = lines[first].strip() if lines else str(_("Decision notice"))
    run = title.add_run(title_text)
    # 16 pt holds about 26 characters on the A4 line; a longer title (the standard one with its reference) is
    # set smaller rather than leave one character on a second line
    run.bold, run.font.size = True, Pt(16 if len(title_text) <= 24 else 14)
    _set_east_asia(run, title_font)
    ref = doc.add_paragraph()
    ref.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    ref_run = ref.add_run(_("Reference: %(ref)s") % {"ref": c.reference})
    ref_run.font.size = Pt(11)

    rest = lines[first + 1 :]
    sign = _trailing_block(rest)
    for i, line in enumerate(rest):
        stripped = line.strip()
        if not stripped:
            continue  # blank lines become spacing before the next paragraph
        p = doc.add_paragraph()
        if i > 0 and not rest[i - 1].strip():
            p.paragraph_format.space_before = Pt(18 if i == sign else 8)
        if i >= sign:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif stripped[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}:
            run = p.add_run(stripped)
            run.bold = True
            _set_east_asia(run, title_font)
            continue
        elif not stripped.endswith(("：", ":")):
            p.paragraph_format.first_line_indent = Pt(24)  # two characters
        p.add_run(stripped)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def libreoffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def docx_to_pdf(content: bytes) -> bytes:
    """Convert a Word file to PDF with headless LibreOffice (its own throwaway profile, so conversions running
    at the same time never share a lock). Raises DomainError (503) when LibreOffice is not installed."""
    binary = libreoffice()
    if binary is None:
        err = DomainError(
            _("PDF is not available: LibreOffice is not installed on the server. Download the Word file."),
            code="pdf_unavailable",
        )
        err.status = 503
        raise err
    with tempfile.TemporaryDirectory(prefix="xb-notice-") as tmp:
        root = Path(tmp)
        source = root / "notice.docx"
        source.write_bytes(content)
        try:
            _convert(binary, root, source)
        except (subprocess.SubprocessError, OSError) as exc:
            err = DomainError(
                _("The PDF could not be made just now: download the Word file, or try again."),
                code="pdf_failed",
            )
            err.status = 503
            raise err from exc
        return (root / "out" / "notice.pdf").read_bytes()


def _convert(binary: str, root: Path, source: Path) -> None:
    subprocess.run(  # noqa: S603  # our own file names in our own temporary directory
        [
            binary,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(root / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=LIBREOFFICE_TIMEOUT,
    )


def build_pdf(user: Any, c: Any) -> bytes:
    return docx_to_pdf(build_docx(user, c, fonts=_installed_cjk_fonts()))


def record_generated(*, actor: Any, c: Any, fmt: str) -> None:
    """On the timeline once per format until the complaint changes again; in the audit trail every time."""
    from xiaobao.complaints.models import ComplaintEvent
    from xiaobao.core.services.audit import audit_record

    seen = ComplaintEvent.objects.filter(
        complaint=c, action="notice_generated", data__notice=fmt.upper(), at__gte=c.updated_at
    ).exists()
    if not seen:
        ComplaintEvent.objects.create(
            complaint=c,
            at=timezone.now(),
            effective_date=timezone.localdate(),
            actor=actor,
            action="notice_generated",
            from_status=c.status,
            to_status=c.status,
            data={"notice": fmt.upper()},
        )
    audit_record(
        actor=actor,
        action="export",
        obj=c,
        object_repr=f"{c.reference} decision notice",
        changes={"notice": [None, fmt]},
    )


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def file_response(content: bytes, c: Any, fmt: str) -> Any:
    """The file as a download named after the complaint's reference (never the complainant)."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{c.reference}-notice.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
