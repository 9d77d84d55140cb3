from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "policies.view_policies"
MANAGE = "policies.manage_policies"
APPROVE = "policies.approve_policies"
MANAGE_REGULATIONS = "policies.manage_regulations"


class PoliciesConfig(AppConfig):
    """制度目录: policies, versions frozen on approval, article mapping and coverage, the yearly 废改立 list,
    review reminders."""

    name = "xiaobao.policies"
    label = "policies"
    verbose_name = _("Policies")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("policies:home", pgettext_lazy("module", "Policies"), VIEW, order=94, group="governance")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE, APPROVE, MANAGE_REGULATIONS],
            "branch_cp_officer": [VIEW, MANAGE, APPROVE],
            "approver": [VIEW, APPROVE],
            "sysadmin": [VIEW, MANAGE_REGULATIONS],
            "auditor": [VIEW],
        },
        # officers: policies of their subtree due for review, drafts awaiting approval
        home_panel="xiaobao.policies.selectors.home_panel",
        home_template="policies/_home_panel.html",
        figures="xiaobao.policies.selectors.figures",
        # the statistics page: changes of the period, in force by level/owner, due, uncovered articles
        stats_section="xiaobao.policies.stats.stats_section",
        stats_template="policies/_stats_section.html",
        report_sections=[
            "xiaobao.policies.report_sections.policies_section"
        ],  # "制定制度 N 项、修订 M 项、废止 K 项"
        periodic=[
            "xiaobao.policies.reminders.review_reminders"
        ],  # due for review → the owner unit's officers
        demo="xiaobao.policies.demo.load",
        search="xiaobao.policies.search.search",
        order=94,
    )
