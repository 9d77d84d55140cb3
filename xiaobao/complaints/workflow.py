"""The complaint workflow as one declared table: (status, action) → next status, and who may act.

Pure: no database. Templates and the API read it to show the allowed actions; the transition service
(`services.complaint_transition`) enforces it. `None` as next status means "stays where it is".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.choices import Status as S

OPEN = [S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.DRAFTED, S.PENDING_APPROVAL]
WORKING = [S.IN_PROGRESS, S.PAUSED]


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise
    permission: str
    transitions: dict[str, str | None]
    needs_input: bool = True  # the action asks for data (shown as a form) rather than a plain button
    or_permission: str = ""  # a second permission that also allows the action

    def permitted(self, user: Any) -> bool:
        """The user holds the action's permission (or its alternative)."""
        return bool(
            user.has_perm(self.permission) or (self.or_permission and user.has_perm(self.or_permission))
        )


def _t(sources: Sequence[str], target: str | None) -> dict[str, str | None]:
    return {str(s): (str(target) if target is not None else None) for s in sources}


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        Action(
            "assign",
            _("Assign"),
            "complaints.assign_complaint",
            _t([S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS], S.ASSIGNED),
        ),
        Action(
            "accept",
            _("Accept"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED], S.IN_PROGRESS),
            False,
        ),
        Action(
            "transfer",
            _("Transfer to another unit"),
            "complaints.assign_complaint",
            _t([S.ASSIGNED, S.IN_PROGRESS], S.ASSIGNED),
        ),
        Action(
            "contact",
            _("Record contact with the complainant"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.DRAFTED], None),
        ),
        Action("assist", _("Ask another unit to assist"), "complaints.handle_complaint", _t(WORKING, None)),
        Action(  # the asked unit's business responders, or its complaint handlers (both are told)
            "answer_assist",
            _("Answer an assistance request"),
            "complaints.respond_complaint",
            _t(OPEN, None),
            or_permission="complaints.handle_complaint",
        ),
        Action("pause", _("Pause the clock"), "complaints.handle_complaint", _t([S.IN_PROGRESS], S.PAUSED)),
        Action("resume", _("Resume the clock"), "complaints.handle_complaint", _t([S.PAUSED], S.IN_PROGRESS)),
        Action("extend", _("Extend the deadline"), "complaints.handle_complaint", _t(WORKING, None)),
        Action(
            "approve_extension", _("Approve extension"), "complaints.approve_complaint", _t(WORKING, None)
        ),
        Action("reject_extension", _("Reject extension"), "complaints.approve_complaint", _t(WORKING, None)),
        Action(
            "draft",
            _("Draft the decision"),
            "complaints.handle_complaint",
            _t([S.IN_PROGRESS, S.DRAFTED], S.DRAFTED),
        ),
        Action(
            "submit",
            _("Submit the decision for approval"),
            "complaints.handle_complaint",
            _t([S.DRAFTED], S.PENDING_APPROVAL),
            False,
        ),
        Action(
            "approve",
            _("Approve the decision"),
            "complaints.approve_complaint",
            _t([S.PENDING_APPROVAL], S.DRAFTED),
            False,
        ),
        Action(
            "return",
            _("Return for rework"),
            "complaints.approve_complaint",
            _t([S.PENDING_APPROVAL, S.DRAFTED], S.IN_PROGRESS),
        ),
        Action("notify", _("Decide and notify"), "complaints.handle_complaint", _t([S.DRAFTED], S.DECIDED)),
        Action(
            "follow_up",
            _("Record the follow-up"),
            "complaints.handle_complaint",
            _t([S.DECIDED], S.FOLLOWED_UP),
        ),
        Action("close", _("Close"), "complaints.handle_complaint", _t([S.DECIDED, S.FOLLOWED_UP], S.CLOSED)),
        Action("archive", _("Archive"), "complaints.handle_complaint", _t([S.CLOSED], S.ARCHIVED), False),
        Action("reopen", _("Reopen"), "complaints.assign_complaint", _t([S.CLOSED], S.IN_PROGRESS)),
        Action(
            "withdraw",
            _("Withdrawn by the complainant"),
            "complaints.handle_complaint",
            _t([*OPEN], S.WITHDRAWN),
        ),
        Action("merge", _("Merge into the open case"), "complaints.handle_complaint", _t([*OPEN], S.MERGED)),
        Action(
            "decline",
            _("Do not accept"),
            "complaints.handle_complaint",
            _t([S.REGISTERED, S.ASSIGNED], S.DECLINED),
        ),
        Action(
            "request_review",
            _("Record a review request"),
            "complaints.handle_complaint",
            _t([S.DECIDED, S.FOLLOWED_UP, S.CLOSED], S.UNDER_REVIEW),
        ),
        Action(
            "decide_review",
            _("Decide the review"),
            "complaints.approve_complaint",
            _t([S.UNDER_REVIEW], S.CLOSED),
        ),
        Action(
            "approve_redress",
            _("Approve the redress"),
            "complaints.approve_complaint",
            _t([S.IN_PROGRESS, S.PAUSED, S.DRAFTED, S.PENDING_APPROVAL, S.DECIDED, S.FOLLOWED_UP], None),
        ),
        Action(
            "mark_major",
            _("Mark as major complaint"),
            "complaints.handle_complaint",
            _t([*OPEN, S.UNDER_REVIEW], None),
        ),
    ]
}


def next_status(status: str, action: str) -> str | None:
    """The status after `action` from `status`; raises KeyError when the table does not allow it.

    Returns `status` itself for actions that do not move the complaint.
    """
    target = ACTIONS[action].transitions[status]
    return status if target is None else target


def is_allowed(status: str, action: str) -> bool:
    return action in ACTIONS and status in ACTIONS[action].transitions


def actions_from(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.transitions]
