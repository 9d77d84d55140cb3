"""A complaint anonymised after its retention period (complaints.retention) takes its notes' texts with it:
notes may carry personal data, and the purge must leave none. The notes stay (author, time) with the text
replaced, as the purge does for events and extensions."""

from __future__ import annotations

from typing import Any


def complaint_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if not getattr(instance, "anonymised_at", None):
        return
    if update_fields is not None and "anonymised_at" not in update_fields:
        return
    from xiaobao.complaints.retention import ANONYMISED
    from xiaobao.notes.models import Note

    Note.objects.filter(complaint_id=instance.pk).exclude(text=ANONYMISED).update(text=ANONYMISED)
