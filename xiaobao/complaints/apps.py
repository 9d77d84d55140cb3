from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW, REGISTER, HANDLE = (
    "complaints.view_complaint",
    "complaints.register_complaint",
    "complaints.handle_complaint",
)
ASSIGN, APPROVE, RESPOND = (
    "complaints.assign_complaint",
    "complaints.approve_complaint",
    "complaints.respond_complaint",
)
EXPORT, CODES, HOLD = "complaints.export_complaint", "complaints.manage_codes", "complaints.hold_complaint"
WORK = [VIEW, REGISTER, HANDLE]


class ComplaintsConfig(AppConfig):
    name = "xiaobao.complaints"
    label = "complaints"
    verbose_name = _("Complaints")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("complaints:list", _("Complaints"), VIEW, order=10)],
        roles={
            "sysadmin": [CODES],
            "hq_cp_officer": [*WORK, ASSIGN, EXPORT, CODES, HOLD],
            "branch_cp_officer": [*WORK, ASSIGN, EXPORT],
            "complaint_handler": WORK,
            "business_responder": [VIEW, RESPOND],
            "approver": [VIEW, APPROVE],
            "auditor": [VIEW, EXPORT],
        },
        home_panel="xiaobao.complaints.home.home_panel",
        home_template="complaints/_home.html",
        home_place="todo",
        home_context="desk",
        retention=["complaint", "notification", "export_file", "consumer"],
        clocks=["complaints.Clock"],
        demo="xiaobao.complaints.demo_loader.load",
        demo_arguments="xiaobao.complaints.demo_loader.arguments",
        deadline_subjects=["complaints.complaint"],
        search="xiaobao.complaints.search.search",
        order=10,
    )
