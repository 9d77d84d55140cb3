"""Inspection models: checklists (versioned), rating bands, cadence, plans, inspections and what hangs off."""

from xiaobao.inspections.models.checklists import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    RatingBand,
)
from xiaobao.inspections.models.inspections import (
    Answer,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPhoto,
)
from xiaobao.inspections.models.plans import InspectionPlan, PlanCadence

__all__ = [
    "Answer",
    "ChecklistItem",
    "ChecklistSection",
    "ChecklistTemplate",
    "Finding",
    "Inspection",
    "InspectionEvent",
    "InspectionPhoto",
    "InspectionPlan",
    "PlanCadence",
    "RatingBand",
]
