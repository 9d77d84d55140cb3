from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW = "portal.view_portalsubmission"
MANAGE = "portal.manage_portal"


class PortalConfig(AppConfig):
    """The consumer's own pages (no login): submit a complaint, look up its status by reference and the
    phone's last four digits, request a review, rate the handling."""

    name = "xiaobao.portal"
    label = "portal"
    verbose_name = _("Consumer portal")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("portal:home", _("Consumer portal"), VIEW, order=58, group="outreach")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW],
            "auditor": [VIEW],
            "sysadmin": [MANAGE],
        },
        # on a complaint's page: it came in through the portal, the consumer's rating, review requests
        panels={"complaints.complaint": ["portal/_complaint_block.html"]},
        demo="xiaobao.portal.demo.load",
        order=60,
    )
