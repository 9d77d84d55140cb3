"""The shape of a scoping-quartet entry, and the collection of every app's entries.

Each app lists its pages and API operations in `xiaobao/<app>/tests/routes.py` (PAGE_ROUTES, API_ROUTES and an
optional `setup(ctx)` that adds the app's branch-1 objects to the context); `core/tests/test_scoping.py` runs
the four permission tests over all of them and fails when a route has no entry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass
class Route:
    name: str  # URL name for pages, "METHOD /path" for the API
    method: str
    kwargs: Any = None  # callable(ctx) -> dict of URL kwargs
    data: Any = None  # callable(ctx) -> POST data / JSON body
    perm: bool = True  # needs a permission beyond being staff
    kind: str = "object"  # object | list | global
    ok: tuple[int, ...] = (200,)
    marker: Any = None  # callable(ctx) -> text that must not appear in another branch's list
    extra: dict = field(default_factory=dict)
    actor: str = ""  # fixture name of the allowed user when not the branch-1 power user (e.g. "hq_officer")
    app: str = ""  # the app whose routes.py lists it (set by `app_routes`): its setup runs first


class Ctx:
    """Objects in branch 1 that the routes act on; apps add their own in `setup(ctx)`."""

    def __init__(self, org, b1_user, consumer, complaint=None, attachment=None):
        self.org, self.b1_user, self.consumer = org, b1_user, consumer
        self.complaint, self.attachment = complaint, attachment
        self._pending: list[Callable[[Ctx], None]] = []

    def run_setups(self, first: str = "") -> None:
        """Run the setup of app `first` now and keep the others for when an object they add is asked for
        (a route's own objects are made for every test; other apps' only when needed, which keeps the sweep
        fast). Without `first`, every setup runs now."""
        setups = app_setups_by_app()
        own = [fn for app, fn in setups if app == first]
        self._pending = [fn for app, fn in setups if app != first] if own else []
        for fn in own or [fn for _, fn in setups]:
            fn(self)

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set: another app's setup makes it — run the pending ones, then retry
        pending = self.__dict__.get("_pending")
        if name.startswith("__") or not pending:
            raise AttributeError(name)
        while pending:
            pending.pop(0)(self)
        return getattr(self, name)


def _app_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("xiaobao.") or config.name == "xiaobao.core":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.tests.routes"))
        except ModuleNotFoundError:
            continue
    return modules


def app_routes() -> tuple[list[Route], list[Route]]:
    pages: list[Route] = []
    api: list[Route] = []
    for module in _app_modules():
        app = _app_of(module)
        for route in [*getattr(module, "PAGE_ROUTES", []), *getattr(module, "API_ROUTES", [])]:
            route.app = route.app or app
        pages += getattr(module, "PAGE_ROUTES", [])
        api += getattr(module, "API_ROUTES", [])
    return pages, api


def _app_of(module: Any) -> str:
    return module.__name__.split(".")[1]  # xiaobao.<app>.tests.routes


def app_setups_by_app() -> list[tuple[str, Callable[[Ctx], None]]]:
    return [(_app_of(m), m.setup) for m in _app_modules() if hasattr(m, "setup")]


def app_public() -> tuple[set[str], set[str]]:
    """Pages and API operations an app serves without login on purpose (`PUBLIC_PAGES`, `PUBLIC_API` in its
    `tests/routes.py`); its own tests prove what they show to anybody."""
    pages: set[str] = set()
    api: set[str] = set()
    for module in _app_modules():
        pages |= set(getattr(module, "PUBLIC_PAGES", ()))
        api |= set(getattr(module, "PUBLIC_API", ()))
    return pages, api


def app_setups() -> list[Callable[[Ctx], None]]:
    return [m.setup for m in _app_modules() if hasattr(m, "setup")]


def app_power_perms() -> list[str]:
    """Permissions each app adds to the branch power user (`POWER_PERMS` in its `tests/routes.py`)."""
    return [p for m in _app_modules() for p in getattr(m, "POWER_PERMS", [])]


@dataclass
class Parts:
    """An app's routes kept in several modules of its tests package (`routes_<part>.py`), added up in order:
    its `tests/routes.py` unpacks `combine(package, parts)` into the names the sweep reads."""

    setup: Callable[[Any], None]
    power_perms: list[str]
    page_routes: list[Route]
    api_routes: list[Route]
    public_pages: set[str]
    public_api: set[str]


def combine(package: str, parts: tuple[str, ...]) -> Parts:
    """Add up the parts' PAGE_ROUTES, API_ROUTES, POWER_PERMS, PUBLIC_PAGES and PUBLIC_API; `setup(ctx)` runs
    each part's `setup` in the order given (a later part may use the objects an earlier one made)."""
    modules = [importlib.import_module(f"{package}.{name}") for name in parts]
    perms: list[str] = []
    for module in modules:
        perms += [p for p in getattr(module, "POWER_PERMS", []) if p not in perms]

    def setup(ctx: Any) -> None:
        for module in modules:
            if hasattr(module, "setup"):
                module.setup(ctx)

    return Parts(
        setup=setup,
        power_perms=perms,
        page_routes=[r for m in modules for r in getattr(m, "PAGE_ROUTES", [])],
        api_routes=[r for m in modules for r in getattr(m, "API_ROUTES", [])],
        public_pages={p for m in modules for p in getattr(m, "PUBLIC_PAGES", ())},
        public_api={p for m in modules for p in getattr(m, "PUBLIC_API", ())},
    )
