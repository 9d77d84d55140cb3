"""Background work of imports: a thin task that fetches the job by id and runs it (validation or import)."""

from __future__ import annotations

from django_tasks import task

from xiaobao.imports.models import ImportJob
from xiaobao.imports.services import import_job_run


@task()
def import_job_task(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_run(job=job)


def enqueue(job: ImportJob) -> None:
    """Queue the job's run (the database backend's worker picks it up; tests run it in place)."""
    import_job_task.enqueue(job.pk)
