"""The labelled texts: the rules (presets in force) measured on the development set they were written from
(`corpus/dev.jsonl`) and on held-out sets written blind to them by other helpers.

A text is correct when the set of labels found equals the set expected: a clean text (expected []) must get
no finding, a problem text must get every expected label and no other. Per label, at text level: precision =
texts where the label was expected and found / texts where it was found; recall = … / texts where it was
expected. Also reported: "flagged or passed" (expected some label ⇔ found some label), the looser reading.

None of dev.jsonl, holdout.jsonl, holdout2.jsonl and holdout3.jsonl is blind any more: the rules were
changed after each held-out set's blind run (holdout: 69.1 % correct blind; holdout2: 76.5 %; holdout3:
84.6 %, endorsement recall 42.9 %). The floors below are the figures achieved after those changes — they
guard against regressions, they do not measure generalisation. `holdout4.jsonl` (written blind to the
current rules) is loaded and judged only until its blind figures are recorded. `bench/checker_quality.py`
prints the figures as markdown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from xiaobao.checker.engine import LABELS, MATERIALS, PRODUCT_KINDS, RuleSpec, check

CORPUS = Path(__file__).parent / "corpus"
GOAL_CORRECT = 0.90
GOAL_RECALL = 0.85


@dataclass
class LabelScore:
    expected: int = 0
    found: int = 0
    both: int = 0

    @property
    def precision(self) -> float | None:
        return self.both / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.both / self.expected if self.expected else None


@dataclass
class Evaluation:
    texts: int = 0
    correct: int = 0
    flagged_or_passed: int = 0
    clean: int = 0
    clean_passed: int = 0
    labels: dict[str, LabelScore] = field(default_factory=lambda: {label: LabelScore() for label in LABELS})
    wrong: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share_correct(self) -> float:
        return self.correct / self.texts if self.texts else 0.0

    @property
    def share_flagged_or_passed(self) -> float:
        return self.flagged_or_passed / self.texts if self.texts else 0.0


def load(name: str) -> list[dict[str, Any]]:
    path = CORPUS / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: Iterable[dict[str, Any]], rules: list[RuleSpec] | None = None) -> Evaluation:
    ev = Evaluation()
    for row in rows:
        found = {
            f.label
            for f in check(
                row["text"], product_kind=row["product_kind"], material=row["material"], rules=rules
            )
        }
        expected = set(row["labels"])
        ev.texts += 1
        ev.correct += found == expected
        ev.flagged_or_passed += bool(found) == bool(expected)
        if not expected:
            ev.clean += 1
            ev.clean_passed += not found
        for label in LABELS:
            score = ev.labels[label]
            score.expected += label in expected
            score.found += label in found
            score.both += label in expected and label in found
        if found != expected:
            ev.wrong.append({**row, "found": sorted(found)})
    return ev


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def markdown(name: str, ev: Evaluation) -> str:
    lines = [
        f"**{name}**: {ev.texts} texts ({ev.clean} clean) — correct {ev.correct}/{ev.texts} = "
        f"{_pct(ev.share_correct)}; flagged or passed {_pct(ev.share_flagged_or_passed)}; clean texts passed "
        f"{ev.clean_passed}/{ev.clean}",
        "",
        "| label | expected | found | both | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, s in ev.labels.items():
        lines.append(
            f"| {label} | {s.expected} | {s.found} | {s.both} | {_pct(s.precision)} | {_pct(s.recall)} |"
        )
    return "\n".join(lines)


SETS = ("dev.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl")


def _well_formed(name: str, rows: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), name
    for r in rows:
        assert r["text"] and r["product_kind"] in PRODUCT_KINDS and r["material"] in MATERIALS, r["id"]
        assert set(r["labels"]) <= set(LABELS), r["id"]


def test_the_sets_are_well_formed():
    # given every set that is there (the held-out ones may be missing in a partial checkout)
    for name in SETS:
        rows = load(name)
        # then ids are unique, fields are valid, and (dev) every label occurs with enough look-alikes
        _well_formed(name, rows)
        if name == "dev.jsonl":
            assert len(rows) >= 380
            assert {label for r in rows for label in r["labels"]} == set(LABELS)
            assert sum(1 for r in rows if not r["labels"]) >= 130  # the look-alikes


def _assert_floors(name: str, correct_floor: float, recall_floors: dict[str, float]) -> None:
    rows = load(name)
    if not rows:
        pytest.skip(f"corpus/{name} is not there")
    # when the presets run over the texts
    ev = evaluate(rows)
    report = markdown(name, ev)
    # then the share of texts correct and each label's recall reach the floor
    assert ev.share_correct >= correct_floor, report
    for label, score in ev.labels.items():
        if score.expected:
            floor = recall_floors.get(label, GOAL_RECALL)
            assert score.recall is not None and score.recall >= floor, (label, report)


def test_dev_set_the_rules_were_written_from():
    # the rules were written from these: every text right (517/517 when this floor was set)
    _assert_floors("dev.jsonl", 1.0, dict.fromkeys(LABELS, 1.0))


def test_first_holdout_set_seen_after_its_blind_run():
    # blind: 172/249 = 69.1 %; after tuning (commit 2ddee4b) 244/249; after the holdout2 round 249/249
    _assert_floors("holdout.jsonl", 0.98, dict.fromkeys(LABELS, 0.90))


def test_second_holdout_set_seen_after_its_blind_run():
    # blind: 195/255 = 76.5 %, recall inducement 42.9 %, tying 41.7 %, endorsement 50.0 % (the rules of
    # commit d808fc0). The misses were grouped by category of expression, the rules generalised and new
    # dev texts written in other words: 255/255 since — no longer a blind measure.
    _assert_floors("holdout2.jsonl", 0.98, dict.fromkeys(LABELS, 0.90))


def test_third_holdout_set_seen_after_its_blind_run():
    # blind: 226/267 = 84.6 %, recall endorsement 42.9 %, misleading 77.8 %, unfair_terms 80.0 %, urgency
    # 81.2 % (the rules of commit 0f61b85). The misses were grouped by category of expression (speaker +
    # quote/holding, deadlines and quotas in other words, disparaging rivals, acting without notice, a heading
    # above its paragraph …), new dev texts written in other words: 266/267 after checker-rules-3.
    _assert_floors(
        "holdout3.jsonl",
        0.98,
        dict.fromkeys(LABELS, 0.90),
    )


def test_fourth_holdout_set_written_blind_to_the_current_rules():
    # Written blind to the rules of commit 7eb3737 and run once on them (2026-12-05): 215/249 = 86.3 %
    # correct, 94.4 % flagged or passed; recall below the 85 % goal for deposit_confusion, misleading
    # and unfair_terms (80.0 % each). The goal (90 % correct, recall 85 %) is NOT met on blind text; these
    # floors are the blind figures, so a change making the rules worse on unseen text fails here.
    _assert_floors("holdout4.jsonl", 0.86, dict.fromkeys(LABELS, 0.80))
