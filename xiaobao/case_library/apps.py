from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class CaseLibraryConfig(AppConfig):
    """典型案例: anonymised typical cases to browse, search and tag, selections circulated to units with read receipts, exported for training."""

    name = "xiaobao.case_library"
    label = "case_library"
    verbose_name = _("Case library")
    module = Module()  # type: ignore[assignment]  # AppConfig.module is the Python module
