from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW = "inspections.view_inspection"
PLAN = "inspections.plan_inspection"
CONDUCT = "inspections.conduct_inspection"
CHECKLISTS = "inspections.manage_checklist"


class InspectionsConfig(AppConfig):
    """Service inspections and mystery shopping (服务检查、神秘人暗访)."""

    name = "xiaobao.inspections"
    label = "inspections"
    verbose_name = _("Service inspections")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("inspections:list", _("Service inspections"), VIEW, order=40, group="field")],
        roles={
            "hq_cp_officer": [VIEW, PLAN, CONDUCT, CHECKLISTS],
            "branch_cp_officer": [VIEW, PLAN, CONDUCT],
            "approver": [VIEW, PLAN],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.inspections.selectors.home_panel",
        home_template="inspections/_home_panel.html",
        home_place="todo",  # my open inspection tasks due within two weeks, inside the to-do card
        figures="xiaobao.inspections.figures.figures",
        stats_section="xiaobao.inspections.figures.stats_section",
        stats_template="inspections/figures_section.html",
        demo="xiaobao.inspections.demo.load",  # inspections, findings and their rectification items
        demo_arguments="xiaobao.inspections.demo.arguments",
        order=40,
    )
