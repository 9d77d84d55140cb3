"""Text of an uploaded review document, with the place of every piece, for the checker and the review page.

`extract_text(source, kind)` → `Extracted(text, blocks, pages, warnings)`. `blocks` are (start, end, label):
`text[start:end]` is one paragraph, table row, text box, slide, sheet row or PDF page (or a paragraph of a
page where the PDF has blank lines), and `label` says where it is in words a reader uses ("第3段",
"表格1 第2行", "幻灯片2", "工作表“费率” 第5行", "第4页"; msgids are English). Blocks are separated by one
newline in `text`; the checker uses them as its "same paragraph, slide or table" unit.

- docx: the body in document order (paragraphs and tables as they stand; content controls and text boxes
  included, tracked insertions included and deletions left out; empty paragraphs are not counted), then
  headers and footers (small print matters for disclosures; one copy of a header repeated across sections),
  then footnotes and endnotes. A table row is one block, its cells joined by tabs.
- pptx: one block per slide (its shapes top to bottom, left to right; groups and tables included), then the
  slide's notes as a block of their own ("幻灯片2 备注").
- xlsx: one block per non-empty row of each sheet, cells joined by tabs (read-only, cached values of
  formulas, percentages and dates shown as formatted).
- pdf: pypdf's text, one block per page (split at blank lines within a page when it has them). A wrapped line
  inside a Chinese sentence is joined to the next (a term broken across lines would otherwise be missed).
  Scanned PDFs have no text: a warning says so.
- png / jpg: no text (see below): "" with a warning.

Images are not read (no OCR). The PyPI packages that read Chinese: paddleocr (PaddlePaddle), easyocr
(PyTorch, last release 2024-09), cnocr and the maintained rapidocr 3.x all fetch their model files from a hub
(ModelScope, Hugging Face, their own servers) at first use, which the project forbids at run time; the older
rapidocr-onnxruntime 1.x wheels carry their models but that line ended in 2025-01 and brings onnxruntime,
OpenCV and numpy (≈ 100 MB of wheels) for one feature; tesserocr / pytesseract need the Tesseract program and
its chi_sim data installed from the system (not a Python dependency), and Tesseract reads designed Chinese
marketing layouts poorly. A wrong OCR text would also give the checker false findings and false passes. So an
image returns no text and a warning asking for its text to be pasted into the checker; the reviewer reads
the image. Revisit when a maintained package ships its Chinese models in the wheel.

Limits: REVIEW_EXTRACT_MAX_CHARS (2,000,000 characters; the text is cut there with a warning) and
REVIEW_EXTRACT_MAX_SECONDS (20 s, checked between blocks and pages: extraction stops there with a warning).
A file that cannot be read raises ExtractionError (a translated message; the caller stores it).
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
KINDS = ("docx", "pdf", "xlsx", "pptx", "png", "jpg")

Source = str | os.PathLike[str] | bytes | IO[bytes]


class ExtractionError(Exception):
    """The file could not be read; str(exc) is a message for the user (in the active language)."""


@dataclass
class Extracted:
    text: str
    blocks: list[tuple[int, int, str]]
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


class _Stop(Exception):
    pass


class _Builder:
    """Collects blocks into one text, within the character and time limits."""

    def __init__(self, max_chars: int, max_seconds: float) -> None:
        self.parts: list[str] = []
        self.blocks: list[tuple[int, int, str]] = []
        self.warnings: list[str] = []
        self.length = 0
        self.max_chars = max_chars
        self.deadline = time.monotonic() + max_seconds
        self.max_seconds = max_seconds
        self.pages: int | None = None

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            self.warnings.append(
                _("Reading the text stopped after %(s)d seconds: the rest of the document was not read.")
                % {"s": self.max_seconds}
            )
            raise _Stop

    def add(self, text: str, label: str) -> None:
        text = _clean(text)
        if not text.strip():
            return
        self.tick()
        sep = 1 if self.parts else 0
        room = self.max_chars - self.length - sep
        if room <= 0 or len(text) > room:
            if room > 0:
                self._append(text[:room], label, sep)
            self.warnings.append(
                _("The text was cut at %(n)s characters: the rest of the document was not read.")
                % {"n": f"{self.max_chars:,}"}
            )
            raise _Stop
        self._append(text, label, sep)

    def _append(self, text: str, label: str, sep: int) -> None:
        if sep:
            self.parts.append("\n")
        start = self.length + sep
        self.parts.append(text)
        self.length = start + len(text)
        self.blocks.append((start, self.length, label))

    def result(self, pages: int | None = None) -> Extracted:
        return Extracted("".join(self.parts), self.blocks, pages, self.warnings)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b]")


def _one_line(text: str) -> str:
    """A table cell's text on one line (its own line breaks as spaces)."""
    return " ".join(part.strip() for part in re.split(r"[\r\n\v]+", text) if part.strip())


