"""Background work of directory sign-in: thin, fetch the run by id and run the service."""

from __future__ import annotations

from django_tasks import task


@task()
def directory_sync_task(run_id: int) -> None:
    from xiaobao.directory.models import DirectorySyncRun
    from xiaobao.directory.services import sync_run

    run = DirectorySyncRun.objects.filter(pk=run_id).first()
    if run is not None:
        sync_run(run)
