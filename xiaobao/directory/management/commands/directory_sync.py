"""`xiaobao directory_sync`: read every directory account again (deactivate the gone and the disabled,
update roles and units) and report the counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaobao.directory import services
from xiaobao.directory.models import DirectorySyncRun, SyncTrigger


class Command(BaseCommand):
    help = "Deactivate directory users gone from the directory or disabled there; update roles and units."

    def handle(self, *args: Any, **options: Any) -> None:
        if not services.directory_enabled():
            raise CommandError("No directory is configured (XIAOBAO_LDAP_URI is not set).")
        run = services.sync_run(DirectorySyncRun.objects.create(trigger=SyncTrigger.COMMAND))
        if run.state != "done":
            raise CommandError(f"directory sync failed: {run.error}")
        s = run.summary
        self.stdout.write(
            f"checked={s['checked']} updated={s['updated']} deactivated={s['deactivated']} "
            f"unchanged={s['unchanged']} refused={s['errors']}"
        )
