"""Background work of classification: training a version, recording an import's suggestions."""

from __future__ import annotations

from django_tasks import task


@task()
def training_task(job_id: int) -> None:
    from xiaobao.classification.models import TrainingJob
    from xiaobao.classification.services import training_job_run

    job = TrainingJob.objects.filter(pk=job_id).first()
    if job is not None:
        training_job_run(job)


@task()
def import_suggestions_task(job_id: int) -> None:
    from xiaobao.classification.services import record_import_job

    record_import_job(job_id)
