"""Reads for the acting user: inspection lists and details, findings, checklists, the home panel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.inspections.choices import Status
from xiaobao.inspections.filtersets import apply_filters
from xiaobao.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionPhoto,
)

OPEN = (Status.PLANNED, Status.IN_PROGRESS)
HOME_TASKS = 8  # tasks listed on the home page; the count and the link lead to all of them


def inspection_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Inspection]:
    qs = Inspection.objects.visible_to(user).select_related("org_unit", "handler", "template", "plan")
    return apply_filters(qs, filters or {}, user).order_by("-created_at", "-id")


def home_panel(user: Any) -> dict[str, Any]:
    """The user's own open inspection tasks (planned or in progress), soonest due first: the first
    `HOME_TASKS` of them and how many there are in all (a published quarter's tasks count from the day
    they are published, however far their due date)."""
    if not user.has_perm("inspections.conduct_inspection"):
        return {}
    qs = Inspection.objects.visible_to(user).filter(handler_id=user.pk, status__in=OPEN)
    tasks = list(
        qs.select_related("org_unit", "template").order_by(F("due_date").asc(nulls_last=True), "id")[
            :HOME_TASKS
        ]
    )
    if not tasks:
        return {}
    total = len(tasks) if len(tasks) < HOME_TASKS else qs.count()
    return {"todo": True, "tasks": tasks, "total": total, "more": total - len(tasks), "today": localdate()}


def inspection_detail(*, user: Any, pk: int) -> Inspection | None:
    return (
        Inspection.objects.visible_to(user)
        .select_related("org_unit", "handler", "template", "plan", "plan__inspecting_unit")
        .filter(pk=pk)
        .first()
    )


@dataclass
class ItemRow:
    """One item card of the fill page / detail: the item, its answer and photos."""

    item: ChecklistItem
    answer: Answer | None
    photos: list[InspectionPhoto]


@dataclass
class SectionRows:
    section: ChecklistSection
    rows: list[ItemRow]
    result: dict[str, Any] | None


def inspection_sheet(inspection: Inspection) -> list[SectionRows]:
    """Sections with their items, answers and photos, in checklist order (four queries)."""
    answers = {a.item_id: a for a in Answer.objects.filter(inspection=inspection)}
    photos: dict[int | None, list[InspectionPhoto]] = {}
    for p in InspectionPhoto.objects.filter(inspection=inspection).order_by("created_at", "id"):
        photos.setdefault(p.item_id, []).append(p)
    results = {s.get("code"): s for s in inspection.section_scores or []}
    return _sheet(inspection.template_id, answers, photos, results)


def checklist_sheet(template: ChecklistTemplate) -> list[SectionRows]:
    """A checklist version's sections and items (no answers)."""
    return _sheet(template.pk, {}, {}, {})


def _sheet(
    template_id: int,
    answers: dict[int, Answer],
    photos: dict[int | None, list[InspectionPhoto]],
    results: dict[Any, Any],
) -> list[SectionRows]:
    sections = list(ChecklistSection.objects.filter(template_id=template_id).order_by("order", "id"))
    items = list(ChecklistItem.objects.filter(template_id=template_id).order_by("order", "id"))
    out = []
    for s in sections:
        rows = [ItemRow(i, answers.get(i.pk), photos.get(i.pk, [])) for i in items if i.section_id == s.pk]
        out.append(SectionRows(s, rows, results.get(s.code)))
    return out


def loose_photos(inspection: Inspection) -> list[InspectionPhoto]:
    return list(
        InspectionPhoto.objects.filter(inspection=inspection, item__isnull=True).order_by("created_at")
    )


def finding_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Finding]:
    """Findings in the user's scope, newest first; filters: unit (subtree), severity, repeat, inspection."""
    f = filters or {}
    qs = Finding.objects.visible_to(user).select_related("org_unit", "inspection", "repeat_of__inspection")
    if f.get("unit"):
        unit = OrgUnit.objects.visible_to(user).filter(code=f["unit"]).first()
        qs = qs.filter(subtree_q(unit.path, "org_unit__path")) if unit else qs.none()
    if f.get("severity"):
        qs = qs.filter(severity=f["severity"])
    if f.get("repeat") is not None:
        qs = qs.filter(is_repeat=f["repeat"])
    if f.get("inspection"):
        qs = qs.filter(inspection_id=f["inspection"])
    return qs.order_by("-created_at", "-id")


def checklist_list(*, user: Any, include_old: bool = False) -> QuerySet[ChecklistTemplate]:
    """Checklists are shared by the whole institution: anyone who sees inspections reads them."""
    if not user.has_perm("inspections.view_inspection"):
        return ChecklistTemplate.objects.none()
    qs = ChecklistTemplate.objects.all()
    if not include_old:
        qs = qs.filter(is_current=True)
    return qs.annotate(item_count=Count("items", distinct=True)).order_by("code", "-version")


def checklist_detail(*, user: Any, pk: int) -> ChecklistTemplate | None:
    return checklist_list(user=user, include_old=True).filter(pk=pk).first()


def checklist_versions(template: ChecklistTemplate) -> QuerySet[ChecklistTemplate]:
    return (
        ChecklistTemplate.objects.filter(code=template.code)
        .annotate(used=Count("inspections"))
        .order_by("-version")
    )


COMPLAINT_WINDOW_DAYS = 90


def outlet_complaints(*, user: Any, unit: Any, days: int = COMPLAINT_WINDOW_DAYS) -> dict[str, Any]:
    """The outlet's complaints received in the last `days` days that the user may see (a read only)."""
    from xiaobao.complaints.models import Complaint

    since = localdate() - dt.timedelta(days=days)
    qs = Complaint.objects.visible_to(user).filter(
        subtree_q(unit.path, "org_unit__path"), receipt_date__gte=since
    )
    allowed = user.has_perm("complaints.view_complaint")
    return {"count": qs.count() if allowed else None, "days": days, "since": since, "unit": unit}
