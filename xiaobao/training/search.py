"""The staff register in the header's global search (`Module.search`): a member of staff by employee number or
full name (exact), within `StaffMember.objects.visible_to(user)` (`training.view_staff`). Subtitle: employee
number, unit and position layer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import SearchHit
from xiaobao.core.search import classify
from xiaobao.training.models import StaffMember

KIND = _("Staff register")


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    q = classify(query)
    if q.kind == "empty":
        return []
    rows = (
        StaffMember.objects.visible_to(user)
        .filter(Q(employee_no=q.text) | Q(name=q.text))
        .select_related("org_unit", "layer")
        .order_by("-active", "org_unit__path", "employee_no")[:limit]
    )
    return [
        SearchHit(
            kind=KIND,
            title=s.name,
            url=reverse("training:staff_record", args=[s.pk]),
            subtitle=" · ".join(p for p in (s.employee_no, s.org_unit.name, s.layer.name) if p),
        )
        for s in rows
    ]
