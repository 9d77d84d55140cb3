from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "special_services.view_special_services"
MANAGE = "special_services.manage_special_services"
MANAGE_ITEMS = "special_services.manage_facility_items"


class SpecialServicesConfig(AppConfig):
    """适老化与特殊群体服务: each outlet's facilities checklist kept current (beside the latest facilities
    inspection), home and off-site services with the person in the personal-data vault, special-group
    complaints counted beside them."""

    name = "xiaobao.special_services"
    label = "special_services"
    verbose_name = _("Special-group services")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[
            Nav(
                "special_services:home",
                pgettext_lazy("module", "Special-group services"),
                VIEW,
                order=56,
                group="outreach",
            )
        ],
        roles={
            "hq_cp_officer": [VIEW, MANAGE, MANAGE_ITEMS],
            "branch_cp_officer": [VIEW, MANAGE],
            # outlet staff keep their outlet's facilities and record the home services they give
            "complaint_handler": [VIEW, MANAGE],
            "sysadmin": [VIEW, MANAGE_ITEMS],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.special_services.figures.home_panel",
        home_template="special_services/_home_panel.html",
        figures="xiaobao.special_services.figures.figures",
        stats_section="xiaobao.special_services.stats.stats_section",
        stats_template="special_services/_stats_section.html",
        report_sections=["xiaobao.special_services.report_sections.special_services_section"],
        demo="xiaobao.special_services.demo.load",
        order=46,
    )
