"""Fixed-window counters in the Django cache (shared by every worker when XIAOBAO_REDIS_URL is set; per
process with the default local-memory cache). Keys hold a digest, never the address or the reference."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Window:
    """A counter: `limit` events per `minutes`, for one kind (`name`) and one subject (an address, a
    reference)."""

    name: str
    subject: str
    limit: int
    minutes: int

    @property
    def seconds(self) -> int:
        return max(60, self.minutes * 60)

    def _bucket(self) -> tuple[str, int]:
        now = int(time.time())
        start = now - now % self.seconds
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:{self.subject}".encode()).hexdigest()[:32]
        return f"portal:{self.name}:{digest}:{start}", start + self.seconds - now

    def count(self) -> int:
        key, _left = self._bucket()
        return int(cache.get(key) or 0)

    def hit(self) -> int:
        """Count one event; the number counted in this window so far."""
        key, left = self._bucket()
        if cache.add(key, 1, timeout=left + 5):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=left + 5)
            return 1

    def full(self) -> bool:
        return self.count() >= self.limit

    def retry_after(self) -> int:
        """Seconds until the window ends."""
        return max(1, self._bucket()[1])
