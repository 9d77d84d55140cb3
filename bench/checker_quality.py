"""Wording-checker quality: per-label precision and recall and the share of texts correctly flagged or passed,
on the development texts the rules were written from and on the held-out texts written blind to them, as
markdown for docs/benchmarks.md. Definitions: `xiaobao/checker/tests/test_corpus.py`.

Run: `.venv/bin/python bench/checker_quality.py [--wrong]` (`--wrong` lists the texts judged wrongly).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaobao.checker.engine import default_rules
from xiaobao.checker.tests.test_corpus import evaluate, load, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wrong", action="store_true", help="list the texts judged wrongly")
    args = parser.parse_args()
    print(f"Rules: {len(default_rules())} presets in force (xiaobao/checker/presets.py)\n")
    sets = (
        ("dev.jsonl", "development set"),
        ("holdout.jsonl", "first held-out set (used for tuning after its blind run)"),
        ("holdout2.jsonl", "second held-out set (blind run recorded, then used for tuning)"),
        ("holdout3.jsonl", "third held-out set (blind run recorded, then used for tuning)"),
        ("holdout4.jsonl", "fourth held-out set (written blind to the rules of commit 7eb3737)"),
    )
    for name, title in sets:
        rows = load(name)
        if not rows:
            print(f"({name} not found)\n")
            continue
        ev = evaluate(rows)
        print(markdown(f"{title} ({name})", ev))
        print()
        if args.wrong:
            for w in ev.wrong:
                print(
                    f"- {w['id']} [{w['product_kind']}/{w['material']}] expected {w['labels']} found "
                    f"{w['found']}: {w['text'][:120]}"
                )
            print()


if __name__ == "__main__":
    main()
