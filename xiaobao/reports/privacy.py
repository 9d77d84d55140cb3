"""Keeping personal data out of generated documents: case texts are shortened and scrubbed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xiaobao.core.vault.detect import CARD, ID_NUMBER, PHONE

LONG_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")  # 7+ digits, spaced or dashed: accounts, landlines, IDs
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
HIDDEN = "***"
HONORIFIC = "(?:先生|女士|小姐|阿姨|大爷|老师)"


def scrub(text: str, names: Iterable[str] = (), limit: int = 80) -> str:
    """The text without the given personal names, ID/phone/card/account numbers or e-mail addresses,
    cut to `limit` characters."""
    out = " ".join((text or "").split())
    cleaned = {" ".join(n.split()) for n in names if n}  # spaced the way the text now is
    for name in sorted({n for n in cleaned if len(n) >= 2}, key=len, reverse=True):
        out = out.replace(name, HIDDEN)
    for surname in {n[0] for n in cleaned if n and "\u4e00" <= n[0] <= "\u9fff"}:
        out = re.sub(re.escape(surname) + HONORIFIC, HIDDEN, out)  # 王先生, 王女士 …
    for pattern in (ID_NUMBER, CARD, PHONE, EMAIL, LONG_NUMBER):
        out = pattern.sub(HIDDEN, out)
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"
