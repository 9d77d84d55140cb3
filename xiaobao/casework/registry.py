"""The module registry: every domain app declares itself in its `AppConfig.module`; nothing central is
edited when a module is added.

```python
class InspectionsConfig(AppConfig):
    name = "xiaobao.inspections"
    module = Module(
        nav=[Nav("inspections:list", _("Inspections"), "inspections.view_inspection", order=40)],
        roles={"cp_officer": ["inspections.view_inspection", ...]},
        home_panel="xiaobao.inspections.selectors.home_panel",
        figures="xiaobao.inspections.figures.figures",
        report_sections=["xiaobao.inspections.reports.quarterly_section"],
        retention=["inspection_photo"],
        clocks=["inspections.RectificationClock"],
        demo="xiaobao.inspections.demo.load",
        deadline_subjects=["inspections.rectification"],
    )
```
Callables are named by dotted path and imported when first used, so declaring never imports a module's
views or models at start-up. `core` and `casework` read the declarations; they import no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Nav:
    """A navigation entry: URL name, label, the permission that shows it (None: everybody), its order, and
    the menu it sits in (`group`, one of core's `NAV_GROUPS`: "review", "field", "people", "admin"; empty: on
    the bar itself). A menu the user sees one entry of shows that entry on the bar."""

    url_name: str
    label: str | Promise
    permission: str | None = None
    order: int = 50
    group: str = ""


@dataclass(frozen=True)
class Module:
    """What a domain app declares about itself (every part optional)."""

    nav: Sequence[Nav] = ()
    roles: dict[str, Sequence[str]] = field(default_factory=dict)  # role code → permissions it grants
    home_panel: str = ""  # dotted path: (user) → dict for the module's home-page panel template
    home_template: str = ""  # template included on the home page with the panel's dict as `panel`
    home_context: str = ""  # also put the panel into the home page's context under this name (e.g. "desk")
    home_place: str = "card"  # "todo": inside the to-do card (the panel's `todo` says it holds work); "card"
    figures: str = ""  # dotted path: (user, start, end) → list of figures for reports and the summary
    stats_section: str = ""  # dotted path: (user, unit, period) → dict for its statistics section or None
    stats_template: str = ""  # template included on the statistics page with that dict as `section`
    report_sections: Sequence[str] = ()  # dotted paths of report-section builders
    retention: Sequence[str] = ()  # retention record types this module keeps
    clocks: Sequence[str] = ()  # "app_label.Model" of clock models the shared sweeper sweeps
    periodic: Sequence[str] = ()  # dotted paths: (now=) → report, run by `xiaobao sweep` after the clocks
    demo: str = ""  # dotted path: (command, **options) → None, loads the module's demo data (once)
    demo_arguments: str = ""  # dotted path: (parser) → None, adds the module's `demo_load` options
    deadline_subjects: Sequence[str] = ()  # model labels deadline rules may apply to
    # model label → templates included on that object's page by `{% module_panels obj %}` (casework_panels),
    # with the object in their context as `object`: e.g. {"complaints.complaint": ["review/_x.html"]}
    panels: dict[str, Sequence[str]] = field(default_factory=dict)
    # dotted path: (user, query: str, limit: int) → list[SearchHit] for the header's global search, already
    # limited to what the user may see
    search: str = ""
    order: int = 50  # the module's place among modules (home panels, demo loading)


@dataclass(frozen=True)
class SearchHit:
    """One result of the global search: its kind (a translated label the results are grouped by), a title,
    a line under it (never unmasked personal data) and the page it opens."""

    kind: str | Promise
    title: str
    url: str
    subtitle: str = ""


@dataclass(frozen=True)
class Registered:
    label: str  # the app label
    module: Module


def _declared(cfg: Any) -> Module | None:
    found = getattr(type(cfg), "module", None)
    return found if isinstance(found, Module) else None


@cache
def modules() -> tuple[Registered, ...]:
    """The declared modules, in their order (then app order). Read from the AppConfig class: Django sets
    the instance's `module` to the app's Python module."""
    found = [
        Registered(cfg.label, declared) for cfg in apps.get_app_configs() if (declared := _declared(cfg))
    ]
    return tuple(sorted(found, key=lambda r: r.module.order))


def resolve(path: str) -> Callable[..., Any]:
    """The callable a declaration names."""
    return import_string(path)  # type: ignore[no-any-return]


def nav_entries() -> list[Nav]:
    return sorted((n for r in modules() for n in r.module.nav), key=lambda n: n.order)


def clock_models() -> list[Any]:
    """Every registered clock model, for the shared sweeper."""
    return [apps.get_model(label) for r in modules() for label in r.module.clocks]


def panel_templates(label: str) -> list[str]:
    """The templates modules declare for pages of the object labelled `label` ("app_label.model"), in module
    order."""
    return [name for r in modules() for name in r.module.panels.get(label.lower(), ())]


def role_grants() -> dict[str, set[str]]:
    """Role code → the permissions modules add to it."""
    out: dict[str, set[str]] = {}
    for r in modules():
        for role, perms in r.module.roles.items():
            out.setdefault(role, set()).update(perms)
    return out
