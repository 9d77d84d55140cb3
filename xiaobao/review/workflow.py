"""The review workflow as one declared table (pure, no database).

draft -submit-> submitted -claim (a reviewer takes it) / assign (head office names one)-> in_review
-issue_opinions-> answering (the clock pauses) -answer (every opinion answered)-> in_review … ;
the reviewer concludes: pass | pass_with_changes | reject. Opinion steps on the item: the reviewer accepts
a reason (accept_reason), closes an adopted opinion after checking the new version (close_opinion) or
escalates a must-change opinion not adopted to the department head (escalate → status escalated), who
waives or upholds it (decide_escalation → in_review). The submitter withdraws before a conclusion. The
reviewer asks for more time (extend), somebody else decides it. After a pass the submitter records the
launch day.

Who takes each step beyond its permission (the submitter; the reviewer who is not the submitter — recusal; a
department head who is neither) is checked in the handlers (`services.py`), with a message that says why.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel, ConfigDict, Field

from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.review.choices import Status as S

VIEW = "review.view_review"
SUBMIT = "review.submit_review"
CONDUCT = "review.conduct_review"
DECIDE = "review.decide_review"
MANAGE_APPROVAL = "review.manage_approval"

LIVE = [S.SUBMITTED, S.IN_REVIEW, S.ANSWERING, S.ESCALATED]  # submitted, not concluded: the clock runs
OPEN = [S.DRAFT, *LIVE]
CONCLUDED = [S.PASSED, S.PASSED_WITH_CHANGES, S.REJECTED]
PASSED = [S.PASSED, S.PASSED_WITH_CHANGES]
ENDED = [*CONCLUDED, S.WITHDRAWN]

# Who takes the step (beyond the permission): the submitter; the assigned reviewer (never the submitter);
# a department head who is neither the submitter nor the reviewer; anyone allowed.
SUBMITTER_ACTIONS = frozenset({"submit", "answer", "withdraw", "record_launch"})
REVIEWER_ACTIONS = frozenset(
    {
        "issue_opinions",
        "accept_reason",
        "close_opinion",
        "escalate",
        "pass",
        "pass_with_changes",
        "reject",
        "extend",
    }
)
HEAD_ACTIONS = frozenset({"decide_escalation", "approve_extension", "reject_extension"})
CONCLUSIONS = ("pass", "pass_with_changes", "reject")


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class NoteIn(_In):
    note: str = Field("", max_length=2000)


class ReasonIn(_In):
    reason: str = Field(..., min_length=1, max_length=2000)


class AssignIn(_In):
    reviewer: str = Field(..., min_length=1, max_length=150)
    note: str = Field("", max_length=2000)


class AnswerRowIn(_In):
    opinion: int = Field(..., ge=1)
    response: Literal["adopted", "partly_adopted", "not_adopted"]
    note: str = Field("", max_length=2000)


class AnswerIn(_In):
    answers: list[AnswerRowIn] = Field(..., min_length=1, max_length=500)
    note: str = Field("", max_length=2000)


class OpinionStepIn(_In):
    opinion: int = Field(..., ge=1)
    note: str = Field("", max_length=2000)


class OpinionReasonIn(_In):
    opinion: int = Field(..., ge=1)
    note: str = Field(..., min_length=1, max_length=2000)


class DecisionRowIn(_In):
    opinion: int = Field(..., ge=1)
    decision: Literal["waive", "uphold"]


class DecideEscalationIn(_In):
    decisions: list[DecisionRowIn] = Field(..., min_length=1, max_length=500)
    note: str = Field(..., min_length=1, max_length=2000)


class PassIn(_In):
    note: str = Field("", max_length=2000)
    valid_until: dt.date | None = None


class ExtendIn(_In):
    to_days: int = Field(..., ge=1, le=3650)
    reason: str = Field(..., min_length=1, max_length=2000)


class LaunchIn(_In):
    launched_on: dt.date
    note: str = Field("", max_length=2000)


WORKFLOW = Workflow(
    "review",
    actions=[
        Action(
            "submit",
            pgettext_lazy("review", "Submit for review"),
            SUBMIT,
            transitions([S.DRAFT], S.SUBMITTED),
            schema=NoteIn,
        ),
        Action(
            "claim", _("Take this review"), CONDUCT, transitions([S.SUBMITTED], S.IN_REVIEW), schema=NoteIn
        ),
        Action(
            "assign",
            _("Assign a reviewer"),
            DECIDE,
            {
                **transitions([S.SUBMITTED], S.IN_REVIEW),
                **transitions([S.IN_REVIEW, S.ANSWERING, S.ESCALATED], None),
            },
            schema=AssignIn,
        ),
        Action(
            "issue_opinions",
            _("Send the opinions to the submitter"),
            CONDUCT,
            transitions([S.IN_REVIEW], S.ANSWERING),
            schema=NoteIn,
        ),
        Action(
            "answer",
            _("Answer the opinions"),
            SUBMIT,
            transitions([S.ANSWERING], S.IN_REVIEW),
            schema=AnswerIn,
        ),
        Action(
            "accept_reason",
            _("Accept the reason"),
            CONDUCT,
            transitions([S.IN_REVIEW], None),
            schema=OpinionReasonIn,
        ),
        Action(
            "close_opinion",
            _("Close the opinion (change checked)"),
            CONDUCT,
            transitions([S.IN_REVIEW], None),
            schema=OpinionStepIn,
        ),
        Action(
            "escalate",
            _("Escalate to the department head"),
            CONDUCT,
            {**transitions([S.IN_REVIEW], S.ESCALATED), **transitions([S.ESCALATED], None)},
            schema=OpinionReasonIn,
        ),
        Action(
            "decide_escalation",
            _("Decide the escalation"),
            DECIDE,
            transitions([S.ESCALATED], S.IN_REVIEW),
            schema=DecideEscalationIn,
        ),
        Action(
            "pass",
            pgettext_lazy("review conclusion", "Pass"),
            CONDUCT,
            transitions([S.IN_REVIEW], S.PASSED),
            schema=PassIn,
        ),
        Action(
            "pass_with_changes",
            _("Pass after changes"),
            CONDUCT,
            transitions([S.IN_REVIEW], S.PASSED_WITH_CHANGES),
            schema=PassIn,
        ),
        Action(
            "reject",
            pgettext_lazy("review conclusion", "Reject"),
            CONDUCT,
            transitions([S.IN_REVIEW, S.ANSWERING], S.REJECTED),
            schema=ReasonIn,
        ),
        Action(
            "withdraw",
            pgettext_lazy("review", "Withdraw"),
            SUBMIT,
            transitions(OPEN, S.WITHDRAWN),
            schema=ReasonIn,
        ),
        Action("extend", _("Ask for an extension"), CONDUCT, transitions(LIVE, None), schema=ExtendIn),
        Action(
            "approve_extension", _("Approve the extension"), DECIDE, transitions(LIVE, None), schema=NoteIn
        ),
        Action("reject_extension", _("Reject the extension"), DECIDE, transitions(LIVE, None), schema=NoteIn),
        Action("record_launch", _("Record the launch"), SUBMIT, transitions(PASSED, None), schema=LaunchIn),
    ],
    groups={"open": OPEN, "live": LIVE, "concluded": CONCLUDED, "passed": PASSED, "ended": ENDED},
)

ACTIONS = WORKFLOW.table
# Steps shown on the opinions table (per opinion) rather than as the page's step buttons.
OPINION_ACTIONS = frozenset({"accept_reason", "close_opinion", "escalate"})
