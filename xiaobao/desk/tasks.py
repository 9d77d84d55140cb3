"""Background tasks of the desk: thin, fetch the run by id and run the service."""

from __future__ import annotations

from django_tasks import task

from xiaobao.desk.models import BulkRun


@task()
def desk_bulk_task(run_id: int) -> None:
    from xiaobao.desk.services import bulk_run

    run = BulkRun.objects.select_related("requested_by", "org_unit").filter(pk=run_id).first()
    if run is not None:
        bulk_run(run)
