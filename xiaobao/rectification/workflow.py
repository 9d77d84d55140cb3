"""The rectification workflow as one declared table (pure, no database).

open (owner assigned) → in_progress (start) → submitted (submit) → verified | back to in_progress (reject);
the owner may submit straight from open. The owner asks for an extension (`extend`); somebody who is not the
owner decides it (`approve_extension` / `reject_extension`), and verifies or rejects the work. The opener
cancels with a reason. Who may do each step beyond its permission (owner, not the owner, the opener) is
checked in the handlers (`services.py`), with a message that says why.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, ConfigDict, Field

from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.rectification.choices import Status as S

OPEN = [S.OPEN, S.IN_PROGRESS, S.SUBMITTED]
WORKING = [S.OPEN, S.IN_PROGRESS]
ENDED = [S.VERIFIED, S.CANCELLED]

VIEW = "rectification.view_rectification"
OPEN_PERM = "rectification.open_rectification"
WORK = "rectification.work_rectification"
VERIFY = "rectification.verify_rectification"

# Actions only the owner takes; actions the owner must not take (segregation of duties).
OWNER_ACTIONS = frozenset({"start", "submit", "extend"})
NOT_OWNER_ACTIONS = frozenset({"verify", "reject", "approve_extension", "reject_extension"})
OPENER_ACTIONS = frozenset({"cancel"})


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class StartIn(_In):
    plan: str = Field("", max_length=5000)
    note: str = Field("", max_length=2000)


class SubmitIn(_In):
    result: str = Field(..., min_length=1, max_length=5000)
    plan: str = Field("", max_length=5000)
    note: str = Field("", max_length=2000)


class VerifyIn(_In):
    note: str = Field("", max_length=2000)


class RejectIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


class ExtendIn(_In):
    to_days: int = Field(..., ge=1, le=3650)
    reason: str = Field(..., min_length=1, max_length=2000)


class DecideIn(_In):
    note: str = Field("", max_length=2000)


class CancelIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


WORKFLOW = Workflow(
    "rectification",
    actions=[
        Action("start", _("Start work"), WORK, transitions([S.OPEN], S.IN_PROGRESS), schema=StartIn),
        Action(
            "submit",
            _("Submit for verification"),
            WORK,
            transitions([S.OPEN, S.IN_PROGRESS], S.SUBMITTED),
            schema=SubmitIn,
        ),
        Action(
            "verify",
            pgettext_lazy("rectification", "Verify"),
            VERIFY,
            transitions([S.SUBMITTED], S.VERIFIED),
            schema=VerifyIn,
        ),
        Action(
            "reject", _("Reject (rework)"), VERIFY, transitions([S.SUBMITTED], S.IN_PROGRESS), schema=RejectIn
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
            pgettext_lazy("rectification", "Cancel"),
            OPEN_PERM,
            transitions(OPEN, S.CANCELLED),
            schema=CancelIn,
        ),
    ],
    groups={"open": OPEN, "working": WORKING, "ended": ENDED},
)

ACTIONS = WORKFLOW.table
