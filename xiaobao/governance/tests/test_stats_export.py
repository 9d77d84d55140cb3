"""The statistics section (by unit with drill-down to the filtered item list, units without a liaison), the
registers' Excel export (A4, institution name, names not codes, personal data masked, scoped), extensions
through the pages and the API, and the number of queries of the list pages (flat as rows grow)."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.governance.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def registers(org, officer, owner, open_item):
    """An overdue item at the outlet (due 2026-03-16), one closed on time, a liaison at the sub-branch, a
    supervisor with feedback."""
    from xiaobao.governance import services as svc

    late, done = open_item(), open_item(title="按期完成的事项", due_on="2026-03-20")
    with at("2026-03-10"):
        svc.evidence_add(actor=owner, item=done, fileobj=BytesIO(b"%PDF-1.4\n%%EOF\n"), name="证明.pdf")
        svc.action_transition(actor=owner, item=done, action="submit", data={"result": "已完成"})
        svc.action_transition(actor=officer, item=done, action="close", data={})
        svc.liaison_add(
            actor=officer,
            data={"org_unit": org.b1s.code, "name": "张联络", "phone": "13800001111", "since": "2026-01-01"},
        )
        sup = svc.supervisor_add(
            actor=officer,
            data={
                "org_unit": org.b1.code,
                "name": "赵监督员",
                "phone": "13912345678",
                "occupation": "教师",
                "term_start": "2026-01-01",
            },
        )
        svc.feedback_add(
            actor=officer,
            supervisor=sup,
            data={
                "received_on": "2026-03-09",
                "channel": "phone",
                "content": "等候时间长",
                "owner": owner.username,
            },
        )
    with at("2026-03-20"):
        svc.action_recompute_clocks(late)
    return {"late": late, "done": done, "supervisor": sup}


def test_stats_section_by_unit_with_drill_down_and_units_without_liaison(org, officer, registers):
    from xiaobao.analytics.periods import Period
    from xiaobao.governance.stats import stats_section

    # when the branch looks at Q1 2026 on 2026-03-20
    with at("2026-03-20"):
        section = stats_section(user=officer, unit=org.b1, period=Period.quarter(2026, 1))
    # then the sub-branch row holds the items (the outlet lies below it), one overdue, one on time of two due
    assert section is not None
    rows = {r.key: r for r in section["rows"]}
    sub = rows[org.b1s.code]
    assert (sub.open, sub.overdue, sub.due, sub.on_time) == (2, 1, 2, 1)  # the feedback item is open too
    assert rows[org.b1.code].meetings == 1  # the branch's own body met once
    assert section["total"].on_time_rate == 0.5
    # the drill-down opens the item list filtered to the sub-branch, overdue
    url = urlparse(sub.urls["overdue"])
    assert url.path == "/governance/items/" and parse_qs(url.query) == {
        "unit": ["B1-S1"],
        "view": ["overdue"],
    }
    # the branch itself and the outlet have no liaison; the sub-branch does
    gaps = {u.code for u in section["gaps"]}
    assert org.b1.code in gaps and org.b1o.code in gaps and org.b1s.code not in gaps


def test_stats_section_is_none_outside_the_scope(org, other_officer, registers):
    from xiaobao.analytics.periods import Period
    from xiaobao.governance.stats import stats_section

    assert stats_section(user=other_officer, unit=org.b1, period=Period.quarter(2026, 1)) is None


def test_statistics_page_shows_the_section_and_the_drill_down_list_matches(
    org, officer, registers, client_for
):
    # given the officer's browser on 2026-03-20
    c = client_for(officer)
    with at("2026-03-20"):
        page = c.get(reverse("analytics:dashboard"), {"unit": org.b1.code, "period": "2026-Q1"})
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="governance-figures"' in html
        # when the overdue drill-down is followed
        listing = c.get("/governance/items/", {"unit": org.b1s.code, "view": "overdue"})
    # then exactly the late item is listed
    assert listing.status_code == 200
    body = listing.content.decode()
    assert registers["late"].reference in body and registers["done"].reference not in body


def test_export_workbook_a4_institution_names_masked_and_scoped(
    org, officer, other_officer, registers, client_for
):
    from xiaobao.reports.builders import institution_name

    # when the branch exports Q1 2026
    with at("2026-03-20"):
        resp = client_for(officer).get("/governance/export/", {"unit": org.b1.code, "period": "2026-Q1"})
        other = client_for(other_officer).get(
            "/governance/export/", {"unit": org.b1.code, "period": "2026-Q1"}
        )
    # then a workbook of every register
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content))
    assert len(wb.sheetnames) == 7
    text = "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert str(ws["A1"].value).startswith(institution_name())
    # names, not codes; the supervisor's name and every phone masked
    assert "中关村网点" in text and "北京分行" in text
    assert "B1-S1-O1" not in text.replace(registers["late"].reference, "")
    assert "赵监督员" not in text and "13912345678" not in text and "13800001111" not in text
    assert registers["late"].reference in text and "等候时间长" in text
    # another branch cannot export this one's registers
    assert other.status_code == 404


def test_export_refuses_a_bad_period_without_a_500(officer, client_for):
    resp = client_for(officer).get("/governance/export/", {"period": "2026-Q9"})
    assert resp.status_code == 400


def test_extension_through_the_page_and_the_api(open_item, owner, verifier, client_for, api_for):
    item = open_item()
    with at("2026-03-12"):
        # when the owner asks on the page with an earlier day, then a field error (400), nothing stored
        page = client_for(owner).post(
            f"/governance/items/{item.pk}/actions/extend/",
            {"version": item.version, "to_date": "2026-03-01", "reason": "延期"},
        )
        assert page.status_code in (400, 422) and not item.extensions.exists()
        # when the owner asks properly on the page
        page = client_for(owner).post(
            f"/governance/items/{item.pk}/actions/extend/",
            {"version": item.version, "to_date": "2026-04-10", "reason": "设备到货延迟"},
        )
        assert page.status_code == 302
        # then the branch head approves through the API, with a stale version first
        api = api_for(verifier)
        path = f"/api/v1/governance/action-items/{item.pk}/actions/approve_extension"
        stale = api.post(path, {}, content_type="application/json", headers={"If-Match": "1"})
        assert stale.status_code == 409
        ok = api.post(path, {"note": "同意"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    data = ok.json()
    assert data["due_on"] == "2026-04-10"
    assert [x["state"] for x in data["extensions"]] == ["approved"]
    assert "approve_extension" not in data["allowed_actions"]


@pytest.mark.parametrize(
    "path",
    [
        "/governance/items/",
        "/governance/meetings/",
        "/governance/bodies/",
        "/governance/feedback/",
        "/governance/supervisors/",
        "/governance/liaisons/",
        "/governance/",
    ],
)
def test_list_pages_take_the_same_queries_for_more_rows(
    path, org, officer, owner, meeting, registers, open_item, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaobao.governance import services as svc

    c = client_for(officer)
    with at("2026-03-20"):
        with CaptureQueriesContext(connection) as few:
            assert c.get(path).status_code == 200
        # given many more rows of every kind
        for n in range(6):
            open_item(title=f"事项{n}")
        with at("2026-03-20"):
            for n in range(4):
                svc.feedback_add(
                    actor=officer,
                    supervisor=registers["supervisor"],
                    data={
                        "received_on": "2026-03-09",
                        "channel": "letter",
                        "content": f"意见{n}",
                        "owner": owner.username,
                    },
                )
                svc.supervisor_add(
                    actor=officer,
                    data={
                        "org_unit": org.b1s.code,
                        "name": f"监督员{n}",
                        "occupation": "律师",
                        "term_start": "2026-01-01",
                    },
                )
            body = svc.body_create(
                actor=officer, data={"kind": "other", "org_unit": org.b1.code, "name": "专项小组"}
            )
            svc.meeting_create(
                actor=officer,
                body=body,
                data={"held_on": "2026-03-19", "kind": "special", "title": "专题会", "topics": "议题"},
            )
        # then the page takes no more queries than before
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert c.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/governance/feedback?supervisor=99999999999999999",
        "/api/v1/governance/meetings?body=99999999999999999",
        "/api/v1/governance/action-items?body=99999999999999999",
    ],
)
def test_api_huge_ids_are_refused_not_a_server_error(path, officer, api_for):
    # when an id filter is beyond any database id / then a 4xx in the API's error shape
    resp = api_for(officer).get(path)
    assert 400 <= resp.status_code < 500 and "code" in resp.json()
