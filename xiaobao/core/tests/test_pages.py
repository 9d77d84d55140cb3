"""Pages: the home desk with administrator warnings, and list pages whose query count does not grow."""

from __future__ import annotations

import pytest
import time_machine

from conftest import make_user
from xiaobao.core.services.consumers import consumer_create

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-23 10:00 +0800")
def test_home_warns_administrators_about_missing_holiday_years(client_for, sysadmin, branch_officer):
    html = client_for(sysadmin).get("/").content.decode()
    assert 'data-testid="admin-warning"' in html and "2027" in html
    html = client_for(branch_officer).get("/").content.decode()
    assert 'data-testid="admin-warning"' not in html
    assert 'data-testid="todo-empty"' in html


def _grow(org, start, n):
    for i in range(start, start + n):
        make_user(f"extra{i}", org.b1s, ["complaint_handler", "approver"])
        consumer_create(actor=None, org_unit=org.b1o, name=f"测试{i}", phone=f"1391234{i:04d}")


@pytest.mark.parametrize(
    "url",
    [
        "/users/",
        "/consumers/",
        "/org/",
        "/audit/",
        "/api/v1/users",
        "/api/v1/consumers",
        "/api/v1/org-units",
        "/api/v1/audit-events",
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    client_for, sysadmin, hq_officer, org, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = sysadmin if "users" in url else hq_officer
    client = client_for(user)
    _grow(org, 0, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(org, 2, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
