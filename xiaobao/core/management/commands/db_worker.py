"""`xiaobao db_worker`: django-tasks' database worker, beating a heartbeat while it lives.

Same options as django-tasks-db's command (this one takes its place: `xiaobao.core` is listed before
`django_tasks_db` in INSTALLED_APPS). The heartbeat (`xiaobao.core.jobs.worker_beat`, from a thread, so a
long job does not silence it) lets a queued job's page say when no worker is running.
"""

from __future__ import annotations

import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from xiaobao.core.jobs import worker_beating


class Command(DbWorkerCommand):
    help = "Run the background task worker (reports, imports, exports, e-mails); stops on Ctrl-C or SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        worker_beating(stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
