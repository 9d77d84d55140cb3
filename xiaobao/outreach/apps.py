from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class OutreachConfig(AppConfig):
    """The acknowledgement, extension and decision notices sent to complainants by e-mail (SMTP) and SMS
    (the bank's HTTP gateway), each sending recorded as the notice's proof, with retries and visible
    failures."""

    name = "xiaobao.outreach"
    label = "outreach"
    verbose_name = _("Notices to complainants")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[],
        roles={},
        order=60,
    )
