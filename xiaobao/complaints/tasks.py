"""Background tasks of complaints: thin, fetch the job by id and run the service."""

from __future__ import annotations

from django_tasks import task

from xiaobao.complaints.models import ExportJob


@task()
def complaint_export_task(job_id: int) -> None:
    from xiaobao.complaints.exports import export_run

    job = ExportJob.objects.select_related("requested_by", "org_unit").filter(pk=job_id).first()
    if job is not None:
        export_run(job)
