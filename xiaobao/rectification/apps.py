from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "rectification.view_rectification"
OPEN = "rectification.open_rectification"
WORK = "rectification.work_rectification"
VERIFY = "rectification.verify_rectification"


class RectificationConfig(AppConfig):
    """Rectification items (限期整改): a finding, a complaint's root cause or a regulator's opinion becomes a
    work item with an owner, a working-day deadline, evidence and a verification by somebody else."""

    name = "xiaobao.rectification"
    label = "rectification"
    verbose_name = _("Rectification")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[
            Nav("rectification:list", pgettext_lazy("module", "Rectification"), VIEW, order=45, group="field")
        ],
        roles={
            "hq_cp_officer": [VIEW, OPEN, WORK, VERIFY],
            "branch_cp_officer": [VIEW, OPEN, WORK, VERIFY],
            "approver": [VIEW, VERIFY],
            "complaint_handler": [VIEW, WORK],
            "business_responder": [VIEW, WORK],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.rectification.selectors.home_panel",
        home_template="rectification/_home_panel.html",
        home_place="todo",  # my open items and what waits for my verification, inside the to-do card
        clocks=["rectification.RectificationClock"],
        deadline_subjects=["rectification.rectification"],
        order=45,
    )
