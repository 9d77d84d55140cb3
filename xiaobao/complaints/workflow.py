"""The complaint workflow as one declared table (`xiaobao.casework.workflow.Workflow`): its status groups,
and for each action the permission, the transitions (status → next status, `None`: stays) and the input
schema.

Pure: no database. Templates and the API read it to show the allowed actions and document their inputs;
the transition service (`services.complaint_transition`, one `casework.transitions.Transitions`) enforces
it. The module-level names (`ACTIONS`, `OPEN`, `WORKING`, `next_status`, `is_allowed`, `actions_from`)
are thin aliases of `WORKFLOW` kept for their callers.

Input schemas check the shape of an action's data (a text is a string, a date a date or an ISO string, a
score a number, …) and the choices that need nothing but the data; what needs the database or the
complaint (a unit or a user that exists, an extension step of the rule, a date not before the receipt, a
required text that is blank) stays with the action's handler in `services.py`, in the order the handler
checks it. A field the handler requires is marked "required" in its description, not in the schema: the
handler may refuse the action for another reason first (409, 403) and says so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.complaints.choices import Liability, PauseReason
from xiaobao.complaints.choices import Status as S

__all__ = [
    "ACTIONS",
    "GROUPS",
    "OPEN",
    "WORKFLOW",
    "WORKING",
    "Action",
    "actions_from",
    "group",
    "is_allowed",
    "next_status",
]

# --- status groups, declared once --------------------------------------------------------------------

_UNDECIDED = [S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.DRAFTED, S.PENDING_APPROVAL]
GROUPS: dict[str, list[S]] = {
    # no decision notified yet: the complainant may still withdraw, a repeat may still be merged into it
    "undecided": _UNDECIDED,
    # open work: lists, queues, statistics and the "open" index (a review keeps a complaint open)
    "open": [*_UNDECIDED, S.UNDER_REVIEW],
    # the handler works on it: assistance, extensions
    "working": [S.IN_PROGRESS, S.PAUSED],
    # a decision was notified (repeat/secondary complaint statistics)
    "decided": [S.DECIDED, S.FOLLOWED_UP, S.CLOSED, S.ARCHIVED, S.UNDER_REVIEW],
    # nothing more happens unless it is reopened or reviewed (retention, the sweeper)
    "ended": [S.CLOSED, S.ARCHIVED, S.DECLINED, S.WITHDRAWN, S.MERGED],
    # ended without a decision: the clocks stop unmet
    "stopped": [S.WITHDRAWN, S.DECLINED, S.MERGED],
}

# --- input schemas ----------------------------------------------------------------------------------------
# Value types accept what the forms give (dates, decimals, booleans) and what JSON gives (strings, numbers).

Text = str | None
Day = dt.date | str | None  # a date or an ISO date string ("2026-03-02"); the handler checks its range
Moment = dt.datetime | str | None  # a date and time or an ISO string; the handler checks it
Number = int | str | None
Money = Decimal | int | float | str | None
Flag = bool | None


def _required(text: str) -> Any:
    return Field(None, description=f"{text} (required)")


def _optional(text: str) -> Any:
    return Field(None, description=text)


class ActionIn(BaseModel):
    """The input of an action without data of its own: an optional note kept on the event."""

    model_config = ConfigDict(extra="ignore")

    note: Text = _optional("A note kept on the event")


class AssignIn(ActionIn):
    unit: Text = _optional("Code of the responsible unit (default: the complaint's unit)")
    handler: Text = _optional("Username of the handler (none: the unit accepts it)")


class TransferIn(ActionIn):
    unit: Text = _required("Code of the unit to transfer to")
    reason: Text = _required("Why it is transferred")


class ContactIn(ActionIn):
    date: Day = _optional("Day of the contact (default: today)")
    method: Text = _optional("letter, sms, email, phone (default) or in_person")
    summary: Text = _optional("What was said")


class AssistIn(ActionIn):
    unit: Text = _required("Code of the unit asked to assist")
    question: Text = _required("What the unit is asked")


class AnswerAssistIn(ActionIn):
    assistance: Number = _required("Number of the open assistance request")
    answer: Text = _required("The answer")


class PauseIn(ActionIn):
    reason: Text = _required("appraisal or mediation (Art 21)")
    date: Day = _optional("Paused from (default: today)")
    detail: Text = _optional("Detail")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        if (value or "") not in PauseReason.values:
            raise ValueError(gettext("Choose appraisal or mediation."))
        return value


class ResumeIn(ActionIn):
    date: Day = _optional("Resumed on (default: today)")


class ExtendIn(ActionIn):
    to_days: Number = _required("Total days after the extension: a step of the decision rule")
    reason: Text = _required("Why more time is needed")
    complainant_told_at: Moment = _optional("When the complainant was told")


class DraftIn(ActionIn):
    verification: Text = _required("How the facts were verified")
    basis: Text = _required("Basis and reasons")
    result: Text = _required("The decision")
    remedies: Text = _optional("Remedies available (default: the standard wording)")


class ReasonIn(ActionIn):
    reason: Text = _required("Reason")


class NotifyIn(ActionIn):
    method: Text = _required("letter, sms, email, phone or in_person")
    at: Moment = _optional("When the notice went out (default: now)")
    proof: Text = _required("Proof of notification")


class FollowUpIn(ActionIn):
    satisfaction: Number = _required("Satisfaction score 1–5 (1–2 alert the branch officer)")
    comment: Text = _optional("Comment")

    @field_validator("satisfaction")
    @classmethod
    def _score(cls, value: int | str | None) -> int | str | None:
        try:
            score = int(value or 0)
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            raise ValueError(gettext("Choose a satisfaction score from 1 to 5."))
        return value


class CloseIn(ActionIn):
    liability: Text = _required("invalid, valid or at_fault")
    root_cause: Text = _optional("Root cause (required when at fault)")
    redress_amount: Money = _optional("Redress amount in yuan")
    redress_paid_at: Day = _optional("Day the redress was paid")
    case_library: Flag = _optional("Add to the case library")

    @field_validator("liability")
    @classmethod
    def _liability(cls, value: str | None) -> str | None:
        if (value or "") not in {v for v in Liability.values if v}:
            raise ValueError(gettext("Determine the liability before closing."))
        return value


class DateIn(ActionIn):
    date: Day = _optional("Day it happened (default: today)")


class MergeIn(ActionIn):
    into: Text = _required("Reference of the open complaint to merge into")
    new_facts: Flag = _optional("The repeat brings new facts (restarts the clock)")


class DeclineIn(ActionIn):
    reason: Text = _required("Reason for not accepting")
    notice: Text = _required("Notice to the complainant")


class ReviewResultIn(ActionIn):
    result: Text = _required("The review result")


class RedressIn(ActionIn):
    amount: Money = _required("Redress amount to approve, in yuan")

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        if value in (None, ""):
            raise ValueError(gettext("Enter the redress amount to approve."))
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(gettext("Enter a number.")) from None
        if amount.is_nan():
            raise ValueError(gettext("Enter a number."))
        if amount < 0 or amount >= Decimal("1e14"):
            raise ValueError(gettext("Enter an amount between 0 and 99,999,999,999,999."))
        if amount.quantize(Decimal("0.01")) <= 0:
            raise ValueError(gettext("Enter the redress amount to approve."))
        return value


class MarkMajorIn(ActionIn):
    reason: Text = _required("Why the complaint is major (at most 200 characters)")


# --- the table ------------------------------------------------------------------------------------------

_t = transitions
UNDECIDED, WORKING = GROUPS["undecided"], GROUPS["working"]

WORKFLOW = Workflow(
    "complaints",
    groups=GROUPS,
    actions=[
        Action(
            "assign",
            _("Assign"),
            "complaints.assign_complaint",
            _t([S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS], S.ASSIGNED),
            schema=AssignIn,
        ),
        Action(
            "accept",
            _("Accept"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED], S.IN_PROGRESS),
            False,
            schema=ActionIn,
        ),
        Action(
            "transfer",
            _("Transfer to another unit"),
            "complaints.assign_complaint",
            _t([S.ASSIGNED, S.IN_PROGRESS], S.ASSIGNED),
            schema=TransferIn,
        ),
        Action(
            "contact",
            _("Record contact with the complainant"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.DRAFTED], None),
            schema=ContactIn,
        ),
        Action(
            "assist",
            _("Ask another unit to assist"),
            "complaints.handle_complaint",
            _t(WORKING, None),
            schema=AssistIn,
        ),
        Action(  # the asked unit's business responders, or its complaint handlers (both are told)
            "answer_assist",
            _("Answer an assistance request"),
            "complaints.respond_complaint",
            _t(UNDECIDED, None),
            or_permission="complaints.handle_complaint",
            schema=AnswerAssistIn,
        ),
        Action(
            "pause",
            _("Pause the clock"),
            "complaints.handle_complaint",
            _t([S.IN_PROGRESS], S.PAUSED),
            schema=PauseIn,
        ),
        Action(
            "resume",
            _("Resume the clock"),
            "complaints.handle_complaint",
            _t([S.PAUSED], S.IN_PROGRESS),
            schema=ResumeIn,
        ),
        Action(
            "extend",
            _("Extend the deadline"),
            "complaints.handle_complaint",
            _t(WORKING, None),
            schema=ExtendIn,
        ),
        Action(
            "approve_extension",
            _("Approve extension"),
            "complaints.approve_complaint",
            _t(WORKING, None),
            schema=ActionIn,
        ),
        Action(
            "reject_extension",
            _("Reject extension"),
            "complaints.approve_complaint",
            _t(WORKING, None),
            schema=ActionIn,
        ),
        Action(
            "draft",
            _("Draft the decision"),
            "complaints.handle_complaint",
            _t([S.IN_PROGRESS, S.DRAFTED], S.DRAFTED),
            schema=DraftIn,
        ),
        Action(
            "submit",
            _("Submit the decision for approval"),
            "complaints.handle_complaint",
            _t([S.DRAFTED], S.PENDING_APPROVAL),
            False,
            schema=ActionIn,
        ),
        Action(
            "approve",
            _("Approve the decision"),
            "complaints.approve_complaint",
            _t([S.PENDING_APPROVAL], S.DRAFTED),
            False,
            schema=ActionIn,
        ),
        Action(
            "return",
            _("Return for rework"),
            "complaints.approve_complaint",
            _t([S.PENDING_APPROVAL, S.DRAFTED], S.IN_PROGRESS),
            schema=ReasonIn,
        ),
        Action(
            "notify",
            _("Decide and notify"),
            "complaints.handle_complaint",
            _t([S.DRAFTED], S.DECIDED),
            schema=NotifyIn,
        ),
        Action(
            "follow_up",
            _("Record the follow-up"),
            "complaints.handle_complaint",
            _t([S.DECIDED], S.FOLLOWED_UP),
            schema=FollowUpIn,
        ),
        Action(
            "close",
            _("Close"),
            "complaints.handle_complaint",
            _t([S.DECIDED, S.FOLLOWED_UP], S.CLOSED),
            schema=CloseIn,
        ),
        Action(
            "archive",
            _("Archive"),
            "complaints.handle_complaint",
            _t([S.CLOSED], S.ARCHIVED),
            False,
            schema=ActionIn,
        ),
        Action(
            "reopen",
            _("Reopen"),
            "complaints.assign_complaint",
            _t([S.CLOSED], S.IN_PROGRESS),
            schema=ReasonIn,
        ),
        Action(
            "withdraw",
            _("Withdrawn by the complainant"),
            "complaints.handle_complaint",
            _t(UNDECIDED, S.WITHDRAWN),
            schema=DateIn,
        ),
        Action(
            "merge",
            _("Merge into the open case"),
            "complaints.handle_complaint",
            _t(UNDECIDED, S.MERGED),
            schema=MergeIn,
        ),
        Action(
            "decline",
            _("Do not accept"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED], S.DECLINED),
            schema=DeclineIn,
        ),
        Action(
            "request_review",
            _("Record a review request"),
            "complaints.handle_complaint",
            _t([S.DECIDED, S.FOLLOWED_UP, S.CLOSED], S.UNDER_REVIEW),
            schema=DateIn,
        ),
        Action(
            "decide_review",
            _("Decide the review"),
            "complaints.approve_complaint",
            _t([S.UNDER_REVIEW], S.CLOSED),
            schema=ReviewResultIn,
        ),
        Action(
            "approve_redress",
            _("Approve the redress"),
            "complaints.approve_complaint",
            _t([S.IN_PROGRESS, S.PAUSED, S.DRAFTED, S.PENDING_APPROVAL, S.DECIDED, S.FOLLOWED_UP], None),
            schema=RedressIn,
        ),
        Action(
            "mark_major",
            _("Mark as major complaint"),
            "complaints.handle_complaint",
            _t([*UNDECIDED, S.UNDER_REVIEW], None),
            schema=MarkMajorIn,
        ),
    ],
)

# --- thin aliases for the callers of the old module-level table -----------------------------------------

ACTIONS: dict[str, Action] = WORKFLOW.table
OPEN = UNDECIDED  # the old name of the "undecided" group (not `Status.open_statuses()`, which is "open")


def group(name: str) -> list[str]:
    """A declared status group (`open`, `undecided`, `working`, `decided`, `ended`, `stopped`)."""
    return WORKFLOW.group(name)


def next_status(status: str, action: str) -> str:
    """The status after `action` from `status`; raises KeyError when the table does not allow it.

    Returns `status` itself for actions that do not move the complaint.
    """
    return WORKFLOW.next_status(status, action)


def is_allowed(status: str, action: str) -> bool:
    return WORKFLOW.is_allowed(status, action)


def actions_from(status: str) -> list[Action]:
    return WORKFLOW.actions_from(status)
