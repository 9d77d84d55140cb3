"""Wording-checker speed: texts of ~500 characters checked per second on one core, and one long document.

Texts are built from the development corpus (`xiaobao/checker/tests/corpus/dev.jsonl`): sentences of
random texts joined until 500 characters, each text different, product kind and material varied. The
rules are the presets in force, compiled once before timing (the engine caches the compiled rules per
rule tuple). Also times one document of 50 pages (~75,000 characters, one block per paragraph), the
checking half of the issue's "a 50-page docx checked in < 2 s" (extraction is bench/extract*.py).
Best of R runs. Run: `.venv/bin/python bench/checker_speed.py [-n 2000] [--runs 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xiaobao.checker.engine import (  # noqa: E402  (after the path insert)
    MATERIALS,
    PRODUCT_KINDS,
    check,
    compile_rules,
    default_rules,
)

DEV = ROOT / "xiaobao/checker/tests/corpus/dev.jsonl"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def sentences() -> list[str]:
    out = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text = json.loads(line)["text"].replace("\n", "")
            out += [s + "。" for s in text.split("。") if s]
    return out


def texts(n: int, size: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    pool = sentences()
    out = []
    for _ in range(n):
        parts: list[str] = []
        length = 0
        while length < size:
            s = rng.choice(pool)
            parts.append(s)
            length += len(s)
            if rng.random() < 0.3:
                parts.append("\n")
        text = "".join(parts)[:size]
        out.append((text, rng.choice(PRODUCT_KINDS), rng.choice(MATERIALS)))
    return out


def document(pages: int, seed: int) -> tuple[str, list[tuple[int, int]]]:
    rng = random.Random(seed)
    pool = sentences()
    paragraphs = []
    for _ in range(pages * 10):  # ~10 paragraphs of ~150 characters a page
        para = ""
        while len(para) < 150:
            para += rng.choice(pool)
        paragraphs.append(para)
    text, blocks, pos = "", [], 0
    for para in paragraphs:
        blocks.append((pos, pos + len(para)))
        text += para + "\n"
        pos += len(para) + 1
    return text, blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="texts per run")
    parser.add_argument("--size", type=int, default=500, help="characters per text")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    rules = default_rules()
    t0 = time.perf_counter()
    compile_rules.cache_clear()
    compile_rules(rules)
    compile_s = time.perf_counter() - t0
    work = texts(args.n, args.size, seed=14)
    findings = 0
    best = float("inf")
    for _ in range(args.runs):
        t0 = time.perf_counter()
        findings = sum(len(check(t, product_kind=k, material=m)) for t, k, m in work)
        best = min(best, time.perf_counter() - t0)
    doc, blocks = document(args.pages, seed=14)
    doc_best = float("inf")
    doc_findings = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        doc_findings = len(check(doc, product_kind="wealth", material="marketing", blocks=blocks))
        doc_best = min(doc_best, time.perf_counter() - t0)

    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs; pinned to one core)")
    print(f"Python {platform.python_version()} on {platform.system()} {platform.release()}")
    print(f"Rules: {len(rules)} presets in force, compiled in {compile_s * 1000:.1f} ms")
    print(
        f"Texts: {args.n} × {args.size} characters, best of {args.runs}: {best:.3f} s → "
        f"{args.n / best:,.0f} texts/s ({best / args.n * 1000:.2f} ms a text; {findings} findings; "
        "goal ≥ 200/s)"
    )
    print(
        f"Document: {args.pages} pages, {len(doc):,} characters, {len(blocks)} blocks, best of {args.runs}: "
        f"{doc_best * 1000:.0f} ms ({doc_findings} findings; goal < 2 s including extraction)"
    )


if __name__ == "__main__":
    main()
