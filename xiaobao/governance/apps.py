from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "governance.view_governance"
MANAGE = "governance.manage_governance"
WORK = "governance.work_actionitem"
VERIFY = "governance.verify_actionitem"


class GovernanceConfig(AppConfig):
    """领导小组、委员会、会议与督办、联络员、特约监督员: the governance registers, with
    meetings' action items and supervisors' feedback tracked as work items (warnings, breach,
    escalation, closed with evidence)."""

    name = "xiaobao.governance"
    label = "governance"
    verbose_name = _("Governance")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[
            Nav("governance:home", pgettext_lazy("module", "Governance"), VIEW, order=92, group="governance")
        ],
        roles={
            "hq_cp_officer": [VIEW, MANAGE, WORK, VERIFY],
            "branch_cp_officer": [VIEW, MANAGE, WORK, VERIFY],
            "approver": [VIEW, WORK, VERIFY],
            "complaint_handler": [VIEW, WORK],
            "business_responder": [VIEW, WORK],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.governance.selectors.home_panel",
        home_template="governance/_home_panel.html",
        home_place="todo",
        figures="xiaobao.governance.figures.figures",
        stats_section="xiaobao.governance.stats.stats_section",
        stats_template="governance/_stats_section.html",
        report_sections=["xiaobao.governance.figures.governance_section"],
        clocks=["governance.ActionClock"],
        deadline_subjects=["governance.actionitem"],
        demo="xiaobao.governance.demo.load",
        order=92,
    )
