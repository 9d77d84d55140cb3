"""The time the services record: the present, unless a caller enters past facts at an explicit time.

`recording_at(at)` is for entering what happened earlier — the demo's year of complaints, each step at its
own moment — without moving any clock: only the services' reading of "now" (events, audit rows, decision
and approval times, clocks as of that day) takes `at`, for the calling context only (a context variable:
other threads and requests are untouched). Everything else keeps the real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_recording_at: ContextVar[dt.datetime | None] = ContextVar("recording_at", default=None)


def now() -> dt.datetime:
    """The moment being recorded: `recording_at`'s time inside it, else the present."""
    return _recording_at.get() or timezone.now()


def localdate() -> dt.date:
    return timezone.localtime(now()).date()


@contextmanager
def recording_at(at: dt.datetime | None) -> Iterator[None]:
    """Record what the services write inside this block at `at` (None: the present)."""
    if at is not None and timezone.is_naive(at):
        raise ValueError("recording_at needs an aware datetime")
    token = _recording_at.set(at)
    try:
        yield
    finally:
        _recording_at.reset(token)
