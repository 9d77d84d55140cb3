"""Asking for a longer deadline, the same for every work item: the rule's extension steps say how far a clock
may go and whether someone must approve; one request may wait at a time.

`extension_request(item, clock=, to_days=, reason=, actor=)` checks the request against the item's `rule` and
its clock and creates the row in the item's extension model (related name `extensions`); who may ask and who
is told stay with the module."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaobao.casework.choices import ExtensionState
from xiaobao.core.errors import Conflict


def extension_request(item: Any, *, clock: str, to_days: int, reason: str, actor: Any) -> tuple[Any, bool]:
    """The new extension row and whether it waits for approval. A step the rule does not offer, or one no
    longer than the clock already has, is a field error naming the steps allowed; a second pending request
    is a conflict."""
    rule = item.rule
    current = item.clocks.filter(name=clock).first()
    step = rule.step_for(to_days)
    if step is None or (current is not None and to_days <= current.days):
        allowed = ", ".join(
            str(s["to_days"]) for s in rule.extensions if current is None or int(s["to_days"]) > current.days
        )
        raise ValidationError(
            {
                "to_days": [
                    _("Under %(rule)s the deadline can be extended to: %(allowed)s days.")
                    % {"rule": rule.name, "allowed": allowed or "—"}
                ]
            }
        )
    if item.extensions.filter(state=ExtensionState.PENDING).exists():
        raise Conflict(_("An extension is already awaiting approval."), code="pending_extension")
    needs_approval = bool(step.get("approval"))
    ext = item.extensions.model.objects.create(
        item=item,
        clock=clock,
        to_days=to_days,
        reason=reason,
        requested_by=actor,
        state=ExtensionState.PENDING if needs_approval else ExtensionState.APPROVED,
    )
    return ext, needs_approval
