from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.core.vault.keys import generate_key


class Command(BaseCommand):
    help = "Print a new vault key file (JSON) to standard output; store it outside the database and backups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key-id", default="k1")

    def handle(self, *args: Any, **opts: Any) -> None:
        data = {
            "active": opts["key_id"],
            "keys": {opts["key_id"]: generate_key()},
            "blind_index": generate_key(),
        }
        self.stdout.write(json.dumps(data, indent=2))
