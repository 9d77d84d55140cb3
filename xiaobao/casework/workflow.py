"""A work item's workflow as one declared table: (status, action) → next status, who may act, and what the
action takes as input.

Pure: no database. A module declares one `Workflow` in its `workflow.py` — its actions, each with its
permission, its transitions and its input schema (a pydantic model, or None for a plain button), and its
status groups (`open`, `working`, …) once. Templates and the API read it to show the allowed actions; the
transition service (`xiaobao.casework.transitions`) enforces it. `None` as next status means "stays".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise
    permission: str
    transitions: dict[str, str | None]
    needs_input: bool = True  # the action asks for data (shown as a form) rather than a plain button
    or_permission: str = ""  # a second permission that also allows the action
    schema: Any = None  # a pydantic model validating the action's input (None: no declared input)

    def permitted(self, user: Any) -> bool:
        """The user holds the action's permission (or its alternative)."""
        return bool(
            user.has_perm(self.permission) or (self.or_permission and user.has_perm(self.or_permission))
        )


def transitions(sources: Iterable[str], target: str | None) -> dict[str, str | None]:
    """{source: target} for each source status (`target` None: the action leaves the status alone)."""
    return {str(s): (str(target) if target is not None else None) for s in sources}


@dataclass
class Workflow:
    """The declared table of one kind of work item."""

    name: str
    actions: Sequence[Action]
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table: dict[str, Action] = {a.code: a for a in self.actions}
        self.groups = {k: [str(s) for s in v] for k, v in self.groups.items()}

    def __contains__(self, action: str) -> bool:
        return action in self.table

    def __getitem__(self, action: str) -> Action:
        return self.table[action]

    def group(self, name: str) -> list[str]:
        """A named status group (`open`, `working`, `ended`, …) declared once with the table."""
        return list(self.groups[name])

    def next_status(self, status: str, action: str) -> str:
        """The status after `action` from `status`; raises KeyError when the table does not allow it.

        Returns `status` itself for actions that do not move the item.
        """
        target = self.table[action].transitions[status]
        return status if target is None else target

    def is_allowed(self, status: str, action: str) -> bool:
        return action in self.table and status in self.table[action].transitions

    def actions_from(self, status: str) -> list[Action]:
        return [a for a in self.table.values() if status in a.transitions]

    def statuses(self) -> set[str]:
        """Every status the table names (as a source or a target)."""
        out: set[str] = set()
        for a in self.table.values():
            out.update(a.transitions)
            out.update(t for t in a.transitions.values() if t is not None)
        return out
