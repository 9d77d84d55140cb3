"""Masking of personal data for screens, exports, logs and the audit trail.

Patterns (characters kept at the start and the end) are configuration (`VAULT_MASKING`): the per-field
patterns of JR/T 0171-2020 Annex A are UNCONFIRMED (regulations.md §5.1).
"""

from __future__ import annotations

from django.conf import settings

MASK = "*"


def mask(value: str | None, kind: str) -> str:
    if not value:
        return ""
    if kind == "email" and "@" in value:  # the mailbox masked, the domain kept: z****@example.com
        local, domain = value.rsplit("@", 1)
        return mask(local, "email_local") + "@" + domain
    head, tail = settings.VAULT_MASKING.get(kind, [1, 1])
    n = len(value)
    if head + tail >= n:
        # Too short to show both ends: keep at most a third at the start.
        keep = min(head, n // 3)
        return value[:keep] + MASK * (n - keep)
    return value[:head] + MASK * (n - head - tail) + (value[n - tail :] if tail else "")
