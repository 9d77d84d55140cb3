"""The inspection workflow as one declared table (pure; enforced by `services.TRANSITIONS`).

planned → in_progress (start, or the first answer) → submitted; a submitted inspection may be reopened by
someone who plans inspections (→ in_progress); a planned one may be cancelled.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, Field

from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.inspections.choices import Status

VIEW = "inspections.view_inspection"
PLAN = "inspections.plan_inspection"
CONDUCT = "inspections.conduct_inspection"
CHECKLISTS = "inspections.manage_checklist"


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


class ReasonIn(BaseModel):
    note: str = Field(..., min_length=1, max_length=2000)


WORKFLOW = Workflow(
    "inspections",
    actions=[
        Action("start", _("Start"), CONDUCT, transitions([Status.PLANNED], Status.IN_PROGRESS), False),
        Action(
            "submit",
            _("Submit"),
            CONDUCT,
            transitions([Status.IN_PROGRESS], Status.SUBMITTED),
            False,
            schema=NoteIn,
        ),
        Action("cancel", _("Cancel"), PLAN, transitions([Status.PLANNED], Status.CANCELLED), schema=ReasonIn),
        Action(
            "reopen",
            pgettext_lazy("inspection", "Reopen"),
            PLAN,
            transitions([Status.SUBMITTED], Status.IN_PROGRESS),
            schema=ReasonIn,
        ),
    ],
    groups={
        "open": [Status.PLANNED, Status.IN_PROGRESS],
        "fillable": [Status.PLANNED, Status.IN_PROGRESS],
        "ended": [Status.SUBMITTED, Status.CANCELLED],
    },
)