def _clean(text: str) -> str:
    """Control characters and zero-width marks out, line ends as \\n, trailing spaces of lines off."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def _limits(max_chars: int | None, max_seconds: float | None) -> tuple[int, float]:
    return (
        max_chars or int(getattr(settings, "REVIEW_EXTRACT_MAX_CHARS", 2_000_000)),
        max_seconds or float(getattr(settings, "REVIEW_EXTRACT_MAX_SECONDS", 20)),
    )


def _open(source: Source) -> tuple[IO[bytes], bool]:
    """A readable, seekable binary file for `source`, and whether we opened it (and so close it)."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True
    try:
        source.seek(0)
    except (AttributeError, OSError, ValueError):
        return io.BytesIO(source.read()), True
    return source, False


def extract_text(
    source: Source, kind: str, *, max_chars: int | None = None, max_seconds: float | None = None
) -> Extracted:
    """The text and blocks of a document of `kind` (docx, pdf, xlsx, pptx, png, jpg; "jpeg" is jpg)."""
    kind = "jpg" if kind == "jpeg" else kind
    if kind not in KINDS:
        raise ExtractionError(_("No text can be read from a file of this kind."))
    chars, seconds = _limits(max_chars, max_seconds)
    builder = _Builder(chars, seconds)
    if kind in ("png", "jpg"):
        builder.warnings.append(
            _("No text is read from images: paste the text of the image into the checker to check it.")
        )
        return builder.result()
    fp, opened = _open(source)
    try:
        reader = {"docx": _docx, "pptx": _pptx, "xlsx": _xlsx, "pdf": _pdf}[kind]
        pages = None
        try:
            pages = reader(fp, builder)
        except _Stop:
            pages = builder.pages
        except ExtractionError:
            raise
        except Exception as exc:  # a damaged file: a message, never a 500
            raise ExtractionError(
                _("The text of this file cannot be read: it is damaged or not what its name says.")
            ) from exc
        return builder.result(pages)
    finally:
        if opened:
            fp.close()


# --- Word ---------------------------------------------------------------------------------------------------

