"""Checks on uploaded review documents: what is accepted, and every refusal with its message."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xiaobao.checker.tests.files import builders
from xiaobao.checker.uploads import validate_and_extract, validate_upload

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _zh():
    with translation.override("zh-hans"):
        yield


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    """(code, message) of the one error on the file field."""
    (error,) = exc.value.error_dict["file"]
    return error.code, error.messages[0]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


class Unseekable(io.RawIOBase):
    """A stream that can only be read forwards (no size, no seek), counting what was read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        block = self._data.read(n)
        self.read_bytes += len(block)
        return block


class NeverRead:
    """An upload that says it is 100 MB and fails the test if anything reads it."""

    size = 100 * MB
    name = "big.pdf"

    def read(self, *args):
        raise AssertionError("the content was read")

    def chunks(self, *args):
        raise AssertionError("the content was read")

    def seek(self, *args):
        raise AssertionError("the content was read")


@pytest.mark.parametrize(
    ("name", "make", "kind", "content_type"),
    [
        ("宣传单.docx", builders.docx_bytes, "docx", "wordprocessingml"),
        ("产品说明书.pdf", lambda: builders.pdf_bytes(builders.PDF_PAGES), "pdf", "application/pdf"),
        ("费率表.XLSX", builders.xlsx_bytes, "xlsx", "spreadsheetml"),
        ("路演.pptx", builders.pptx_bytes, "pptx", "presentationml"),
        ("海报.png", builders.png_bytes, "png", "image/png"),
        ("海报.jpeg", builders.jpeg_bytes, "jpg", "image/jpeg"),
    ],
)
def test_allowed_kinds_are_accepted_with_size_and_checksum(name, make, kind, content_type):
    # given
    data = make()

    # when
    checked = validate_upload(upload(name, data), name)

    # then
    assert checked.kind == kind
    assert content_type in checked.content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.name == name
    assert checked.file.read() == data  # rewound: ready to be stored


def test_pdf_page_count_and_an_owner_password_only_pdf_is_accepted():
    # given a PDF that restricts printing but opens without a password
    data = builders.encrypted_pdf_bytes(user_password="")

    # when
    checked = validate_upload(upload("说明书.pdf", data), "说明书.pdf")

    # then
    assert (checked.kind, checked.pages) == ("pdf", 2)


def test_a_stream_that_cannot_seek_is_copied_and_checked():
    # given
    data = builders.docx_bytes()
    stream = Unseekable(data)

    # when
    checked = validate_upload(stream, "a.docx")

    # then
    assert checked.kind == "docx"
    assert checked.file.read() == data
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_the_name_loses_its_directories():
    checked = validate_upload(upload("x.docx", builders.docx_bytes()), "..\\..\\tmp/../宣传单.docx")
    assert checked.name == "宣传单.docx"


@pytest.mark.parametrize("name", ["合同.doc", "营销.wps", "run.exe", "说明", "a.zip", "page.html"])
def test_other_kinds_are_refused(name):
    # given a file whose content is a real docx, under a name of a kind that is not allowed
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, builders.docx_bytes()), name)

    # then
    code, message = refusal(exc)
    assert code == "type"
    assert message.startswith("仅可上传 Word（.docx）、PDF、Excel（.xlsx）、PowerPoint（.pptx）和图片")


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        (
            "宣传单.docx",
            lambda: builders.pdf_bytes(builders.PDF_PAGES),
            "文件扩展名为 .docx，但内容是PDF 文档：请更正文件名或上传正确的文件。",
        ),
        (
            "费率.xlsx",
            builders.docx_bytes,
            "文件扩展名为 .xlsx，但内容是Word 文档（.docx）：请更正文件名或上传正确的文件。",
        ),
        (
            "海报.jpg",
            builders.png_bytes,
            "文件扩展名为 .jpg，但内容是PNG 图片：请更正文件名或上传正确的文件。",
        ),
        (
            "说明书.pdf",
            builders.pptx_bytes,
            "文件扩展名为 .pdf，但内容是PowerPoint 演示文稿（.pptx）：请更正文件名或上传正确的文件。",
        ),
    ],
)
def test_a_name_that_does_not_match_the_content_is_refused(name, make, expected):
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, make()), name)
    assert refusal(exc) == ("mismatch", expected)


def test_random_bytes_named_docx_are_refused():
    # given
    data = bytes(range(256)) * 40

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("宣传单.docx", data), "宣传单.docx")

    # then
    assert refusal(exc) == (
        "mismatch",
        "文件内容不是Word 文档（.docx）：文件已损坏，或与文件名所示类型不符。",
    )


@pytest.mark.parametrize(
    "data",
    [
        builders.zip_with(
            {"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"}
        ),  # no document part
        builders.docx_bytes()[:5000],  # cut short
    ],
    ids=["zip-without-document", "truncated"],
)
def test_a_damaged_docx_is_refused(data):
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("宣传单.docx", data), "宣传单.docx")
    assert refusal(exc) == (
        "corrupt",
        "文件无法作为Word 文档（.docx）打开：文件已损坏，或与文件名所示类型不符。",
    )


