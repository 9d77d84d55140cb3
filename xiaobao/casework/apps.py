from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class CaseworkConfig(AppConfig):
    """The platform every module's casework stands on: work items, workflow tables, the transition service,
    clocks and deadline rules, the sweeper, notifications, scoping and the module registry.

    It sits between `core` (org tree, accounts, audit, calendar) and the domain apps, and imports none of
    them: domain apps declare themselves (`xiaobao.casework.registry`) and the platform reads the
    declarations.
    """

    name = "xiaobao.casework"
    label = "casework"
    verbose_name = _("Casework")
    # every user's unread notifications (whatever their subject) in the home page's to-do card, after the
    # modules' own work
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        home_panel="xiaobao.casework.home.home_panel",
        home_template="casework/_home.html",
        home_place="todo",
        order=90,
    )
