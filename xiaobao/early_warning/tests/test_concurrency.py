"""Two scans at once (two workers, or a retry overlapping a slow scan) never store or tell a warning twice.

Real threads on real database connections (SQLite serialises writers; PostgreSQL: the unique dedupe key).
"""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from xiaobao.complaints.models import Notification
from xiaobao.early_warning.models import EarlyWarning, WarningScanRun, WatchWord
from xiaobao.early_warning.scan import ScanReport, warning_scan

from .conftest import DAY, NOW, travel

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted below
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_scans_store_each_warning_once(register, b1_handler, branch_officer):
    # given a spike, a watch word, a group complaint and a repeat complainant, not yet scanned
    WatchWord.objects.exclude(word="曝光").delete()
    WatchWord.objects.get_or_create(word="曝光")
    with travel(NOW):
        for back in range(28, 0, -1):
            register(b1_handler, DAY.fromordinal(DAY.toordinal() - back), complainant={"name": f"客户{back}"})
        register(b1_handler, DAY, n=8, hour=14, complainant={"name": "某客户"}, description="要曝光")
        register(b1_handler, DAY, people_count=30, complainant={"name": "集体"})
        register(b1_handler, DAY, n=3)  # same ID number three times
    # when three scans run at the same moment
    with travel(NOW):
        results = _race(3, lambda i: warning_scan(today=DAY))
    # then every scan finished, and each warning and each notification exists once
    assert all(isinstance(r, ScanReport) for r in results), results
    kinds = list(EarlyWarning.objects.values_list("kind", flat=True))
    assert kinds.count("spike") == 1 and kinds.count("repeat_complainant") == 1
    assert kinds.count("watch_word") == 8 and kinds.count("group_or_major") == 1
    assert sum(sum(r.created.values()) for r in results) == len(kinds)
    keys = list(Notification.objects.filter(kind="early_warning").values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) >= len(kinds)
    assert WarningScanRun.objects.filter(finished_at__isnull=False).count() == 3
