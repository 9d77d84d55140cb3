from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "surveys.view_surveys"
MANAGE = "surveys.manage_surveys"
INVITE = "surveys.invite_complainants"


class SurveysConfig(AppConfig):
    """满意度调查、问卷调查: questionnaires as data, surveys with a public no-login page and QR code, results
    per unit and question, figures for the statistics page, the reports and the annual summary."""

    name = "xiaobao.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("surveys:home", pgettext_lazy("module", "Surveys"), VIEW, order=57, group="outreach")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE, INVITE],
            "branch_cp_officer": [VIEW, MANAGE, INVITE],
            "complaint_handler": [VIEW, INVITE],  # the complaint desk sends complainants their links
            "auditor": [VIEW],
        },
        home_panel="xiaobao.surveys.figures.home_panel",
        home_template="surveys/_home_panel.html",
        figures="xiaobao.surveys.figures.figures",  # "满意度调查 N 份，满意率 X%"
        stats_section="xiaobao.surveys.figures.stats_section",
        stats_template="surveys/_stats_section.html",
        report_sections=["xiaobao.surveys.figures.report_section"],
        demo="xiaobao.surveys.demo.load",
        order=57,
    )
