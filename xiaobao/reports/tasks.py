"""Background tasks of reports: thin, fetch the job by id and run the service."""

from __future__ import annotations

from django_tasks import task

from xiaobao.reports.models import ReportJob
from xiaobao.reports.services import report_run


@task()
def report_generate_task(job_id: int) -> None:
    job = ReportJob.objects.select_related("requested_by", "org_unit", "template").filter(pk=job_id).first()
    if job is not None:
        report_run(job)
