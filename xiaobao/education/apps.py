from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "education.view_education"
MANAGE = "education.manage_education"
REPORT = "education.report_activity"
APPROVE = "education.approve_activity"


class EducationConfig(AppConfig):
    """宣传教育 — campaigns, activities, approval, figures."""

    name = "xiaobao.education"
    label = "education"
    verbose_name = _("Education")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("education:home", pgettext_lazy("module", "Education"), VIEW, order=55, group="outreach")],
        roles={
            # head office runs the catalogue and the editions with their targets; branches approve what their
            # outlets report; outlet staff (handlers, responders) report their own unit's activities
            "hq_cp_officer": [VIEW, MANAGE, REPORT, APPROVE],
            "branch_cp_officer": [VIEW, REPORT, APPROVE],
            "complaint_handler": [VIEW, REPORT],
            "business_responder": [VIEW, REPORT],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.education.campaigns.home_panel",
        home_template="education/campaigns/_home_panel.html",
        periodic=["xiaobao.education.campaigns.periodic_reminder"],
        demo="xiaobao.education.demo.load",
        figures="xiaobao.education.figures.figures",
        stats_section="xiaobao.education.stats.stats_section",
        stats_template="education/_stats_section.html",
        report_sections=["xiaobao.education.report_sections.education_section"],
        order=55,
    )