def test_a_docx_whose_document_part_is_not_xml_is_refused():
    # given a real docx whose word/document.xml is replaced by text that is not XML
    source = zipfile.ZipFile(io.BytesIO(builders.docx_bytes()))
    members = {n: source.read(n) for n in source.namelist()}
    members["word/document.xml"] = b"<w:document><unclosed"
    data = builders.zip_with(members)

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("宣传单.docx", data), "宣传单.docx")

    # then
    assert refusal(exc)[0] == "corrupt"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("说明书.pdf", b"%PDF-1.7\n" + b"\x00not a pdf" * 100),
        ("路演.pptx", builders.pptx_bytes()[:4000]),
        ("费率.xlsx", builders.xlsx_bytes()[:3000]),
        ("海报.png", builders.png_bytes()[:30]),
    ],
)
def test_damaged_files_of_other_kinds_are_refused(name, data):
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, data), name)
    assert refusal(exc)[0] == "corrupt"


def test_a_pdf_that_needs_a_password_is_refused():
    # given
    data = builders.encrypted_pdf_bytes(user_password="secret")

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("说明书.pdf", data), "说明书.pdf")

    # then
    assert refusal(exc) == ("encrypted", "该 PDF 设有打开密码：请去除密码后再上传。")


@pytest.mark.parametrize(
    "make", [lambda: upload("a.docx", b""), lambda: Unseekable(b"")], ids=["upload", "stream"]
)
def test_an_empty_file_is_refused(make):
    with pytest.raises(ValidationError) as exc:
        validate_upload(make(), "a.docx")
    assert refusal(exc) == ("empty", "文件为空。")


def test_a_100_mb_upload_is_refused_by_its_size_without_reading_it():
    # given an upload that declares 100 MB and fails if read
    with pytest.raises(ValidationError) as exc:
        validate_upload(NeverRead(), "big.pdf")

    # then
    assert refusal(exc) == ("too_large", "文件超过 50 MB：请压缩（如压缩其中图片）或拆分后再上传。")


def test_a_100_mb_file_on_disk_is_refused_without_reading_it(tmp_path):
    # given a sparse 100 MB file (nothing written to disk but its first bytes)
    path = tmp_path / "big.pdf"
    with path.open("wb") as fp:
        fp.write(b"%PDF-1.7\n")
        fp.truncate(100 * MB)

    # when
    started = time.perf_counter()
    with path.open("rb") as fp, pytest.raises(ValidationError) as exc:
        validate_upload(fp, "big.pdf")
        # then
    assert refusal(exc)[0] == "too_large"
    assert time.perf_counter() - started < 0.5


def test_a_stream_without_a_size_is_refused_once_it_passes_the_limit(settings):
    # given a limit of 2 MB and a 10 MB stream that declares no size
    settings.REVIEW_UPLOAD_MAX_BYTES = 2 * MB
    stream = Unseekable(b"%PDF-1.7\n" + b"\0" * (10 * MB))

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(stream, "big.pdf")

    # then reading stopped one chunk past the limit
    assert refusal(exc) == ("too_large", "文件超过 2 MB：请压缩（如压缩其中图片）或拆分后再上传。")
    assert stream.read_bytes <= 3 * MB


def test_a_zip_bomb_is_refused_quickly(tmp_path):
    # given a .docx whose one part unpacks to 300 MB of zeros (packed ≈ 1.4 MB)
    path = tmp_path / "bomb.docx"
    builders.zip_bomb(path, unpacked=300 * MB)
    assert path.stat().st_size < 3 * MB

    # when
    started = time.perf_counter()
    with path.open("rb") as fp, pytest.raises(ValidationError) as exc:
        validate_upload(fp, "bomb.docx")

    # then refused from the zip's directory, without unpacking
    assert refusal(exc) == ("zip_bomb", "文件解压后超过 200 MB，已拒收：请拆分文件或压缩其中图片。")
    assert time.perf_counter() - started < 0.5


def test_a_part_compressed_far_beyond_an_ordinary_document_is_refused(tmp_path):
    # given a .docx within the total but whose part of 40 MB of zeros packs ≈ 200:1
    path = tmp_path / "bomb.docx"
    builders.zip_bomb(path, unpacked=40 * MB)

    # when
    with path.open("rb") as fp, pytest.raises(ValidationError) as exc:
        validate_upload(fp, "bomb.docx")

    # then
    assert refusal(exc) == ("zip_bomb", "文件解压后远大于其本身（疑似“压缩炸弹”），已拒收。")


def test_too_many_parts_are_refused(settings):
    # given a limit of 50 parts and a docx with 60
    settings.REVIEW_UPLOAD_MAX_MEMBERS = 50
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    members |= {f"word/media/p{i}.bin": b"x" for i in range(58)}

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.docx", builders.zip_with(members)), "a.docx")

    # then
    assert refusal(exc) == ("zip_bomb", "文件包含的部件超过 50 个，已拒收。")


