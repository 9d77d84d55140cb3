from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "special_services.view_special_services"
MANAGE = "special_services.manage_special_services"


class SpecialServicesConfig(AppConfig):
    """适老化与特殊群体服务: facilities, home services."""

    name = "xiaobao.special_services"
    label = "special_services"
    verbose_name = _("Special-group services")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[
            Nav(
                "special_services:home",
                pgettext_lazy("module", "Special-group services"),
                VIEW,
                order=46,
                group="field",
            )
        ],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW, MANAGE],
            "auditor": [VIEW],
        },
        order=46,
    )
