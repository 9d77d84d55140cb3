from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "policies.view_policies"
MANAGE = "policies.manage_policies"


class PoliciesConfig(AppConfig):
    """制度目录: policies, versions, article mapping, 废改立."""

    name = "xiaobao.policies"
    label = "policies"
    verbose_name = _("Policies")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("policies:home", pgettext_lazy("module", "Policies"), VIEW, order=94, group="admin")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW, MANAGE],
            "auditor": [VIEW],
        },
        order=94,
    )
