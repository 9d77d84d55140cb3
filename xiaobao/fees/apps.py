from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class FeesConfig(AppConfig):
    """Fee disclosure (收费公示): the fee catalogue, fee changes through a fee review, the public page."""

    name = "xiaobao.fees"
    label = "fees"
    verbose_name = _("Fee disclosure")
    module = Module(order=35)  # type: ignore[assignment]  # AppConfig.module is the Python module
