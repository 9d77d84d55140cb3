from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

USE = "checker.use_checker"
MANAGE = "checker.manage_rules"
VIEW = "checker.view_checkrule"


class CheckerConfig(AppConfig):
    """The automatic checker of marketing and contract text: rules as versioned data, findings confirmed or
    dismissed by reviewers, a test bench and `POST /api/v1/review-checks`."""

    name = "xiaobao.checker"
    label = "checker"
    verbose_name = _("Wording checker")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("checker:list", _("Checker rules"), USE, order=31, group="review")],
        roles={
            "hq_cp_officer": [USE, MANAGE, VIEW],
            "branch_cp_officer": [USE],
            "business_responder": [USE],  # a product department checks its own material before submitting
            "approver": [USE],
            "auditor": [VIEW],
        },
        order=31,
    )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from xiaobao.checker.services import presets_sync

        # Missing preset codes only: a rule head office edited, retired or recreated is never overwritten.
        post_migrate.connect(presets_sync, sender=self, weak=False, dispatch_uid="xiaobao_checker_presets")
