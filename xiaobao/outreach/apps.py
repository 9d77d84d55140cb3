from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

MANAGE = "outreach.manage_outreach"
VIEW_LOG = "outreach.view_sending"


class OutreachConfig(AppConfig):
    """The acknowledgement, extension and decision notices sent to complainants by e-mail (SMTP) and SMS
    (the bank's HTTP gateway), each sending recorded as the notice's proof, with retries and visible
    failures."""

    name = "xiaobao.outreach"
    label = "outreach"
    verbose_name = _("Notices to complainants")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("outreach:home", _("Notices to complainants"), VIEW_LOG, order=14, group="admin")],
        roles={
            "sysadmin": [MANAGE, VIEW_LOG],
            "hq_cp_officer": [MANAGE, VIEW_LOG],
            "branch_cp_officer": [VIEW_LOG],
            "auditor": [VIEW_LOG],
        },
        periodic=["xiaobao.outreach.services.retry_due"],
        panels={"complaints.complaint": ["outreach/_complaint_block.html"]},
        demo="xiaobao.outreach.demo.load",
        # before the portal: its demo complaints' acknowledgements are real sendings, which would make this
        # demo think it had been loaded already
        order=58,
    )

    def ready(self) -> None:
        from xiaobao.casework.events import work_item_event
        from xiaobao.outreach.signals import on_work_item_event

        work_item_event.connect(on_work_item_event, dispatch_uid="outreach.notices")
