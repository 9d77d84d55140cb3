from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class ClassificationConfig(AppConfig):
    """智能分类: business type and cause suggested from a complaint's text by a character n-gram linear model trained on the institution's own confirmed complaints (versioned, measured on a held-out part), and similar complaints."""

    name = "xiaobao.classification"
    label = "classification"
    verbose_name = _("Assisted classification")
    module = Module()  # type: ignore[assignment]  # AppConfig.module is the Python module
