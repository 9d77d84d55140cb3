from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class ReviewConfig(AppConfig):
    """Consumer-protection review (消保审查) of products, fees, contracts and marketing: requests, opinions
    and their adoption, approvals bound to the exact file."""

    name = "xiaobao.review"
    label = "review"
    verbose_name = _("Consumer-protection review")
    module = Module(order=30)  # type: ignore[assignment]  # AppConfig.module is the Python module
