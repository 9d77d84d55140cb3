"""Policies in the header's global search (`Module.search`): by catalogue number (exact), title or document
number, within `Policy.objects.visible_to(user)` (the user's subtree and the units above it). Subtitle:
status and unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import SearchHit
from xiaobao.core.search import classify
from xiaobao.policies.models import Policy

KIND = pgettext_lazy("module", "Policies")


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    q = classify(query)
    if q.kind not in ("text", "reference"):
        return []
    text = q.text
    exact = Q(number__iexact=text)
    rows = (
        Policy.objects.visible_to(user)
        .filter(exact | Q(title__icontains=text) | Q(document_number__icontains=text))
        .select_related("org_unit")
        .annotate(exact=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("exact", "org_unit__path", "number")[:limit]
    )
    return [
        SearchHit(
            kind=KIND,
            title=str(p),
            url=p.get_absolute_url(),
            subtitle=f"{p.get_status_display()} · {p.org_unit.name}",
        )
        for p in rows
    ]
