from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "surveys.view_surveys"
MANAGE = "surveys.manage_surveys"


class SurveysConfig(AppConfig):
    """满意度调查、问卷调查."""

    name = "xiaobao.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("surveys:home", pgettext_lazy("module", "Surveys"), VIEW, order=57, group="people")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW, MANAGE],
            "auditor": [VIEW],
        },
        order=57,
    )
