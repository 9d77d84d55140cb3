from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

VIEW = "fees.view_feeitem"
MANAGE = "fees.manage_fees"
PUBLISH = "fees.publish_fees"


class FeesConfig(AppConfig):
    """Fee disclosure (收费公示): the fee catalogue, fee changes through a fee review, the public page."""

    name = "xiaobao.fees"
    label = "fees"
    verbose_name = _("Fee disclosure")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("fees:list", _("Fee catalogue"), VIEW, order=36, group="review")],
        roles={
            "hq_cp_officer": [VIEW, MANAGE, PUBLISH],
            "branch_cp_officer": [VIEW, MANAGE],  # the own subtree's fees
            "business_responder": [VIEW, MANAGE],  # the product departments prepare fee changes
            "auditor": [VIEW],
        },
        demo="xiaobao.fees.demo.load",  # after the review demo (order 30)
        order=35,
    )

    def ready(self) -> None:
        from xiaobao.fees.services import on_review_concluded
        from xiaobao.review.signals import review_concluded

        review_concluded.connect(on_review_concluded, dispatch_uid="fees.on_review_concluded")
