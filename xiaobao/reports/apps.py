from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW, RUN, TEMPLATES = "reports.view_reportjob", "reports.run_report", "reports.manage_reporttemplate"


class ReportsConfig(AppConfig):
    name = "xiaobao.reports"
    label = "reports"
    verbose_name = _("Reports")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("reports:list", _("Reports"), VIEW, order=40)],
        roles={
            "sysadmin": [TEMPLATES],
            "hq_cp_officer": [VIEW, RUN, TEMPLATES],
            "branch_cp_officer": [VIEW, RUN],
            "approver": [VIEW],
            "auditor": [VIEW],
        },
        retention=["report_file"],
        order=40,
    )
