"""`xiaobao flush`: Django's flush, which empties every table, also the append-only audit trail on SQLite.

On PostgreSQL flush truncates (row triggers do not fire). On SQLite it deletes row by row, which the audit
trail's triggers refuse: emptying the whole database is the one maintenance operation that lifts them, for
its own duration (the test suite flushes between transactional tests).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

TRIGGERS = ("core_auditevent_no_delete", "core_auditevent_no_update")


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with connection.cursor() as cur:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)", TRIGGERS
            )
            saved = cur.fetchall()
            for name, _sql in saved:
                cur.execute(f'DROP TRIGGER "{name}"')
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cur:
                for _name, sql in saved:
                    cur.execute(sql)
