"""`{% preview_with_suggestions job headers preview as shown %}`: for each preview row of a complaints
import, the business type and cause the active model suggests from the row's issue and narrative (as far
as the preview shows them), when the row has no code of its own or its mapped code differs. Used by the
imports mapping screen, which loops over `shown.rows` (cells, hint) and adds a column when `shown.any`; the
hint is None when there is nothing to say (no model, no text columns, the suggestion agrees with the row's
code)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

TEXT_FIELDS = ("issue", "sub_issue", "narrative")


def _mapped(job: Any, dimension: str, cell: str) -> str:
    from xiaobao.imports.targets import norm_value

    table = {norm_value(k): str(v) for k, v in ((job.value_maps or {}).get(dimension) or {}).items()}
    return table.get(norm_value(cell), "") if cell.strip() else ""


@register.simple_tag
def preview_with_suggestions(job: Any, headers: list[str], preview: list[list[str]]) -> dict[str, Any]:
    hints = _hints(job, headers, preview)
    return {"rows": list(zip(preview, hints, strict=True)), "any": any(hints)}


def _hints(job: Any, headers: list[str], preview: list[list[str]]) -> list[dict[str, Any] | None]:
    from xiaobao.classification.services import DIMENSIONS, suggest_many
    from xiaobao.complaints.models import ComplaintCode

    nothing: list[dict[str, Any] | None] = [None] * len(preview)
    if getattr(job, "kind", "complaints") != "complaints" or not preview:
        return nothing
    columns = job.columns or {}
    index = {f: headers.index(h) for f, h in columns.items() if h in headers}
    if not any(f in index for f in TEXT_FIELDS):
        return nothing

    def cell(row: list[str], field: str) -> str:
        i = index.get(field)
        return row[i] if i is not None and i < len(row) else ""

    texts = [
        (f"{cell(row, 'issue')} {cell(row, 'sub_issue')}".strip(), cell(row, "narrative")) for row in preview
    ]
    _version, ranked = suggest_many(texts)
    if not ranked:
        return nothing
    names = {
        (dim, code): name
        for dim, code, name in ComplaintCode.objects.active()
        .filter(dimension__in=DIMENSIONS)
        .values_list("dimension", "code", "name")
    }
    out: list[dict[str, Any] | None] = []
    for row, suggestion in zip(preview, ranked, strict=True):
        hint: dict[str, Any] = {}
        for dim in DIMENSIONS:
            top = suggestion.get(dim) or []
            if not top or (dim, top[0][0]) not in names:
                continue
            code, confidence = top[0]
            own = _mapped(job, dim, cell(row, dim))
            if own != code:
                hint[dim] = {"code": code, "name": names[(dim, code)], "confidence": confidence, "own": own}
        out.append(hint or None)
    return out
