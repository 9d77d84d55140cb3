from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class DeskConfig(AppConfig):
    """The complaint desk's conveniences: saved views (shared with a unit, counted on the home page) and bulk
    actions on the complaint list and queue (each complaint through the transition service, run as a job with
    progress)."""

    name = "xiaobao.desk"
    label = "desk"
    verbose_name = _("Desk")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        home_panel="xiaobao.desk.selectors.home_panel",  # the user's saved views with their counts
        home_template="desk/_home_panel.html",
        demo="xiaobao.desk.demo.load",  # after the complaints' demo year (order 10)
        order=12,
    )
