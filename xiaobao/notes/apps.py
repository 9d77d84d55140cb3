from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

WRITE = "notes.write_note"
MANAGE = "notes.manage_replytemplate"


class NotesConfig(AppConfig):
    """Internal notes on complaints with @mentions (never shown to the complainant) and templates for
    decision text and notices per business type and cause."""

    name = "xiaobao.notes"
    label = "notes"
    verbose_name = _("Notes and templates")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("notes:templates", _("Reply templates"), MANAGE, order=12, group="admin")],
        roles={
            "hq_cp_officer": [WRITE, MANAGE],
            "branch_cp_officer": [WRITE, MANAGE],
            "complaint_handler": [WRITE],
            "business_responder": [WRITE],
            "approver": [WRITE],
        },
        panels={"complaints.complaint": ["notes/_notes_panel.html"]},
        demo="xiaobao.notes.demo.load",
        order=11,
    )

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xiaobao.notes.signals import complaint_saved

        post_save.connect(complaint_saved, sender="complaints.Complaint", dispatch_uid="notes.anonymise")
