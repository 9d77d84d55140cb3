"""Template tags of review's panels on other apps' pages (declared in `Module.panels`): the reviews linked to
a complaint, the complaints linked to a review — each only what the viewer may see."""

from __future__ import annotations

from typing import Any

from django import template

from xiaobao.core.clock import localdate as recorded_date
from xiaobao.review import complaint_link, proposals
from xiaobao.review.approvals import effective_state, format_code
from xiaobao.review.choices import ApprovalState

register = template.Library()
STATE_NAMES = dict(ApprovalState.choices)


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def complaint_review_block(context: Any, complaint: Any) -> dict[str, Any] | None:
    """The complaint page's review panel: linked reviews with their approvals' states, whether the viewer
    may link one and propose a checker rule. None: nothing to show this viewer."""
    user = _user(context)
    if user is None or complaint is None or not user.is_authenticated:
        return None
    reviews = complaint_link.linked_reviews(user=user, complaint=complaint)
    can_link = complaint_link.can_link(user)
    can_propose = proposals.can_propose(user) and proposals.cause_matches(complaint)
    if not reviews and not can_link and not can_propose:
        return None
    today = recorded_date()
    links = {link.review_id: link.pk for link in complaint.review_links.all()}
    rows = []
    for review in reviews:
        approvals = []
        for a in review.approvals.all():
            state = effective_state(a, today)
            approvals.append(
                {
                    "a": a,
                    "state": state,
                    "state_name": STATE_NAMES.get(state, state),
                    "code": format_code(a.code),
                }
            )
        rows.append({"review": review, "approvals": approvals, "link_id": links.get(review.pk)})
    return {"rows": rows, "can_link": can_link, "can_propose": can_propose}


@register.simple_tag(takes_context=True)
def review_complaints(context: Any, review: Any) -> list[Any]:
    """The complaints linked to the review that the viewer may see."""
    user = _user(context)
    if user is None or review is None or not user.is_authenticated:
        return []
    return complaint_link.linked_complaints(user=user, review=review)
