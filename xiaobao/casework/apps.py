from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
