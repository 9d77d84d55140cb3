from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW = "case_library.view_caseentry"
MANAGE = "case_library.manage_caseentry"


class CaseLibraryConfig(AppConfig):
    """典型案例: anonymised typical cases to browse, search and tag, selections circulated to units with read
    receipts, exported for training."""

    name = "xiaobao.case_library"
    label = "case_library"
    verbose_name = _("Case library")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        # typical cases are learning material: in the training menu (培训与考试), first in it after
        # the training pages; a handler without training pages sees it on the bar by itself
        nav=[Nav("case_library:home", _("Case library"), VIEW, order=53, group="people")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE],
            "branch_cp_officer": [VIEW, MANAGE],
            "complaint_handler": [VIEW],
            "business_responder": [VIEW],
            "approver": [VIEW],
            "auditor": [VIEW],
        },
        # readers: circulated cases not yet confirmed as read; officers: complaints proposed for the library
        home_panel="xiaobao.case_library.selectors.home_panel",
        home_template="case_library/_home_panel.html",
        figures="xiaobao.case_library.selectors.figures",
        search="xiaobao.case_library.selectors.search",
        # on a closed complaint's page: "add to the case library" (officers) or the entry made from it
        panels={"complaints.complaint": ["case_library/_complaint_block.html"]},
        demo="xiaobao.case_library.demo.load",
        order=53,
    )
