from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

MANAGE = "classification.manage_classifier"


class ClassificationConfig(AppConfig):
    """智能分类: business type and cause suggested from a complaint's text by a character n-gram linear model
    trained on the institution's own confirmed complaints (versioned, measured on a held-out part), and
    similar complaints."""

    name = "xiaobao.classification"
    label = "classification"
    verbose_name = _("Assisted classification")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("classification:home", _("Assisted classification"), MANAGE, order=13, group="admin")],
        roles={"sysadmin": [MANAGE], "hq_cp_officer": [MANAGE]},
        panels={"complaints.complaint": ["classification/_similar.html"]},
        demo="xiaobao.classification.demo.load",
        order=14,
    )

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xiaobao.classification import signals
        from xiaobao.complaints.models import Complaint
        from xiaobao.core.models.audit import AuditEvent

        post_save.connect(signals.complaint_saved, sender=Complaint, dispatch_uid="classification_complaint")
        post_save.connect(signals.audit_saved, sender=AuditEvent, dispatch_uid="classification_import")
