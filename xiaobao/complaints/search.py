"""Complaints in the header's global search (`Module.search`): by reference, by the complainant's (or the
represented consumer's) ID, phone or account number through the vault's blind indexes, by exact name, and by
text as the complaint list searches it — always within `Complaint.objects.visible_to(user)`.

A hit's subtitle is the status, the responsible unit and the masked complainant name, nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import SearchHit
from xiaobao.complaints.filtersets import text_search
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import newest_search_window
from xiaobao.core.models import Consumer
from xiaobao.core.search import classify

KIND = _("Complaints")


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    q = classify(query)
    base = Complaint.objects.visible_to(user)
    if q.kind == "reference":
        rows = _rows(base.filter(reference=q.text), limit) or _rows(
            base.filter(reference__startswith=q.text), limit
        )
    elif q.personal:
        cond = Q()
        for kind, digest in q.digests:
            cond |= Q(**{f"{kind}_bidx": digest})
        rows = _rows(_of_consumers(base, Consumer.objects.filter(cond)), limit) if cond else []
    elif q.kind == "text":
        rows = []
        if q.could_be_name:  # names are stored in clear (masked on screens): exact match only
            rows = _rows(_of_consumers(base, Consumer.objects.filter(name=q.text)), limit)
        if len(rows) < limit:
            found = newest_search_window(base.filter(text_search(q.text)), {"q": q.text}, cap=limit)
            seen = {c.pk for c in rows}
            rows += [c for c in _rows(found, limit) if c.pk not in seen][: limit - len(rows)]
    else:
        return []
    return [_hit(c) for c in rows]


def _of_consumers(base: QuerySet[Complaint], consumers: QuerySet[Consumer]) -> QuerySet[Complaint]:
    """The complaints whose complainant or represented consumer is one of `consumers` (found first: the blind
    indexes are indexed columns, so this reads a few rows of each table)."""
    ids = consumers.values("pk")
    return base.filter(Q(complainant__in=ids) | Q(consumer__in=ids))


def _rows(qs: QuerySet[Complaint], limit: int) -> list[Complaint]:
    return list(
        qs.select_related("org_unit", "complainant", "business_type").order_by("-received_at", "-id")[:limit]
    )


def _hit(c: Complaint) -> SearchHit:
    parts = [str(c.get_status_display()), c.org_unit.name, c.complainant.masked_name]
    return SearchHit(
        kind=KIND,
        title=f"{c.reference} {c.business_type.name}",
        url=c.get_absolute_url(),
        subtitle=" · ".join(p for p in parts if p),
    )
