"""The action-item workflow as one declared table (pure, no database).

open → in_progress (start) → submitted (submit: what was done, with evidence for a meeting's item) → closed
(close, by somebody who is not the owner) or back to in_progress (reject, with a reason); the owner may submit
straight from open. The owner may ask for a later due date (`extend`, while working on it); somebody who is
not the owner and did not ask decides it (`approve_extension` moves the due date, `reject_extension`).
Whoever keeps the registers cancels with a reason. Who takes each step beyond its
permission (owner / not the owner) is checked in the handlers (`services.py`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, ConfigDict, Field

from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.governance.choices import Status as S

OPEN = [S.OPEN, S.IN_PROGRESS, S.SUBMITTED]
WORKING = [S.OPEN, S.IN_PROGRESS]
ENDED = [S.CLOSED, S.CANCELLED]

VIEW = "governance.view_governance"
MANAGE = "governance.manage_governance"
WORK = "governance.work_actionitem"
VERIFY = "governance.verify_actionitem"

OWNER_ACTIONS = frozenset({"start", "submit", "extend"})
NOT_OWNER_ACTIONS = frozenset({"close", "reject", "approve_extension", "reject_extension"})


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class StartIn(_In):
    note: str = Field("", max_length=2000)


class SubmitIn(_In):
    result: str = Field(..., min_length=1, max_length=5000)


class CloseIn(_In):
    note: str = Field("", max_length=2000)


class RejectIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


class ExtendIn(_In):
    to_date: dt.date
    reason: str = Field(..., min_length=1, max_length=2000)


class DecideIn(_In):
    note: str = Field("", max_length=2000)


class CancelIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


WORKFLOW = Workflow(
    "governance",
    actions=[
        Action(
            "start",
            pgettext_lazy("action item", "Start work"),
            WORK,
            transitions([S.OPEN], S.IN_PROGRESS),
            schema=StartIn,
        ),
        Action(
            "submit",
            pgettext_lazy("action item", "Submit for verification"),
            WORK,
            transitions(WORKING, S.SUBMITTED),
            schema=SubmitIn,
        ),
        Action(
            "close",
            pgettext_lazy("action item", "Verify and close"),
            VERIFY,
            transitions([S.SUBMITTED], S.CLOSED),
            schema=CloseIn,
        ),
        Action(
            "reject",
            pgettext_lazy("action item", "Send back"),
            VERIFY,
            transitions([S.SUBMITTED], S.IN_PROGRESS),
            schema=RejectIn,
        ),
        Action("extend", _("Ask for an extension"), WORK, transitions(WORKING, None), schema=ExtendIn),
        Action(
            "approve_extension", _("Approve the extension"), VERIFY, transitions(OPEN, None), schema=DecideIn
        ),
        Action(
            "reject_extension", _("Reject the extension"), VERIFY, transitions(OPEN, None), schema=DecideIn
        ),
        Action(
            "cancel",
            pgettext_lazy("action item", "Cancel"),
            MANAGE,
            transitions(OPEN, S.CANCELLED),
            schema=CancelIn,
        ),
    ],
    groups={"open": OPEN, "working": WORKING, "ended": ENDED},
)

ACTIONS = WORKFLOW.table
