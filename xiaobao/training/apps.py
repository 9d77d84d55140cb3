from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "training.view_training"
MANAGE = "training.manage_training"
VIEW_STAFF = "training.view_staff"
MANAGE_STAFF = "training.manage_staff"
OWN_RECORD = "training.view_own_training"

EVERYONE = (
    "sysadmin",
    "hq_cp_officer",
    "branch_cp_officer",
    "complaint_handler",
    "business_responder",
    "approver",
    "auditor",
    "learner",
)


class TrainingConfig(AppConfig):
    """Staff training (培训): the staff register, yearly plans per position layer, sessions with QR sign-in
    and imported sign-in lists, coverage of each layer and unit."""

    name = "xiaobao.training"
    label = "training"
    verbose_name = _("Training")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("training:home", pgettext_lazy("module", "Training"), VIEW, order=50, group="people")],
        roles={
            **{role: [OWN_RECORD] for role in EVERYONE},
            "hq_cp_officer": [OWN_RECORD, VIEW, MANAGE, VIEW_STAFF, MANAGE_STAFF],
            "branch_cp_officer": [OWN_RECORD, VIEW, MANAGE, VIEW_STAFF, MANAGE_STAFF],
            "sysadmin": [OWN_RECORD, VIEW_STAFF, MANAGE_STAFF],
            "auditor": [OWN_RECORD, VIEW, VIEW_STAFF],
        },
        # organisers: the next sessions and the year's coverage so far (a card of its own)
        home_panel="xiaobao.training.figures.home_panel",
        home_template="training/_home_panel.html",
        figures="xiaobao.training.figures.figures",
        # training and exams in one statistics section and one report chapter
        # ("开展培训 N 场、覆盖 M 人次、考试 K 场、通过率 X%")
        stats_section="xiaobao.training.stats.stats_section",
        stats_template="training/_stats_section.html",
        report_sections=["xiaobao.training.report_sections.training_section"],
        demo="xiaobao.training.demo.load",  # the staff register, plans, a year of sessions (before exams)
        demo_arguments="xiaobao.training.demo.arguments",  # --training N, --exams N
        search="xiaobao.training.search.search",
        order=50,
    )
    import_kinds = ["xiaobao.training.importing.STAFF_KIND"]

    def ready(self) -> None:
        # The staff register follows the accounts: link by employee number = username, move with the unit.
        from django.db.models.signals import post_save, pre_save

        from xiaobao.core.models import User
        from xiaobao.training.staff import before_user_saved, on_user_saved

        pre_save.connect(before_user_saved, sender=User, dispatch_uid="training.staff.before_user_saved")
        post_save.connect(on_user_saved, sender=User, dispatch_uid="training.staff.on_user_saved")
