"""The one transition service every work item goes through.

`Transitions(...)` is declared once per kind of work item (its model, event model, workflow table, action
handlers, reach rule and clock recomputation); `run()` then does, for every action of every module:
lock the row, check the expected version, check the table and the permission, validate the declared input
schema, run the action's handler, write the event row, set the status and bump the version, recompute the
clocks, write the audit row — all in one transaction. Notifications go out in `transaction.on_commit`
from the handlers (`xiaobao.casework.notifications.notify_on_commit`).

Two people acting at once: the second waits for the lock, then finds the version changed → Conflict (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from xiaobao.casework.events import announce
from xiaobao.casework.workflow import Workflow
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.clock import recording_at
from xiaobao.core.errors import Conflict
from xiaobao.core.services.audit import audit_change, snapshot

# A handler applies one action to the locked item (setting fields, writing rows) and returns the data the
# event row keeps and the day the step took effect (None: today).
Handler = Callable[[Any, Any, dict[str, Any]], tuple[dict[str, Any], dt.date | None]]


def lock(qs: Any) -> Any:
    """FOR UPDATE on the item rows only (PostgreSQL refuses to lock the nullable side of outer joins)."""
    if connection.features.has_select_for_update_of:
        return qs.select_for_update(of=("self",))
    return qs.select_for_update()


def _field_message(err: Any) -> str:
    """One pydantic error as a field message in the user's language."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "value_error" and "error" in ctx:  # a validator's own message (already translated)
        return str(ctx["error"])
    if kind == "string_too_long" and "max_length" in ctx:
        return _("At most %(n)d characters.") % {"n": ctx["max_length"]}
    return _("This value is not valid.")


def validate_input(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The action's input checked against its declared pydantic schema; errors become field messages
    (one per field: a union type reports each of its alternatives, the first is enough)."""
    if schema is None:
        return data
    from pydantic import ValidationError as PydanticError

    try:
        parsed = schema.model_validate(data)
    except PydanticError as exc:
        fields: dict[str, list[str]] = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else "__all__"
            message = _field_message(err)
            if message not in fields.setdefault(name, []):
                fields[name].append(message)
        raise ValidationError({k: v[:1] for k, v in fields.items()}) from None
    return {**data, **parsed.model_dump(exclude_unset=False)}


@dataclass
class Transitions:
    """The transition service of one kind of work item."""

    model: Any
    event_model: Any
    workflow: Workflow
    recompute: Callable[[Any], Any]  # recompute and store the item's clocks (inside the transaction)
    reach: Callable[[Any, Any, str], bool]  # the actor may act on this item at all (its own work)
    noun: str = ""  # how messages name the item ("this rectification item"); translated by the caller
    lock_related: Sequence[str] = ()
    item_field: str = "item"  # the event model's foreign key to the item
    # Message overrides (lazy strings): "unreachable", "conflict", "invalid_state" (with %(s)s = status).
    messages: dict[str, Any] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def _msg(self, key: str, default: str) -> str:
        return str(self.messages[key]) if key in self.messages else default

    def handles(self, action: str) -> Callable[[Handler], Handler]:
        """Decorator registering the handler of `action` (an action of the table)."""
        if action not in self.workflow:
            raise KeyError(action)

        def register(fn: Handler) -> Handler:
            self.handlers[action] = fn
            return fn

        return register

    def can_act(self, user: Any, item: Any, action: str) -> bool:
        """Permission, reach and table check only (no data validation): used to show buttons."""
        wf = self.workflow
        return (
            wf.is_allowed(item.status, action)
            and wf[action].permitted(user)
            and self.reach(user, item, action)
        )

    def allowed_actions(self, user: Any, item: Any) -> list[Any]:
        return [
            a
            for a in self.workflow.actions_from(item.status)
            if a.permitted(user) and self.reach(user, item, a.code)
        ]

    def locked(self, pk: int) -> Any:
        return lock(self.model.objects.select_related(*self.lock_related)).get(pk=pk)

    def run(
        self,
        *,
        actor: Any,
        item: Any,
        action: str,
        data: dict[str, Any] | None = None,
        expected_version: int | None = None,
        at: dt.datetime | None = None,
    ) -> Any:
        """Apply `action` to `item` for `actor` (see the module docstring). `at`: record an action taken
        earlier at that time (`xiaobao.core.clock.recording_at`)."""
        if at is not None:
            with recording_at(at):
                return self.run(
                    actor=actor, item=item, action=action, data=data, expected_version=expected_version
                )
        if action not in self.workflow:
            raise ValidationError({"action": [_("Unknown action.")]})
        if not self.workflow[action].permitted(actor):
            raise PermissionDenied(_("You may not do this."))
        data = dict(data or {})
        with transaction.atomic():
            obj = self.locked(item.pk)
            if not self.reach(actor, obj, action):
                raise PermissionDenied(
                    self._msg("unreachable", _("Your unit is not responsible for this item."))
                )
            if expected_version is not None and obj.version != expected_version:
                raise Conflict(
                    self._msg(
                        "conflict", _("Someone else changed this item in the meantime. Reload and try again.")
                    ),
                    code="conflict",
                )
            if not self.workflow.is_allowed(obj.status, action):
                raise Conflict(
                    self._msg("invalid_state", _("This action is not possible while the item is “%(s)s”."))
                    % {"s": obj.get_status_display()},
                    code="invalid_state",
                )
            data = validate_input(self.workflow[action].schema, data)
            before = snapshot(obj)
            old_status = obj.status
            event_data, effective = self.handlers[action](actor, obj, data)
            obj.status = self.workflow.next_status(old_status, action)
            obj.version += 1
            obj.save()
            event = self.event_model.objects.create(
                **{self.item_field: obj},
                at=recorded_now(),
                effective_date=effective or recorded_date(),
                actor=actor,
                action=action,
                from_status=old_status,
                to_status=obj.status,
                note=str(data.get("note") or "")[:2000],
                data=event_data,
            )
            self.recompute(obj)
            audit_change(actor=actor, obj=obj, before=before, action="update")
            announce(item=obj, action=action, event=event, actor=actor)
        return obj
