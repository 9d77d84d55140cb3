"""Review requests in the header's global search (`Module.search`): by reference (exact, then its start) or by
title and product name, within `Review.objects.visible_to(user)`. Subtitle: status and unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import SearchHit
from xiaobao.core.search import classify
from xiaobao.review.models import Review

KIND = pgettext_lazy("module", "Reviews")


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    q = classify(query)
    base = Review.objects.visible_to(user)
    if q.kind == "reference":
        rows = _rows(base.filter(reference=q.text), limit) or _rows(
            base.filter(reference__startswith=q.text), limit
        )
    elif q.kind == "text":
        rows = _rows(base.filter(Q(title__icontains=q.text) | Q(product_name__icontains=q.text)), limit)
    else:
        return []
    return [
        SearchHit(
            kind=KIND,
            title=f"{r.reference} {r.title}",
            url=r.get_absolute_url(),
            subtitle=f"{r.get_status_display()} · {r.org_unit.name}",
        )
        for r in rows
    ]


def _rows(qs: QuerySet[Review], limit: int) -> list[Review]:
    return list(qs.select_related("org_unit").order_by("-created_at", "-id")[:limit])
