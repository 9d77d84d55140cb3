from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW = "sales_recording.view_recordedsale"
IMPORT = "sales_recording.import_recordedsale"
CHECK = "sales_recording.check_recordedsale"
RULES = "sales_recording.manage_samplingrule"


class SalesRecordingConfig(AppConfig):
    """Sales recording (双录): the register of sales that require recording (imported through the import
    framework as its own kind), monthly progress, quarterly samples checked with the 双录 checklist."""

    name = "xiaobao.sales_recording"
    label = "sales_recording"
    verbose_name = _("Sales recording")
    import_kinds = ["xiaobao.sales_recording.importing.KIND"]
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("sales_recording:list", _("Sales recording"), VIEW, order=45, group="field")],
        roles={
            "hq_cp_officer": [VIEW, IMPORT, CHECK, RULES],
            "branch_cp_officer": [VIEW, IMPORT, CHECK],
            "auditor": [VIEW],
        },
        home_panel="xiaobao.sales_recording.selectors.home_panel",
        home_template="sales_recording/_home_panel.html",
        retention=["sales_recording"],
        demo="xiaobao.sales_recording.demo.load",
        demo_arguments="xiaobao.sales_recording.demo.arguments",
        order=45,
    )