def _with_member(base: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    members = {n: source.read(n) for n in source.namelist()}
    members[name] = data
    return builders.zip_with(members)


def test_an_embedded_workbook_is_allowed_one_level_deep():
    # given a Word document carrying a chart's workbook (a zip inside the zip)
    data = _with_member(
        builders.docx_bytes(), "word/embeddings/Microsoft_Excel_Sheet1.xlsx", builders.xlsx_bytes()
    )

    # when
    checked = validate_upload(upload("a.docx", data), "a.docx")

    # then
    assert checked.kind == "docx"


def test_an_archive_inside_an_embedded_archive_is_refused():
    # given
    inner = _with_member(
        builders.xlsx_bytes(), "xl/embeddings/deeper.zip", builders.zip_with({"a.txt": b"a"})
    )
    data = _with_member(builders.docx_bytes(), "word/embeddings/Sheet1.xlsx", inner)

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.docx", data), "a.docx")

    # then
    assert refusal(exc) == ("zip_bomb", "文件内嵌多层压缩包，已拒收。")


def test_an_embedded_archive_counts_towards_the_unpacked_total(settings):
    # given a limit the outer file alone keeps but not with its embedded archive's 3 MB
    settings.REVIEW_UPLOAD_MAX_UNZIPPED_BYTES = 2 * MB
    inner = builders.zip_with({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"x" * (3 * MB)})
    data = _with_member(builders.docx_bytes(), "word/embeddings/Sheet1.xlsx", inner)

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.docx", data), "a.docx")

    # then
    assert refusal(exc)[0] == "zip_bomb"


def test_a_document_with_macros_is_refused():
    data = _with_member(builders.docx_bytes(), "word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.docx", data), "a.docx")
    assert refusal(exc) == ("macros", "文件含有宏：请另存为不含宏的 .docx、.xlsx 或 .pptx。")


def test_an_image_of_too_many_pixels_is_refused(settings):
    # given a limit of 100 pixels and a 20 × 10 image
    settings.REVIEW_UPLOAD_MAX_PIXELS = 100

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("海报.png", builders.png_bytes((20, 10))), "海报.png")

    # then
    assert refusal(exc)[0] == "image_too_large"


def test_the_refusal_is_on_the_field_the_caller_names():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.doc", b"x"), "a.doc", field="document")
    assert list(exc.value.message_dict) == ["document"]


@pytest.mark.parametrize("name", ["合同.docx", "费率.xlsx", "路演.pptx"])
def test_a_password_protected_or_old_office_file_is_refused_with_what_to_do(name):
    # given the compound-file container of .doc files and of password-protected Office files
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000

    # when
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, data), name)

    # then
    assert refusal(exc) == (
        "encrypted",
        "文件设有密码，或为旧版 Office 格式（.doc、.xls、.ppt）：请去除密码，"
        "或另存为 .docx、.xlsx 或 .pptx。",
    )


def test_validate_and_extract_gives_the_checked_file_and_its_text():
    # given
    data = builders.docx_bytes()

    # when
    checked, extracted = validate_and_extract(upload("宣传单.docx", data), "宣传单.docx")

    # then
    assert checked.kind == "docx"
    assert checked.file.read() == data
    assert extracted.blocks[0][2] == "第1段"
    assert "理财非存款、产品有风险、投资须谨慎。" in extracted.text


def test_a_file_that_opens_but_whose_text_cannot_be_read_is_refused():
    # given a workbook whose sheet expands an entity a billion times ("billion laughs"): the checks open the
    # book part only, the XML parser refuses the sheet while its text is read
    laughs = '<!DOCTYPE s [<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = zipfile.ZipFile(io.BytesIO(builders.xlsx_bytes())).read("xl/worksheets/sheet1.xml").decode()
    sheet = laughs + "]>" + sheet.replace("<t>", "<t>&l9;", 1)
    data = _with_member(builders.xlsx_bytes(), "xl/worksheets/sheet1.xml", sheet.encode())
    validate_upload(upload("费率.xlsx", data), "费率.xlsx")

    # when
    with pytest.raises(ValidationError) as exc:
        validate_and_extract(upload("费率.xlsx", data), "费率.xlsx")

    # then
    assert refusal(exc) == ("unreadable", "无法读取此文件的文字：文件已损坏，或与文件名所示类型不符。")


def test_a_word_document_with_an_entity_bomb_is_refused():
    # given a docx whose document part declares an entity that would expand a billion times
    laughs = '<!DOCTYPE d [<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = zipfile.ZipFile(io.BytesIO(builders.docx_bytes())).read("word/document.xml").decode()
    body = body[body.index("?>") + 2 :] if body.startswith("<?xml") else body
    body = laughs + "]>" + body.replace("<w:t>", "<w:t>&l9;", 1)
    data = _with_member(builders.docx_bytes(), "word/document.xml", body.encode())

    # when
    started = time.perf_counter()
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("宣传单.docx", data), "宣传单.docx")

    # then
    assert refusal(exc)[0] == "corrupt"
    assert time.perf_counter() - started < 1
