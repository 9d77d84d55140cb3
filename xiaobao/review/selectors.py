"""Read side of review: every function takes the acting user and starts from `visible_to(user)`; plus the
pure helpers the pages use (findings marked in the text, the diff of two versions)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from xiaobao.review.filtersets import ORDERINGS, apply_filters
from xiaobao.review.models import DocumentVersion, Review, ReviewDocument, ReviewOpinion

LIST_RELATED = ("org_unit", "handler", "product_kind", "submitted_by")


def review_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Review]:
    filters = filters or {}
    qs = apply_filters(Review.objects.visible_to(user), filters, user).select_related(*LIST_RELATED)
    ordering = ORDERINGS.get(filters.get("ordering") or "", None)
    if ordering is None:
        ordering = ORDERINGS["due"] if filters.get("overdue") else ORDERINGS["-created"]
    return qs.order_by(*ordering)


def review_detail(*, user: Any, pk: int) -> Review | None:
    return (
        Review.objects.visible_to(user)
        .select_related(
            "org_unit", "handler", "product_kind", "rule", "created_by", "submitted_by", "concluded_by"
        )
        .prefetch_related(
            "clocks__rule",
            "extensions__requested_by",
            Prefetch(
                "documents",
                queryset=ReviewDocument.objects.prefetch_related(
                    Prefetch(
                        "versions",
                        queryset=DocumentVersion.objects.select_related("uploaded_by").defer(
                            "text", "blocks"
                        ),
                    )
                ),
            ),
            Prefetch(
                "opinions",
                queryset=ReviewOpinion.objects.select_related(
                    "author", "document", "version", "responded_by", "answered_version"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def version_of(review: Review, document_id: int, number: int) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.select_related("document", "uploaded_by")
        .filter(document_id=document_id, document__review=review, number=number)
        .first()
    )


def home_panel(user: Any) -> dict[str, Any]:
    """The to-do card's part: reviews waiting for the user's answers (submitter), reviews the user reviews
    (open), and for reviewers how many submitted reviews in their scope nobody has taken yet."""
    from xiaobao.core.clock import localdate
    from xiaobao.review.choices import Status
    from xiaobao.review.workflow import CONDUCT, DECIDE, LIVE

    if not user.has_perm("review.view_review"):
        return {}
    visible = Review.objects.visible_to(user)
    to_answer = list(
        visible.filter(status=Status.ANSWERING).filter(submitted_by_id=user.pk).order_by("due_date", "id")[:8]
    )
    to_review = list(
        visible.filter(handler_id=user.pk, status__in=[Status.IN_REVIEW, Status.SUBMITTED]).order_by(
            "due_date", "id"
        )[:8]
    )
    unclaimed = 0
    if user.has_perm(CONDUCT):
        unclaimed = (
            visible.filter(status=Status.SUBMITTED, handler__isnull=True)
            .exclude(submitted_by_id=user.pk)
            .exclude(created_by_id=user.pk)
            .count()
        )
    escalated = 0
    if user.has_perm(DECIDE):
        escalated = (
            visible.filter(status=Status.ESCALATED)
            .exclude(handler_id=user.pk)
            .exclude(submitted_by_id=user.pk)
            .count()
        )
    if not (to_answer or to_review or unclaimed or escalated):
        return {}
    return {
        "todo": True,
        "to_answer": to_answer,
        "to_review": to_review,
        "unclaimed": unclaimed,
        "escalated": escalated,
        "live": [str(s) for s in LIVE],
        "today": localdate(),
    }


# --- findings marked in the text ----------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    findings: list[Any] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        return bool(self.findings)


def marked_segments(text: str, findings: list[Any]) -> list[Segment]:
    """The text cut into plain and marked pieces: each finding's span marked; overlapping spans merge into
    one mark carrying every finding that touches it. Findings outside the text are left out."""
    spans = sorted((f for f in findings if 0 <= f.start < f.end <= len(text)), key=lambda f: (f.start, f.end))
    merged: list[tuple[int, int, list[Any]]] = []
    for f in spans:
        if merged and f.start < merged[-1][1]:
            start, end, group = merged[-1]
            merged[-1] = (start, max(end, f.end), [*group, f])
        else:
            merged.append((f.start, f.end, [f]))
    out: list[Segment] = []
    pos = 0
    for start, end, group in merged:
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], group))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def block_label(version: DocumentVersion, offset: int) -> str:
    """Where an offset is, in the extraction's words ("第3段", "幻灯片2"), or ""."""
    for block in version.blocks or []:
        if len(block) >= 2 and int(block[0]) <= offset < int(block[1]):
            return str(block[2]) if len(block) > 2 else ""
    return ""


# --- diff of two versions -------------------------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "same" | "added" | "removed" | "changed"
    old: list[tuple[str, str]]  # (op, text) pieces of the old line: op "" | "del"
    new: list[tuple[str, str]]  # (op, text) pieces of the new line: op "" | "ins"
    old_no: int | None = None
    new_no: int | None = None


@dataclass
class Diff:
    lines: list[DiffLine]
    added: int
    removed: int
    changed: int

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _inline(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Character-level pieces of a changed line (Chinese has no spaces to split words on)."""
    a: list[tuple[str, str]] = []
    b: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            a.append(("", old[i1:i2]))
            b.append(("", new[j1:j2]))
        else:
            if i2 > i1:
                a.append(("del", old[i1:i2]))
            if j2 > j1:
                b.append(("ins", new[j1:j2]))
    return a, b


def text_diff(old_text: str, new_text: str, *, context: int | None = None) -> Diff:
    """Line by line (a line is a paragraph, slide or row of the extraction), changed lines paired and marked
    within by character. `context`: keep only that many unchanged lines around each change (None: all)."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    lines: list[DiffLine] = []
    added = removed = changed = 0
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                t = old_lines[i1 + k]
                lines.append(DiffLine("same", [("", t)], [("", t)], i1 + k + 1, j1 + k + 1))
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            a, b = _inline(old_lines[i1 + k], new_lines[j1 + k])
            lines.append(DiffLine("changed", a, b, i1 + k + 1, j1 + k + 1))
            changed += 1
        for k in range(i1 + pairs, i2):
            lines.append(DiffLine("removed", [("del", old_lines[k])], [], k + 1, None))
            removed += 1
        for k in range(j1 + pairs, j2):
            lines.append(DiffLine("added", [], [("ins", new_lines[k])], None, k + 1))
            added += 1
    if context is not None:
        keep: set[int] = set()
        for idx, line in enumerate(lines):
            if line.kind != "same":
                keep.update(range(max(0, idx - context), min(len(lines), idx + context + 1)))
        lines = [line for idx, line in enumerate(lines) if idx in keep]
    return Diff(lines, added, removed, changed)
