"""The built-in import kind, historical complaints: its checking run, value-table choices and results link
(declared in `kinds.COMPLAINTS_KIND`; the rows are checked by validation.py and written by writer.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from xiaobao.complaints.choices import SpecialGroup
from xiaobao.imports import writer
from xiaobao.imports.kinds import Checked
from xiaobao.imports.readers import Table
from xiaobao.imports.targets import CODE_DIMENSIONS, LIABILITY_CHOICES, STATUS_CHOICES
from xiaobao.imports.validation import build_config, validate


def target_choices() -> dict[str, list[tuple[str, str]]]:
    from xiaobao.imports.forms import code_choices

    choices = {dim: code_choices(dim) for dim in CODE_DIMENSIONS}
    choices["status"] = [(str(v), str(label)) for v, label in STATUS_CHOICES]
    choices["liability"] = [(str(v), str(label)) for v, label in LIABILITY_CHOICES if v]
    choices["special_groups"] = [(str(v), str(label)) for v, label in SpecialGroup.choices]
    return choices


def run(job: Any, table: Table, progress: Callable[[int], None]) -> Checked:
    """Check every row against the job's mapping; the writer writes the valid ones into the job's unit."""
    cfg = build_config(
        headers=table.headers,
        columns=job.columns,
        value_maps=job.value_maps,
        defaults=job.defaults,
        received_on=job.received_on,
    )
    result = validate(cfg, table.rows, progress=progress)
    existing = writer.existing_references(job.org_unit, cfg.prefix)

    def write(
        batch_size: int, on_progress: Callable[[float], None], after: Callable[[int, int], None]
    ) -> tuple[int, int]:
        return writer.write_rows(
            job=job,
            actor=job.requested_by,
            unit=job.org_unit,
            source=cfg.source,
            prefix=cfg.prefix,
            rows=result.rows,
            batch_size=batch_size,
            progress=on_progress,
            after=after,
        )

    return Checked(result, sum(1 for r in result.rows if r.external_reference in existing), write)


def results_url(job: Any) -> str:
    query = urlencode({"q": writer.reference_prefix(job.pk), "unit": job.org_unit.code})
    return f"{reverse('complaints:list')}?{query}"
