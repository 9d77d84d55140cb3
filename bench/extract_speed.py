"""Text extraction of a 50-page Word document and the wording check on it: seconds, against the goal < 2 s.

Builds (not timed) a .docx of about 50 pages: 50 × ≈ 600 Chinese characters of marketing and contract text in
paragraphs of 60–160 characters, a 6-row table every fifth page, a header and a footer. Then times, each over
--runs runs (median and max):
  - upload checks: `xiaobao.checker.uploads.validate_upload` (stream + SHA-256, zip bounds, python-docx
    opens it);
  - extraction: `xiaobao.checker.extract.extract_text(..., "docx")`;
  - check: `xiaobao.checker.engine.check(text, product_kind="wealth", material="marketing", blocks=...)` with
    the presets (when the engine exists), the compiled-rules cache warm after the first run;
  - the whole: upload checks + extraction + check, as an upload goes through it;
and the same extraction for a 50-page PDF (written by the test builders, one font, pypdf).

No database. Prints the machine and library versions and a markdown table for docs/benchmarks.md.

Usage: .venv/bin/python bench/extract_speed.py [--pages 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from xiaobao.checker.extract import extract_text  # noqa: E402
from xiaobao.checker.tests.files import builders  # noqa: E402
from xiaobao.checker.uploads import validate_upload  # noqa: E402

SENTENCES = [
    "本理财产品为非保本浮动收益型产品，产品风险等级为R2（中低风险），适合稳健型及以上投资者。",
    "业绩比较基准为年化3.20%—3.80%，业绩比较基准不是预期收益率，不代表产品的未来表现和实际收益。",
    "理财非存款、产品有风险、投资须谨慎。",
    "投资者应认真阅读产品说明书、风险揭示书和投资协议书，了解产品的投资范围、费用和风险。",
    "本产品投资于债券、货币市场工具、同业存单等固定收益类资产，比例不低于产品总资产的80%。",
    "销售服务费年费率0.30%，托管费年费率0.02%，固定管理费年费率0.20%，按日计提。",
    "产品成立后每月开放一次申购和赎回，赎回资金于开放日后两个工作日内到账。",
    "如遇市场剧烈波动，产品净值可能下跌，投资者可能损失部分本金。",
    "限时认购，名额有限，欲购从速！",
    "本行是本地区最好的理财服务银行，收益稳健，本息无忧。",
    "过往业绩不预示其未来表现，基金管理人管理的其他基金的业绩也不构成本产品业绩表现的保证。",
    "客户可通过手机银行、网上银行和营业网点办理认购，认购起点为1万元，以1千元的整数倍递增。",
]


def build_docx(pages: int, seed: int = 14) -> bytes:
    import docx

    rnd = random.Random(seed)
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "小宝银行 · 理财产品宣传材料（审查稿）"
    doc.sections[0].footer.paragraphs[0].text = "本材料仅供参考，不构成投资建议。"
    for page in range(1, pages + 1):
        doc.add_heading(f"第{page}部分 产品要素", level=2)
        written = 0
        while written < 600:
            para = "".join(rnd.choice(SENTENCES) for _ in range(rnd.randint(1, 4)))
            doc.add_paragraph(para)
            written += len(para)
        if page % 5 == 0:
            table = doc.add_table(rows=6, cols=3)
            for r in range(6):
                for c, value in enumerate(("期限", f"{90 * (r + 1)}天", f"业绩比较基准{3 + r / 10:.2f}%")):
                    table.cell(r, c).text = value
        doc.add_page_break()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def machine() -> list[str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("python-docx", "pypdf", "openpyxl", "python-pptx", "lxml")
    )
    return [
        f"machine: {platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
        f"{os.cpu_count()} CPUs",
        f"python {platform.python_version()}; {versions}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    translation.activate("zh-hans")
    engine_note = ""
    try:
        from xiaobao.checker import engine

        check = engine.check
        check("测试", product_kind="wealth", material="marketing")  # presets importable?
    except Exception as exc:  # the engine or its presets not there yet
        check, engine_note = None, f"engine not usable ({type(exc).__name__}: {exc})"

    data = build_docx(args.pages)
    name = "bench.docx"
    rows: list[tuple[str, float, float]] = []

    median, worst, checked = timed(lambda: validate_upload(io.BytesIO(data), name), args.runs)
    rows.append(("upload checks (stream, SHA-256, zip bounds, open)", median, worst))
    median, worst, result = timed(lambda: extract_text(data, "docx"), args.runs)
    rows.append(("extract_text docx", median, worst))
    findings = None
    if check is not None:
        spans = [(s, e) for s, e, _label in result.blocks]
        median, worst, findings = timed(
            lambda: check(result.text, product_kind="wealth", material="marketing", blocks=spans), args.runs
        )
        rows.append(("engine.check (presets, blocks)", median, worst))

    def whole():
        v = validate_upload(io.BytesIO(data), name)
        ex = extract_text(v.file, v.kind)
        if check is not None:
            check(
                ex.text, product_kind="wealth", material="marketing", blocks=[(s, e) for s, e, _ in ex.blocks]
            )

    median, worst, _ = timed(whole, args.runs)
    rows.append(("whole: upload checks + extraction + check", median, worst))

    pdf = builders.pdf_bytes(
        [[result.text[i : i + 600]] for i in range(0, min(len(result.text), args.pages * 600), 600)]
    )
    median, worst, pdf_result = timed(lambda: extract_text(pdf, "pdf"), args.runs)
    rows.append((f"extract_text pdf ({pdf_result.pages} pages)", median, worst))

    for line in machine():
        print(line)
    print(
        f"document: {args.pages} pages, {len(data) / 1024:.0f} KB .docx, {len(result.text):,} characters, "
        f"{len(result.blocks)} blocks, {checked.sha256[:12]}…"
        + (f"; {len(findings)} findings" if findings is not None else f"; {engine_note}: check not timed")
    )
    print(f"runs: {args.runs}\n")
    print("| step | median s | max s |")
    print("| --- | ---: | ---: |")
    for label, med, mx in rows:
        print(f"| {label} | {med:.3f} | {mx:.3f} |")
    whole_median = next(m for label, m, _ in rows if label.startswith("whole"))
    verdict = "met" if whole_median < 2 else "NOT met"
    print(f"\ngoal < 2 s for the whole: {verdict} ({whole_median:.3f} s median)")


if __name__ == "__main__":
    main()
