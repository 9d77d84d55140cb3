"""Fixtures for import tests: the real CFPB samples (read in place), CSV builders and a one-call import."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from django.conf import settings

from conftest import make_user


def shared_data() -> Path:
    """`../shared/data` beside the repository, or the workspace's `/work/shared/data` for a clone elsewhere
    (XIAOBAO_SHARED_DATA overrides both)."""
    override = os.environ.get("XIAOBAO_SHARED_DATA")
    if override:
        return Path(override)
    candidates = [Path(settings.BASE_DIR).parent.parent / "shared" / "data", Path("/work/shared/data")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


CFPB = shared_data() / "cfpb"
# The real samples are read in place, never copied into the repository: without them these tests cannot run.
needs_cfpb = pytest.mark.skipif(
    not CFPB.is_dir(), reason=f"CFPB samples not found at {CFPB}: set XIAOBAO_SHARED_DATA"
)
OFFICIAL = CFPB / "complaints_sample_ZiyuYan9.csv"  # 18 official columns, dates 2020/3/18
NARRATIVES = CFPB / "narratives_product_sha-hsg.csv"  # index, Product, narrative; no dates
STRUCTURED = CFPB / "structured_28k_samratbhosale7.csv"  # Kaggle layout, 28,156 rows, dates 3/19/2015
RECENT = CFPB / "complaints_2023_Sravanbunny2002.csv"  # underscores in names, dates 27-04-2023

HEADER = [
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company",
    "State",
    "Tags",
    "Submitted via",
    "Company response to consumer",
    "Complaint ID",
]


def first_rows(path: Path, n: int) -> bytes:
    """The header and the first n records of a real file, as CSV bytes (records may span lines)."""
    out = io.StringIO()
    writer = csv.writer(out)
    with path.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i > n:
                break
            writer.writerow(row)
    return out.getvalue().encode()


def make_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    """A CFPB-style CSV: each row a dict of header → value (missing cells empty)."""
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode()


def cfpb_row(n: int, **over: str) -> dict[str, str]:
    row = {
        "Date received": "2020/3/18",
        "Product": "Mortgage",
        "Sub-product": "FHA mortgage",
        "Issue": "Struggling to pay mortgage",
        "Sub-issue": "",
        "Consumer complaint narrative": f"The servicer lost my payment number {n}.",
        "Company": "EXAMPLE BANK",
        "State": "TX",
        "Tags": "",
        "Submitted via": "Web",
        "Company response to consumer": "Closed with explanation",
        "Complaint ID": str(9_000_000 + n),
    }
    row.update(over)
    return row


@pytest.fixture
def cfpb_preset(db):
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.presets import load_builtin_presets_now

    load_builtin_presets_now()
    return ImportPreset.objects.get(name="cfpb")


@pytest.fixture
def importer(org):
    """A branch-1 consumer-protection officer: may import into branch 1's subtree, not edit presets."""
    return make_user("b1_importer", org.b1, ["branch_cp_officer"])


@pytest.fixture
def run_import(cfpb_preset):
    """Upload bytes and run the import to its end (the task's work, in place): returns the job."""
    from xiaobao.imports.services import import_job_create, import_job_run, import_job_start

    def run(
        actor, data: bytes, unit, *, stage="import", name="file.csv", batch_size=1000, preset=None, **opts
    ):
        job = import_job_create(
            actor=actor,
            fileobj=io.BytesIO(data),
            name=name,
            preset=preset or cfpb_preset,
            org_unit=unit,
            **opts,
        )
        job = import_job_start(actor=actor, job=job, stage=stage)
        return import_job_run(job=job, batch_size=batch_size)

    return run


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the zh-Hans catalogue may translate them); pages choose their own."""
    from django.utils import translation

    with translation.override("en"):
        yield
