from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiaobao.core.services.consumers import consumer_rotate_keys
from xiaobao.core.vault.keys import keyring


class Command(BaseCommand):
    help = (
        "Re-encrypt every personal value under the active vault key (after adding a new key and making it "
        "active). Old keys can be removed once this reports 0 rows on a second run."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        changed = consumer_rotate_keys(actor=None)
        self.stdout.write(f"active key {keyring().active}: {changed} rows re-encrypted")
