from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class NotesConfig(AppConfig):
    """Internal notes on complaints with @mentions (never shown to the complainant) and templates for decision text and notices per business type and cause."""

    name = "xiaobao.notes"
    label = "notes"
    verbose_name = _("Notes and templates")
    module = Module()  # type: ignore[assignment]  # AppConfig.module is the Python module
