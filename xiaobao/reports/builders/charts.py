"""Distribution charts as PNG for the Word report (matplotlib, Agg backend, a CJK font when installed)."""

from __future__ import annotations

import functools
from io import BytesIO
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)


@functools.cache
def cjk_font() -> str | None:
    """The first installed CJK font family matplotlib knows, or None (labels may then show boxes)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return next((n for n in sorted(installed) if "CJK" in n or "WenQuanYi" in n), None)


def bar_chart(labels: list[str], values: list[int], title: str) -> bytes:
    """A horizontal bar chart (largest on top) as PNG bytes; an empty series gives a 'no data' image."""
    family = cjk_font()
    rc: dict[str, Any] = {
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
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
