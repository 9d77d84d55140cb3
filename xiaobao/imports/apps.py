from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

IMPORT, PRESETS = "imports.import_complaints", "imports.manage_importpreset"


class ImportsConfig(AppConfig):
    name = "xiaobao.imports"
    label = "imports"
    verbose_name = _("Bulk import")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("imports:list", _("Import"), IMPORT, order=50, group="admin")],
        roles={"sysadmin": [PRESETS], "hq_cp_officer": [IMPORT, PRESETS], "branch_cp_officer": [IMPORT]},
        retention=["import_file"],
        order=50,
    )
