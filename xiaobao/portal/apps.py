from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class PortalConfig(AppConfig):
    """The consumer's own pages (no login): submit a complaint, look up its status by reference and the
    phone's last four digits, request a review, rate the handling."""

    name = "xiaobao.portal"
    label = "portal"
    verbose_name = _("Consumer portal")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[],
        roles={},
        order=60,
    )
