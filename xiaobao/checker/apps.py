from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class CheckerConfig(AppConfig):
    """The automatic checker of marketing and contract text: rules as versioned data, findings confirmed or
    dismissed by reviewers, a test bench and `POST /api/v1/review-checks`."""

    name = "xiaobao.checker"
    label = "checker"
    verbose_name = _("Wording checker")
    module = Module(order=31)  # type: ignore[assignment]  # AppConfig.module is the Python module
