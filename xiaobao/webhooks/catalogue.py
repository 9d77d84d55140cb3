"""The event types a subscription may choose, read from what the modules declare.

- every action of every `casework.transitions.Transitions` a registered module declares in its `services`
  (the one transition service of each kind of work item): "<app>.<model>.<action>", labelled with the
  action's label;
- "breach" for every item kind with clocks the shared sweeper sweeps (`Module.clocks`);
- the steps a module announces outside its table (`EXTRA`: a complaint's registration);
- wildcards: "*" (everything) and "<app>.*" (everything of one module);
- "ping": the test event, sent only by the "send test event" button (never chosen).

Labels are lazy, so they show in the reader's language.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework import registry

PING = "ping"
ALL = "*"

# Steps announced outside the transition table (`casework.events.announce` called by the module itself).
EXTRA: dict[str, list[tuple[str, Any]]] = {
    "complaints.complaint": [("register", pgettext_lazy("webhook event", "Registered"))],
}
BREACH_LABEL = pgettext_lazy("webhook event", "Deadline breached")


@dataclass(frozen=True)
class EventType:
    code: str
    label: Any  # lazy string: "<item kind>: <action>"


@dataclass
class Group:
    """The event types of one module, with its wildcard."""

    app: str
    label: Any
    types: list[EventType] = field(default_factory=list)

    @property
    def wildcard(self) -> str:
        return f"{self.app}.*"


def _transitions_of(app_name: str) -> list[Any]:
    from xiaobao.casework.transitions import Transitions

    module_name = f"{app_name}.services"
    if importlib.util.find_spec(module_name) is None:
        return []
    module = importlib.import_module(module_name)
    return [v for v in vars(module).values() if isinstance(v, Transitions)]


def _breach_models() -> set[str]:
    from xiaobao.casework.sweeper import sweep_of

    out = set()
    for clock_model in registry.clock_models():
        item_field = sweep_of(clock_model).item_field
        out.add(clock_model._meta.get_field(item_field).related_model._meta.label_lower)
    return out


class _Label:
    """ "<item kind>: <action>", evaluated in the reader's language."""

    def __init__(self, model: Any, action: Any):
        self.model, self.action = model, action

    def __str__(self) -> str:
        return _("%(kind)s: %(action)s") % {
            "kind": capfirst(self.model._meta.verbose_name),
            "action": self.action,
        }


@cache
def groups() -> tuple[Group, ...]:
    """The catalogue, module by module (module order), each item kind's actions in table order."""
    breaching = _breach_models()
    out: list[Group] = []
    for reg in registry.modules():
        cfg = apps.get_app_config(reg.label)
        group = Group(app=reg.label, label=cfg.verbose_name)
        seen: set[str] = set()
        kinds: dict[str, Any] = {}
        for t in _transitions_of(cfg.name):
            label = t.model._meta.label_lower
            kinds[label] = t.model
            steps = [*EXTRA.get(label, []), *((a.code, a.label) for a in t.workflow.actions)]
            if label in breaching:
                steps.append(("breach", BREACH_LABEL))
            for code, action_label in steps:
                name = f"{label}.{code}"
                if name not in seen:
                    seen.add(name)
                    group.types.append(EventType(name, _Label(t.model, action_label)))
        for label in sorted(breaching - set(kinds)):
            if label.startswith(f"{reg.label}."):
                model = apps.get_model(label)
                group.types.append(EventType(f"{label}.breach", _Label(model, BREACH_LABEL)))
        if group.types:
            out.append(group)
    return tuple(out)


def known() -> dict[str, EventType]:
    return {t.code: t for g in groups() for t in g.types}


def valid_choices() -> set[str]:
    """Every code a subscription may list: the event types and the wildcards."""
    return {ALL, *(g.wildcard for g in groups()), *known()}


def label_of(code: str) -> str:
    if code == ALL:
        return str(_("Every event"))
    if code == PING:
        return str(_("Test event"))
    if code.endswith(".*"):
        app = code[:-2]
        for g in groups():
            if g.app == app:
                return str(_("Every event of %(module)s") % {"module": g.label})
    found = known().get(code)
    return str(found.label) if found else code


def matches(selected: list[str], event_type: str) -> bool:
    """The subscription's list covers the event type (exactly or by a wildcard)."""
    if event_type == PING:
        return False
    return ALL in selected or event_type in selected or f"{event_type.split('.', 1)[0]}.*" in selected
