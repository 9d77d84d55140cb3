"""The desk in a real Chromium (zh-Hans): select rows of the complaint list, assign them in bulk, watch the
run's progress and read its summary; save a filtered view and see its count on the home page.
Screenshots: var/screenshots/desk-*.png."""

from __future__ import annotations

import re
import threading

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register
from xiaobao.core.jobs import worker_beat
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.desk.models import BulkRun
from xiaobao.desk.tasks import desk_bulk_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".topbar { position: static !important; }")
    page.screenshot(path=str(SCREENSHOT_DIR / f"desk-{name}.png"), full_page=True)


def _seed(officer, org):
    now = timezone.now()
    made = []
    for i, (name, major) in enumerate([("李某", False), ("赵某某", True), ("钱某", False), ("孙某某", True)]):
        c, _ = complaint_register(
            actor=officer,
            data={
                "received_at": now - timezone.timedelta(days=4 - i),
                "channel": "A0302",
                "business_type": "B0303",
                "cause": "C07",
                "org_unit": org.b1s.code,
                "complainant": {"name": name},
                "request": "请求核实并处理",
                "description": "客户来电反映问题。",
                "is_major": major,
                "major_reason": "媒体关注" if major else "",
            },
        )
        made.append(c)
    return made


def test_bulk_assign_with_progress_and_a_saved_view_on_the_home_page(
    page, login, live_server, org, settings, tmp_path
):
    # tasks wait for a worker (this test plays it), so the page shows the run queued first
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.DATA_DIR = tmp_path
    officer = make_user("branch1_cp", org.b1, ["branch_cp_officer"])
    make_user("b1_handler", org.b1s, ["complaint_handler"])
    complaints = _seed(officer, org)
    closed = complaints[0]
    Complaint.objects.filter(pk=closed.pk).update(status="closed")
    worker_beat()

    login(page, "branch1_cp")
    page.goto("/complaints/")
    expect(page.get_by_test_id("bulk-form")).to_be_visible()
    # select every row of the page, then one off again
    page.get_by_test_id("bulk-select-page").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("4")
    page.get_by_label(complaints[3].reference).uncheck()
    expect(page.locator("[data-bulk-count]")).to_have_text("3")
    page.get_by_test_id("bulk-action").select_option("assign")
    page.get_by_test_id("bulk-handler").select_option("b1_handler")
    _shot(page, "01-list-selected")
    page.get_by_test_id("bulk-run").click()

    # the run's page: queued, then the worker takes it and the polled progress reaches the summary
    expect(page).to_have_url(re.compile(r"/desk/bulk/\d+/$"))
    run = BulkRun.objects.get()
    expect(page.get_by_test_id("job")).to_have_attribute("data-state", "queued")
    _shot(page, "02-run-queued")
    worker = threading.Thread(target=desk_bulk_task.call, args=(run.pk,))
    worker.start()
    worker.join()
    expect(page.get_by_test_id("bulk-summary")).to_have_attribute("data-state", "done", timeout=15_000)
    expect(page.get_by_test_id("bulk-succeeded")).to_contain_text("成功 2 件")
    expect(page.get_by_test_id("bulk-failed")).to_contain_text("未更改 1 件")
    expect(page.get_by_test_id("bulk-failure")).to_contain_text(closed.reference)
    expect(page.get_by_test_id("bulk-failure")).to_contain_text("已办结，不能分派")
    _shot(page, "03-run-summary")
    assert Complaint.objects.filter(handler__username="b1_handler").count() == 2

    # save the list filtered to major complaints, shared with the branch
    page.goto("/complaints/?major=true&ordering=due")
    page.get_by_test_id("view-name").fill("重大投诉按到期")
    page.get_by_test_id("view-shared").check()
    page.get_by_test_id("view-save").click()
    expect(page.get_by_test_id("saved-view")).to_contain_text("重大投诉按到期")
    expect(page.locator('[data-testid="saved-view"][aria-current="true"]')).to_have_count(1)
    _shot(page, "04-view-saved")

    # the home page counts it
    page.goto("/")
    panel = page.get_by_test_id("home-saved-views")
    expect(panel).to_contain_text("重大投诉按到期")
    expect(panel.get_by_test_id("home-view-count")).to_have_text("2")
    _shot(page, "05-home-counts")
