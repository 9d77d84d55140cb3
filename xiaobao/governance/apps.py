from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "governance.view_governance"
MANAGE = "governance.manage_governance"


class GovernanceConfig(AppConfig):
    """领导小组、委员会、会议与督办事项、联络员、特约监督员."""

    name = "xiaobao.governance"
    label = "governance"
    verbose_name = _("Governance")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("governance:home", pgettext_lazy("module", "Governance"), VIEW, order=92, group="admin")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW, MANAGE],
            "auditor": [VIEW],
        },
        order=92,
    )
