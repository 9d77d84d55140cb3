"""The hand-written Chinese labelled set (data/zh_labelled.csv) used to measure assisted classification: its
shape, its codes against the project's code tables, and that it holds no real-looking personal data."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from xiaobao.complaints.models import ComplaintCode

CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "zh_labelled.csv"
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
CARD_NUMBER = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


def _rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["request", "description", "business_type", "cause"]
        return list(reader)


def test_size_and_shape():
    rows = _rows()
    assert len(rows) >= 300
    for row in rows:
        assert row["description"].strip(), row
        assert None not in row, row  # no extra columns from bad quoting


def test_no_duplicate_descriptions():
    counts = Counter(row["description"].strip() for row in _rows())
    assert [text for text, n in counts.items() if n > 1] == []


@pytest.mark.django_db
def test_codes_are_the_project_presets():
    """Every label is an existing code of the right dimension (loaded by the presets migration)."""
    business = set(ComplaintCode.objects.filter(dimension="business_type").values_list("code", flat=True))
    causes = set(ComplaintCode.objects.filter(dimension="cause").values_list("code", flat=True))
    assert business and causes
    rows = _rows()
    assert {row["business_type"] for row in rows} - business == set()
    assert {row["cause"] for row in rows} - causes == set()
    # Every code is represented: business types at least 3 times (the leaf codes and top codes without
    # sub-codes at least 8), causes at least 5 times.
    per_type = Counter(row["business_type"] for row in rows)
    per_cause = Counter(row["cause"] for row in rows)
    assert {code for code in business if per_type[code] < 3} == set()
    parents_with_children = set(
        ComplaintCode.objects.filter(dimension="business_type", parent__isnull=False).values_list(
            "parent__code", flat=True
        )
    )
    assert {code for code in business - parents_with_children if per_type[code] < 8} == set()
    assert {code for code in causes if per_cause[code] < 5} == set()


def test_no_real_looking_personal_data():
    for row in _rows():
        text = row["request"] + " " + row["description"]
        assert not MOBILE.search(text), text
        assert not ID_NUMBER.search(text), text
        assert not CARD_NUMBER.search(text), text
