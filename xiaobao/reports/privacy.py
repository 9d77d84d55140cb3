"""Keeping personal data out of generated documents: case texts are shortened and scrubbed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xiaobao.core.vault.detect import CARD, ID_NUMBER, PHONE

LONG_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")  # 7+ digits, spaced or dashed: accounts, landlines, IDs
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
HIDDEN = "***"


def scrub(text: str, names: Iterable[str] = (), limit: int = 80) -> str:
    """The text without the given personal names, ID/phone/card/account numbers or e-mail addresses,
    cut to `limit` characters."""
    out = " ".join((text or "").split())
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, HIDDEN)
    for pattern in (ID_NUMBER, CARD, PHONE, EMAIL, LONG_NUMBER):
        out = pattern.sub(HIDDEN, out)
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"