_SKIP = {W + "txbxContent", W + "del", W + "moveFrom", MC_FALLBACK, W + "instrText", W + "delText"}
_TEXT_TAGS = {W + "t": None, W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def _run_text(elm: Any, out: list[str]) -> None:
    """Text of a paragraph's runs (insertions, hyperlinks, smart tags, simple fields included; deletions,
    field codes and text boxes left out)."""
    for child in elm:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in _TEXT_TAGS:
            fixed = _TEXT_TAGS[tag]
            out.append(fixed if fixed is not None else (child.text or ""))
        elif tag == W + "sym":
            char = child.get(W + "char")
            if char:
                try:
                    code = int(char, 16)
                    out.append(chr(code - 0xF000 if code >= 0xF000 else code))
                except ValueError:
                    pass
        elif tag != W + "pPr" and tag != W + "rPr":
            _run_text(child, out)


def _paragraph_text(p: Any) -> str:
    out: list[str] = []
    _run_text(p, out)
    return "".join(out)


def _text_boxes(p: Any) -> Iterator[Any]:
    """The text boxes anchored in a paragraph (once each: the drawing, not its VML fallback copy)."""
    for box in p.iter(W + "txbxContent"):
        parent = box.getparent()
        inside_fallback = False
        while parent is not None and parent is not p:
            if parent.tag == MC_FALLBACK:
                inside_fallback = True
                break
            parent = parent.getparent()
        if not inside_fallback:
            yield box


def _flat_text(container: Any) -> str:
    """All paragraphs under `container` (a table cell, a text box), one per line."""
    lines = []
    for p in container.iter(W + "p"):
        if _inside(p, container, W + "txbxContent") or _inside(p, container, MC_FALLBACK):
            continue
        lines.append(_paragraph_text(p))
    return "\n".join(line for line in lines if line.strip())


def _inside(elm: Any, top: Any, tag: str) -> bool:
    parent = elm.getparent()
    while parent is not None and parent is not top:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


class _WordCounter:
    def __init__(self) -> None:
        self.paragraphs = 0
        self.tables = 0
        self.boxes = 0


def _word_blocks(container: Any, b: _Builder, counter: _WordCounter, where: Callable[[str], str]) -> None:
    """Paragraphs and tables of a body, header, footer or note, in document order."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            text = _paragraph_text(child)
            if text.strip():
                counter.paragraphs += 1
                n = counter.paragraphs
                b.add(text, where(_("Paragraph %(n)d") % {"n": n}))
            for box in _text_boxes(child):
                box_text = _flat_text(box)
                if box_text.strip():
                    counter.boxes += 1
                    k = counter.boxes
                    b.add(box_text, where(_("Text box %(n)d") % {"n": k}))
        elif tag == W + "tbl":
            counter.tables += 1
            t = counter.tables
            for r, tr in enumerate(child.iterchildren(W + "tr"), start=1):
                cells = [_flat_text(tc) for tc in tr.iterchildren(W + "tc")]
                row = "\t".join(_one_line(c) for c in cells).rstrip("\t")
                if row.strip():
                    b.add(row, where(_("Table %(t)d, row %(r)d") % {"t": t, "r": r}))
        elif tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
            _word_blocks(child, b, counter, where)


def _docx(fp: IO[bytes], b: _Builder) -> None:
    import docx
    from lxml import etree

    document = docx.Document(fp)
    body = document.element.body
    _word_blocks(body, b, _WordCounter(), lambda s: s)
    seen: set[str] = set()
    for kind in ("header", "footer"):
        parts = []
        for section in document.sections:
            for hf in (
                getattr(section, kind),
                getattr(section, f"first_page_{kind}"),
                getattr(section, f"even_page_{kind}"),
            ):
                if hf.is_linked_to_previous:
                    continue
                element = hf._element
                key = etree.tostring(element)
                if key in seen:
                    continue
                seen.add(key)
                parts.append(element)
        for element in parts:
            if kind == "header":
                _word_blocks(element, b, _WordCounter(), lambda s: _("Header: %(where)s") % {"where": s})
            else:
                _word_blocks(element, b, _WordCounter(), lambda s: _("Footer: %(where)s") % {"where": s})
    for rel in document.part.rels.values():
        reltype = rel.reltype.rsplit("/", 1)[-1]
        if reltype not in ("footnotes", "endnotes") or rel.is_external:
            continue
        root = etree.fromstring(
            rel.target_part.blob, etree.XMLParser(resolve_entities=False, no_network=True)
        )
        tag = W + ("footnote" if reltype == "footnotes" else "endnote")
        n = 0
        for note in root.iterchildren(tag):
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = _flat_text(note)
            if not text.strip():
                continue
            n += 1
            label = _("Footnote %(n)d") if reltype == "footnotes" else _("Endnote %(n)d")
            b.add(text, label % {"n": n})


# --- PowerPoint ---------------------------------------------------------------------------------------------


def _shape_texts(shapes: Iterable[Any]) -> Iterator[str]:
    from pptx.shapes.group import GroupShape

    def position(shape: Any) -> tuple[int, int]:
        top, left = shape.top, shape.left
        return (top if top is not None else 10**12, left if left is not None else 10**12)

    for shape in sorted(shapes, key=position):
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [_one_line(cell.text) for cell in row.cells]
                line = "\t".join(cells).rstrip("\t")
                if line.strip():
                    yield line
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            text = shape.text_frame.text
            if text.strip():
                yield text


def _pptx(fp: IO[bytes], b: _Builder) -> int:
    import pptx

    prs = pptx.Presentation(fp)
    b.pages = len(prs.slides)
    for n, slide in enumerate(prs.slides, start=1):
        b.add("\n".join(_shape_texts(slide.shapes)), _("Slide %(n)d") % {"n": n})
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None and frame.text.strip():
                b.add(frame.text, _("Slide %(n)d notes") % {"n": n})
    return b.pages


# --- Excel --------------------------------------------------------------------------------------------------

_PERCENT_DECIMALS = re.compile(r"0\.(0+)%")


def _cell_text(value: Any, number_format: str | None) -> str:
    import datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        fmt = number_format or ""
        if "%" in fmt:
            m = _PERCENT_DECIMALS.search(fmt)
            return f"{value * 100:.{len(m.group(1)) if m else 0}f}%"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _xlsx(fp: IO[bytes], b: _Builder) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(fp, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            title = ws.title
            ws.reset_dimensions()  # a wrong stored dimension would hide rows
            for row in ws.iter_rows():
                cells = [_cell_text(c.value, getattr(c, "number_format", None)) for c in row]
                line = "\t".join(_one_line(c) for c in cells).rstrip("\t")
                if not line.strip():
                    continue
                r = next((c.row for c in row if getattr(c, "row", None)), 0)
                b.add(line, _("Sheet “%(sheet)s” row %(r)d") % {"sheet": title, "r": r})
        return None
    finally:
        wb.close()


# --- PDF ----------------------------------------------------------------------------------------------------

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SENTENCE_END = "。！？；：!?;:"


def _join_wrapped(text: str) -> str:
    """Join a line to the next when the line is nearly as long as the longest on the page and ends inside a
    Chinese sentence (a wrap, not a heading or the end of a paragraph)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    widest = max(len(line) for line in lines)
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        if (
            prev
            and line
            and len(prev.rsplit("\n", 1)[-1]) >= 0.8 * widest
            and widest >= 10
            and re.match(f"[{_CJK}，、（“]", prev[-1])
            and prev[-1] not in _SENTENCE_END
            and re.match(f"[{_CJK}，、）”]", line[0])
        ):
            out[-1] = prev + line
        else:
            out.append(line)
    return "\n".join(out)


def _pdf(fp: IO[bytes], b: _Builder) -> int:
    from pypdf import PdfReader

    reader = PdfReader(fp, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionError(_("This PDF is password-protected: upload it without a password."))
    pages = len(reader.pages)
    b.pages = pages
    empty = 0
    for n, page in enumerate(reader.pages, start=1):
        b.tick()
        try:
            raw = page.extract_text() or ""
        except Exception:  # one unreadable page: say so, read the others
            b.warnings.append(_("The text of page %(n)d cannot be read.") % {"n": n})
            continue
        chunks = [c for c in re.split(r"\n[ \t]*\n", _clean(raw)) if c.strip()]
        if not chunks:
            empty += 1
            continue
        for i, chunk in enumerate(chunks, start=1):
            joined = _join_wrapped(chunk)
            if len(chunks) == 1:
                b.add(joined, _("Page %(n)d") % {"n": n})
            else:
                b.add(joined, _("Page %(n)d, paragraph %(p)d") % {"n": n, "p": i})
    if pages and empty == pages:
        b.warnings.append(
            _("No text was found in this PDF (a scan?): paste its text into the checker to check it.")
        )
    elif empty:
        b.warnings.append(
            ngettext(
                "%(n)d page has no text (scanned?) and was not checked.",
                "%(n)d pages have no text (scanned?) and were not checked.",
                empty,
            )
            % {"n": empty}
        )
    return pages
