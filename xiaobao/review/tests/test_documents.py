"""Documents and versions: the wording checker runs on every upload, bad files are refused with the
validator's message and nothing is stored, an opinion made from a finding, finding decisions, the diff."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.checker.tests.files import builders
from xiaobao.review.models import DocumentVersion, ReviewDocument, ReviewEvent
from xiaobao.review.selectors import marked_segments, text_diff
from xiaobao.review.services import (
    document_add,
    opinion_add,
    review_finding_decide,
    review_transition,
    version_add,
    version_findings,
)
from xiaobao.review.tests.conftest import LEAFLET_V2, at, docx

pytestmark = pytest.mark.django_db


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_the_checker_marks_the_leaflet(make_review):
    # given / when
    review = make_review()
    version = DocumentVersion.objects.get(document__review=review)
    findings = list(version_findings(version))
    # then the promise and "zero risk" are found where they stand in the text
    labels = {f.label for f in findings}
    assert {"guarantee", "no_risk"} <= labels
    for f in findings:
        assert version.text[f.start : f.end] == f.excerpt


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (builders.encrypted_pdf_bytes(), "leaflet.pdf"),
        (b"PK\x03\x04 not really a word file", "leaflet.docx"),
        (b"MZ\x90\x00 an executable", "leaflet.exe"),
        (b"", "leaflet.docx"),
        (builders.png_bytes(), "leaflet.docx"),
    ],
    ids=["encrypted-pdf", "corrupt-docx", "exe", "empty", "png-named-docx"],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(make_review, submitter, data, name):
    review = make_review(submit=False)
    before = (ReviewDocument.objects.count(), DocumentVersion.objects.count(), ReviewEvent.objects.count())
    # when
    with at("2026-03-02"), pytest.raises(ValidationError) as refused:
        document_add(actor=submitter, review=review, fileobj=_named(data, name), name=name, title="附件")
    # then a message on the file field, nothing written
    assert refused.value.message_dict["file"]
    after = (ReviewDocument.objects.count(), DocumentVersion.objects.count(), ReviewEvent.objects.count())
    assert after == before


def test_a_zip_bomb_is_refused(make_review, submitter, tmp_path):
    review = make_review(submit=False)
    bomb = tmp_path / "bomb.docx"
    builders.zip_bomb(bomb)
    with at("2026-03-02"), pytest.raises(ValidationError), bomb.open("rb") as f:
        document_add(actor=submitter, review=review, fileobj=f, name="bomb.docx")
    assert DocumentVersion.objects.filter(document__review=review).count() == 1


def test_only_the_submitter_uploads_and_only_while_waiting(make_review, submitter, reviewer):
    review = make_review()
    document = review.documents.get()
    with at("2026-03-03"), pytest.raises(PermissionDenied):
        version_add(actor=reviewer, document=document, fileobj=docx(LEAFLET_V2), name="v2.docx")
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
    from xiaobao.core.errors import Conflict

    with at("2026-03-03"), pytest.raises(Conflict):
        version_add(actor=submitter, document=document, fileobj=docx(LEAFLET_V2), name="v2.docx")


def test_opinion_from_a_finding_and_decisions(make_review, reviewer, submitter):
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
    version = DocumentVersion.objects.get(document__review=review)
    finding = next(f for f in version_findings(version) if f.label == "guarantee")
    # when the reviewer confirms it and makes an opinion of it
    with at("2026-03-03"):
        review_finding_decide(actor=reviewer, review=review, finding=finding, decision="confirmed")
        opinion = opinion_add(
            actor=reviewer,
            review=review,
            data={"category": "marketing", "severity": "must_change", "body": "删除", "finding": finding.pk},
        )
    # then
    finding.refresh_from_db()
    assert finding.decision == "confirmed" and finding.decided_by == reviewer
    assert opinion.finding == finding and opinion.quote == finding.excerpt and opinion.version == version
    # the submitter may not decide findings
    with at("2026-03-03"), pytest.raises(PermissionDenied):
        review_finding_decide(actor=submitter, review=review, finding=finding, decision="dismissed")


def test_marked_segments_merge_overlaps():
    class F:
        def __init__(self, start, end):
            self.start, self.end = start, end

    text = "本产品保本保收益零风险"
    a, b, c = F(3, 8), F(5, 8), F(8, 11)
    segments = marked_segments(text, [c, a, b, F(20, 30)])
    assert [(s.text, len(s.findings)) for s in segments] == [("本产品", 0), ("保本保收益", 2), ("零风险", 1)]
    assert "".join(s.text for s in segments) == text


def test_text_diff_pairs_changed_paragraphs():
    old = "标题\n本产品保本保收益。\n欲购从速。\n结尾"
    new = "标题\n本产品不保本，业绩比较基准3.2%。\n结尾\n理财非存款。"
    diff = text_diff(old, new)
    kinds = [line.kind for line in diff.lines]
    assert (diff.changed, diff.removed, diff.added) == (1, 1, 1)
    assert kinds.count("same") == 2
    changed = next(line for line in diff.lines if line.kind == "changed")
    assert ("del", "保收益") in changed.old or any(op == "del" for op, _t in changed.old)
    assert any(op == "ins" and "不" in t for op, t in changed.new)
    assert text_diff("a\nb", "a\nb").unchanged
