"""Distribution charts as PNG for the Word report (matplotlib, Agg backend, a CJK font found at run time)."""

from __future__ import annotations

import os
import shutil
import subprocess
from io import BytesIO
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from xiaobao.reports.builders import NoChineseFont

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
# Where Debian's CJK font packages put their files (fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei).
KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
PROBE = "投诉数量"  # the chart must be able to draw these


def font_candidates() -> list[str]:
    """Font files that may draw Chinese: those matplotlib knows by a CJK family name, fontconfig's fonts for
    Chinese (`fc-list :lang=zh`) and the known paths — found at run time, so a font installed after
    matplotlib built its font cache is found too."""
    known = [f.fname for f in font_manager.fontManager.ttflist if f.name in CJK_FONTS or "CJK" in f.name]
    listed: list[str] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run(  # noqa: S603 — a fixed argument list, no shell
                [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
            ).stdout
            listed = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
        except (OSError, subprocess.SubprocessError):
            listed = []
    files = [*known, *KNOWN_FONT_FILES, *listed]
    return [f for f in dict.fromkeys(files) if os.path.isfile(f)]


def draws_chinese(path: str) -> bool:
    """The font file (first face of a collection) has a glyph for every character of PROBE."""
    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        cmap = font.getBestCmap() or {}
        font.close()
    except Exception:
        return False
    return all(ord(ch) in cmap for ch in PROBE)


_found: list[str] = []  # the family once found (a failed search is tried again next time)


def cjk_font() -> str:
    """The family of an installed font that draws Chinese, registered with matplotlib (NoChineseFont if
    there is none)."""
    if _found:
        return _found[0]
    for path in font_candidates():
        if draws_chinese(path):
            font_manager.fontManager.addfont(path)
            _found.append(font_manager.FontProperties(fname=path).get_name())
            return _found[0]
    raise NoChineseFont(
        _(
            "No installed font can draw Chinese, so the charts would show boxes: install a CJK font "
            "(e.g. the fonts-noto-cjk package) and ask for the report again."
        )
    )


def bar_chart(labels: list[str], values: list[int], title: str) -> bytes:
    """A horizontal bar chart (largest on top) as PNG bytes; an empty series gives a 'no data' image."""
    family = cjk_font()
    rc: dict[str, Any] = {
        "font.family": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
    }
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        height = max(2.2, 0.42 * len(labels) + 1.0)
        fig = Figure(figsize=(6.4, height), dpi=150)
        ax = fig.add_subplot()
        if values:
            positions = list(range(len(labels)))[::-1]
            bars = ax.barh(positions, values, color="#4472C4")
            ax.set_yticks(positions, labels=labels)
            ax.bar_label(bars, padding=3, fontsize=8)
            ax.set_xlim(0, max(values) * 1.15 or 1)
        else:
            ax.text(0.5, 0.5, "—", ha="center", va="center", fontsize=16)
            ax.set_yticks([])
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(title, fontsize=11)
        ax.tick_params(axis="y", labelsize=9)
        fig.tight_layout()
        buf = BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
