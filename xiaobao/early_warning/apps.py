from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW, ACK, WORDS = (
    "early_warning.view_earlywarning",
    "early_warning.acknowledge_earlywarning",
    "early_warning.manage_watchword",
)


class EarlyWarningConfig(AppConfig):
    name = "xiaobao.early_warning"
    label = "early_warning"
    verbose_name = _("Early warning")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("early_warning:list", _("Early warnings"), VIEW, order=30)],
        roles={
            "sysadmin": [WORDS],
            "hq_cp_officer": [VIEW, ACK, WORDS],
            "branch_cp_officer": [VIEW, ACK],
            "complaint_handler": [VIEW],
            "approver": [VIEW],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.early_warning.selectors.home_panel",
        home_template="early_warning/_home.html",
        home_context="early_warnings",
        periodic=["xiaobao.early_warning.scan.periodic_scan"],
        demo="xiaobao.early_warning.scan.demo_scan",
        order=30,
    )
