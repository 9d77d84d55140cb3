"""Recording the suggestion when a complaint is created, without the complaints or imports code calling us:

- registered (form, API): `post_save` of a new Complaint — the suggestion of the active model for its text
  and the codes chosen, in the registration's transaction (no query at all while no model is active);
- imported: the import writes complaints in bulk (no `post_save`), then its one audit row
  (`action=import`, `outcome=imported`); after that commits, a task records the suggestions of the job's
  complaints in batches, so the import itself is not slowed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def complaint_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    from xiaobao.classification.services import record_registered

    record_registered(instance)


def audit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or instance.action != "import" or instance.object_type != "imports.importjob":
        return
    changes = instance.changes or {}
    if changes.get("outcome") != "imported" or not changes.get("created"):
        return
    from xiaobao.classification.services import active_model

    if active_model()[1] is None:
        return
    job_id = int(instance.object_id)

    def enqueue() -> None:
        from xiaobao.classification.tasks import import_suggestions_task

        import_suggestions_task.enqueue(job_id)

    transaction.on_commit(enqueue)
