"""The education-activity workflow as one declared table (pure, no database).

An activity is reported straight into `submitted` (awaiting approval). Somebody with approve_activity whose
scope holds the activity's unit — and who did not report it — approves it (`approved`, frozen from then on)
or returns it with a reason (`returned`); the reporter, or anyone with report_activity in that unit, corrects
the fields and resubmits it (back to `submitted`). Only approved activities count in the figures.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, ConfigDict, Field

from xiaobao.casework.workflow import Action, Workflow, transitions

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"

VIEW = "education.view_education"
REPORT = "education.report_activity"
APPROVE = "education.approve_activity"

# The reporter must not approve or return their own activity (segregation of duties).
NOT_REPORTER_ACTIONS = frozenset({"approve", "return"})
# The activity's fields may be changed (PATCH, the edit page) only in these statuses.
EDITABLE = (SUBMITTED, RETURNED)


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ApproveIn(_In):
    note: str = Field("", max_length=2000)


class ReturnIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


WORKFLOW = Workflow(
    "education_activity",
    actions=[
        Action(
            "approve",
            pgettext_lazy("education activity", "Approve"),
            APPROVE,
            transitions([SUBMITTED], APPROVED),
            needs_input=False,
            schema=ApproveIn,
        ),
        Action(
            "return",
            _("Return for correction"),
            APPROVE,
            transitions([SUBMITTED], RETURNED),
            schema=ReturnIn,
        ),
        # the fields sent with a resubmission are checked by the service (the whole activity again)
        Action("resubmit", _("Resubmit"), REPORT, transitions([RETURNED], SUBMITTED), schema=None),
    ],
    groups={"open": [SUBMITTED, RETURNED], "ended": [APPROVED], "editable": list(EDITABLE)},
)

ACTIONS = WORKFLOW.table
