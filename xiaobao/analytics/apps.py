from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav


class AnalyticsConfig(AppConfig):
    name = "xiaobao.analytics"
    label = "analytics"
    verbose_name = _("Statistics")
    # the statistics of complaints: seen by whoever may see complaints (no permission of its own)
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("analytics:dashboard", _("Statistics"), "complaints.view_complaint", order=20)],
        order=20,
    )
