"""The complaint pages: list and export, intake with the earlier-complaints hint, detail and actions,
attachments, approvals, notifications, and the home desk."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from xiaobao.complaints.models import Attachment, Complaint, Notification
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.models import AuditEvent, Consumer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


@pytest.fixture
def registered(branch_officer, payload):
    def make(actor=None, **over):
        complaint, _ = complaint_register(actor=actor or branch_officer, data=payload(**over))
        return complaint

    return make


def intake_data(org, **over):
    data = {
        "channel": "A0302",
        "received_at": "2026-03-02T10:30",
        "source": "direct",
        "org_unit": org.b1s.code,
        "complainant_name": "张伟",
        "complainant_role": "self",
        "complainant_id_number": "110108199003070016",
        "complainant_phone": "13812345678",
        "business_type": "B0303",
        "cause": "C07",
        "request": "退还多收的年费 200 元",
        "description": "客户称信用卡年费未经同意扣收，要求退还。",
        "people_count": "1",
        "special_groups": ["elderly"],
        "idempotency_key": "k-1",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def act(client, complaint, action, **data):
    data.setdefault("version", Complaint.objects.get(pk=complaint.pk).version)
    return client.post(reverse("complaints:action", args=[complaint.pk, action]), data)


# --- list and export ------------------------------------------------------------------------------------


def test_list_shows_only_visible_complaints_and_filters(
    client_for, branch_officer, b2_handler, registered, org
):
    # given one complaint in each branch, one of them major
    mine = registered()
    major = registered(is_major=True, major_reason="媒体关注")
    theirs = registered(actor=b2_handler, org_unit=org.b2s.code)
    client = client_for(branch_officer)
    # when
    html = client.get(reverse("complaints:list")).content.decode()
    # then the other branch's complaint is not there
    assert mine.reference in html and major.reference in html
    assert theirs.reference not in html
    # and a filter narrows the list
    html = client.get(reverse("complaints:list"), {"major": "true"}).content.decode()
    assert major.reference in html and mine.reference not in html
    html = client.get(reverse("complaints:list"), {"q": mine.reference}).content.decode()
    assert mine.reference in html and major.reference not in html


def test_list_with_invalid_filter_is_400(client_for, branch_officer):
    response = client_for(branch_officer).get(
        reverse("complaints:list"), {"received_from": "2026-03-05", "received_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_list_htmx_answers_the_results_partial(client_for, branch_officer, registered):
    c = registered()
    response = client_for(branch_officer).get(reverse("complaints:list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and c.reference in html
    assert "<html" not in html and 'id="results"' in html


def test_list_shows_due_date_urgency(client_for, branch_officer, registered):
    # given a complaint received on 2 March (due 17 March)
    registered()
    # when it is 15 March
    with time_machine.travel("2026-03-15 09:00 +0800", tick=False):
        html = client_for(branch_officer).get(reverse("complaints:list")).content.decode()
    # then the due date is amber with a countdown
    assert "2026-03-17" in html and 'class="due warn"' in html


def test_export_is_masked_and_audited(client_for, branch_officer, registered):
    from openpyxl import load_workbook

    # given a complaint whose complainant has an ID number and a phone
    c = registered()
    # when
    response = client_for(branch_officer).get(reverse("complaints:export"), {"open": "true"})
    # then the workbook has the masked name only
    assert response.status_code == 200
    cells = [
        str(v)
        for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert c.reference in cells
    assert c.complainant.masked_name in cells and "张伟" not in cells
    assert not any("13812345678" in v or "110108199003070016" in v for v in cells)
    # and the export is in the audit trail with the filters and the row count
    event = AuditEvent.objects.get(action="export", object_type="complaints.complaint")
    assert event.changes["rows"] == 1 and event.changes["filters"] == {"open": "True"}


def test_export_needs_the_permission(client_for, org):
    handler = make_user("plain_handler", org.b1s, ["complaint_handler"])
    assert client_for(handler).get(reverse("complaints:export")).status_code == 403


# --- intake -----------------------------------------------------------------------------------------------


def test_intake_form_defaults(client_for, b1_handler):
    html = client_for(b1_handler).get(reverse("complaints:create")).content.decode()
    assert 'value="2026-03-02T11:00"' in html  # received now
    assert f'<option value="{b1_handler.org_unit.code}" selected' in html  # the user's unit
    assert "<optgroup" in html and 'data-picker="code"' in html and "autofocus" in html


def test_intake_creates_a_complaint(client_for, b1_handler, org):
    # when
    response = client_for(b1_handler).post(reverse("complaints:create"), intake_data(org))
    # then
    c = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("complaints:detail", args=[c.pk])
    assert c.channel.code == "A0302" and c.org_unit == org.b1s and c.special_groups == ["elderly"]
    assert c.priority == "high" and c.registered_by == b1_handler
    assert c.complainant.name == "张伟"


def test_intake_twice_with_the_same_key_registers_once(client_for, b1_handler, org):
    client = client_for(b1_handler)
    client.post(reverse("complaints:create"), intake_data(org))
    response = client.post(reverse("complaints:create"), intake_data(org))
    assert response.status_code == 302 and Complaint.objects.count() == 1


def test_intake_bad_input_is_400_with_field_errors_and_writes_nothing(client_for, b1_handler, org):
    # given a form without a name, with an unknown channel and a future time
    data = intake_data(org, complainant_name="", channel="ZZZ", received_at="2099-01-01T10:00")
    # when
    response = client_for(b1_handler).post(reverse("complaints:create"), data)
    # then
    assert response.status_code == 400
    form = response.context["form"]
    assert {"complainant_name", "channel", "received_at"} <= set(form.errors)
    assert Complaint.objects.count() == 0 and Consumer.objects.count() == 0


def test_intake_service_errors_land_on_their_fields(client_for, b1_handler, org):
    # given input the form accepts but the service refuses (unknown staff, bad ID check digit)
    data = intake_data(org, staff_named="nobody", complainant_id_number="110108199003070017")
    # when
    response = client_for(b1_handler).post(reverse("complaints:create"), data)
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "staff_named" in errors or "complainant_id_number" in errors
    assert Complaint.objects.count() == 0 and Consumer.objects.count() == 0


def test_lookup_hint_finds_earlier_complaints_without_echoing_the_number(client_for, b1_handler, registered):
    # given an earlier complaint of the same consumer
    earlier = registered()
    client = client_for(b1_handler)
    # when the hint is asked with the intake form's own field
    response = client.post(
        reverse("complaints:lookup"), {"field": "phone", "complainant_phone": "138 1234 5678"}
    )
    # then it names the complaint, not the number
    html = response.content.decode()
    assert response.status_code == 200 and earlier.reference in html
    assert "13812345678" not in html and "138 1234 5678" not in html
    # and an unknown ID number finds nothing
    html = client.post(
        reverse("complaints:lookup"), {"field": "id_number", "value": "11010519491231002X"}
    ).content.decode()
    assert earlier.reference not in html and "lookup-hint" in html


def test_lookup_refuses_an_unknown_field(client_for, b1_handler):
    response = client_for(b1_handler).post(reverse("complaints:lookup"), {"field": "name", "value": "x"})
    assert response.status_code == 400


def test_lookup_is_scoped(client_for, b2_handler, registered):
    registered()
    html = (
        client_for(b2_handler)
        .post(reverse("complaints:lookup"), {"field": "phone", "value": "13812345678"})
        .content.decode()
    )
    assert "TS2026" not in html


# --- detail and actions -------------------------------------------------------------------------------------


def test_detail_shows_allowed_actions_clocks_and_timeline(client_for, branch_officer, registered):
    c = registered()
    html = client_for(branch_officer).get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'data-testid="action-assign"' in html and 'data-testid="action-decline"' in html
    assert 'data-testid="action-notify"' not in html and 'data-testid="action-archive"' not in html
    assert "2026-03-17" in html  # decision due date
    assert 'data-testid="timeline"' in html and "nfra-2020" in html
    assert c.complainant.masked_name in html and "13812345678" not in html


def test_detail_of_another_branch_is_404(client_for, other_branch_officer, registered):
    c = registered()
    assert client_for(other_branch_officer).get(reverse("complaints:detail", args=[c.pk])).status_code == 404


def test_description_is_escaped(client_for, branch_officer, registered):
    c = registered(description="<script>alert(1)</script> 年费")
    html = client_for(branch_officer).get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_action_form_is_an_htmx_partial(client_for, branch_officer, b1_handler, registered):
    c = registered()
    client = client_for(branch_officer)
    response = client.get(reverse("complaints:action", args=[c.pk, "assign"]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'name="version"' in html and 'value="b1_handler"' in html
    # without JavaScript it is a page of its own
    assert "<html" in client.get(reverse("complaints:action", args=[c.pk, "assign"])).content.decode()


def test_action_post_moves_the_status(client_for, branch_officer, b1_handler, registered):
    c = registered()
    response = act(client_for(branch_officer), c, "assign", handler="b1_handler")
    assert response.status_code == 302 and response["Location"] == reverse("complaints:detail", args=[c.pk])
    c.refresh_from_db()
    assert c.status == "assigned" and c.handler == b1_handler


def test_action_over_htmx_returns_the_refreshed_detail(client_for, branch_officer, b1_handler, registered):
    c = registered()
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    response = client_for(b1_handler).post(
        reverse("complaints:action", args=[c.pk, "accept"]),
        {"version": Complaint.objects.get(pk=c.pk).version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#complaint-detail"
    html = response.content.decode()
    assert 'id="complaint-detail"' in html and "<html" not in html
    assert Complaint.objects.get(pk=c.pk).status == "in_progress"


def test_stale_version_is_409_with_a_message(client_for, branch_officer, b1_handler, registered):
    # given the officer opened the complaint at version 1, then someone else changed it
    c = registered()
    complaint_transition(actor=b1_handler, complaint=c, action="contact", data={"method": "phone"})
    # when the officer submits with the old version
    response = act(client_for(branch_officer), c, "assign", handler="b1_handler", version=1)
    # then
    assert response.status_code == 409
    assert "刷新后重试" in response.content.decode()  # "Reload and try again" in the default language
    assert Complaint.objects.get(pk=c.pk).status == "registered"


def test_recusal_is_a_field_error(client_for, branch_officer, b1_handler, registered):
    c = registered(staff_named=["b1_handler"])
    response = act(client_for(branch_officer), c, "assign", handler="b1_handler")
    assert response.status_code == 400
    assert "handler" in response.context["form"].errors
    assert Complaint.objects.get(pk=c.pk).status == "registered"


def test_action_form_validation_is_400(client_for, branch_officer, b1_handler, registered):
    c = registered()
    client = client_for(branch_officer)
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    response = act(client_for(b1_handler), c, "follow_up", satisfaction="9")
    assert response.status_code in (400, 409)
    response = act(client, c, "pause", reason="holiday", date="not-a-date")
    assert response.status_code == 400
    assert {"reason", "date"} <= set(response.context["form"].errors)


def test_action_not_possible_now_is_409(client_for, branch_officer, registered):
    c = registered()
    response = client_for(branch_officer).get(reverse("complaints:action", args=[c.pk, "notify"]))
    assert response.status_code == 409


def test_action_without_the_permission_is_403_and_unknown_action_404(client_for, org, registered):
    c = registered()
    auditor_b1 = make_user("reader", org.b1, ["business_responder"])
    client = client_for(auditor_b1)
    assert client.get(reverse("complaints:action", args=[c.pk, "assign"])).status_code == 403
    assert client.get(reverse("complaints:action", args=[c.pk, "explode"])).status_code == 404


def test_whole_path_to_archive_through_the_pages(client_for, branch_officer, b1_handler, registered):
    c = registered()
    officer, handler = client_for(branch_officer), client_for(b1_handler)
    assert act(officer, c, "assign", handler="b1_handler").status_code == 302
    steps = [
        ("accept", {}),
        ("contact", {"method": "phone", "date": "2026-03-02", "summary": "已电话联系"}),
        ("draft", {"verification": "调取记录", "basis": "合同第5条", "result": "退还年费", "remedies": ""}),
        ("notify", {"method": "sms", "at": "2026-03-02T10:59", "proof": "短信回执"}),
        ("follow_up", {"satisfaction": "5", "comment": "满意"}),
        ("close", {"liability": "at_fault", "root_cause": "规则未同步", "redress_amount": "200"}),
        ("archive", {}),
    ]
    for action, data in steps:
        response = act(handler, c, action, **data)
        assert response.status_code == 302, (action, response.content[:800])
    c.refresh_from_db()
    assert c.status == "archived" and c.satisfaction == 5 and str(c.redress_amount) == "200.00"


def test_notice_only_when_a_decision_is_drafted(client_for, branch_officer, b1_handler, registered):
    c = registered()
    client = client_for(b1_handler)
    assert client.get(reverse("complaints:notice", args=[c.pk])).status_code == 409
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    complaint_transition(
        actor=b1_handler,
        complaint=c,
        action="draft",
        data={"verification": "调取记录", "basis": "合同<第5条>", "result": "退还年费 200 元"},
    )
    response = client.get(reverse("complaints:notice", args=[c.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and c.reference in html and "退还年费 200 元" in html
    assert "合同&lt;第5条&gt;" in html


# --- attachments ------------------------------------------------------------------------------------------


def test_upload_refuses_an_exe_renamed_pdf_and_accepts_a_pdf(client_for, b1_handler, registered):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = registered()
    client = client_for(b1_handler)
    url = reverse("complaints:attachment_upload", args=[c.pk])
    # when an executable is named .pdf
    response = client.post(url, {"file": SimpleUploadedFile("scan.pdf", EXE), "kind": "evidence"})
    # then it is refused on its content
    assert response.status_code == 400 and "file" in response.context["upload_form"].errors
    assert Attachment.objects.count() == 0
    # and a real PDF is stored and served as a download that the browser must not sniff
    response = client.post(url, {"file": SimpleUploadedFile("letter.pdf", PDF), "kind": "letter"})
    assert response.status_code == 302
    att = Attachment.objects.get()
    download = client.get(reverse("complaints:attachment", args=[c.pk, att.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


def test_attachment_of_another_complaint_is_404(client_for, b1_handler, registered):
    from xiaobao.complaints.attachments import attachment_add

    a, b = registered(), registered(request="另一件")
    att = attachment_add(actor=b1_handler, complaint=b, fileobj=BytesIO(PDF), name="x.pdf")
    response = client_for(b1_handler).get(reverse("complaints:attachment", args=[a.pk, att.pk]))
    assert response.status_code == 404


# --- queue, approvals, notifications, home ------------------------------------------------------------------


def test_queue_lists_my_complaints_and_the_unit_inbox(client_for, branch_officer, b1_handler, registered):
    mine, waiting = registered(), registered(request="待受理")
    complaint_transition(
        actor=branch_officer, complaint=mine, action="assign", data={"handler": "b1_handler"}
    )
    complaint_transition(actor=b1_handler, complaint=mine, action="accept", data={})
    html = client_for(b1_handler).get(reverse("complaints:queue")).content.decode()
    queue_part, inbox_part = html.split('data-testid="unit-inbox"')
    assert mine.reference in queue_part and waiting.reference in inbox_part


def test_approvals_show_pending_decisions_and_approve(
    client_for, branch_officer, b1_handler, b1_approver, registered
):
    # given a major complaint whose decision needs approval
    c = registered(is_major=True, major_reason="群体")
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    draft = {"verification": "v", "basis": "b", "result": "r"}
    complaint_transition(actor=b1_handler, complaint=c, action="draft", data=draft)
    complaint_transition(actor=b1_handler, complaint=c, action="submit", data={})
    client = client_for(b1_approver)
    # when
    html = client.get(reverse("complaints:approvals")).content.decode()
    # then
    assert c.reference in html
    response = act(client, c, "approve", next=reverse("complaints:approvals"))
    assert response.status_code == 302 and response["Location"] == reverse("complaints:approvals")
    c.refresh_from_db()
    assert c.status == "drafted" and c.decision_approved_by == b1_approver


def test_approvals_need_the_permission(client_for, b1_handler):
    assert client_for(b1_handler).get(reverse("complaints:approvals")).status_code == 403


def test_notifications_mark_read(client_for, b1_handler, registered):
    c = registered()
    n = Notification.objects.create(
        user=b1_handler, complaint=c, kind="assigned", message="分派", dedupe_key="t1"
    )
    client = client_for(b1_handler)
    assert "分派" in client.get(reverse("complaints:notifications")).content.decode()
    assert client.post(reverse("complaints:notifications"), {}).status_code == 400
    assert client.post(reverse("complaints:notifications"), {"ids": ["x"]}).status_code == 400
    response = client.post(reverse("complaints:notifications"), {"ids": [n.pk]})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_home_desk_lists_queue_inbox_and_notifications(client_for, branch_officer, b1_handler, registered):
    c, waiting = registered(), registered(request="待受理")
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    Notification.objects.create(
        user=b1_handler, complaint=c, kind="assigned", message="已分派给您", dedupe_key="h1"
    )
    html = client_for(b1_handler).get("/").content.decode()
    assert 'data-testid="todo-empty"' not in html
    assert c.reference in html and "2026-03-17" in html and "已分派给您" in html
    assert 'data-testid="todo-inbox"' in html
    assert waiting.reference not in html  # the inbox is a count, not a list


def test_navigation_has_the_complaints_module(client_for, branch_officer, no_role_user):
    assert reverse("complaints:list") in client_for(branch_officer).get("/").content.decode()
    assert reverse("complaints:list") not in client_for(no_role_user).get("/").content.decode()


# --- query counts -------------------------------------------------------------------------------------------


def _grow(actor, payload, start, n):
    for i in range(start, start + n):
        data = payload(request=f"诉求{i}", complainant={"name": f"客户{i}", "phone": f"1391234{i:04d}"})
        yield complaint_register(actor=actor, data=data)[0]


@pytest.mark.parametrize("url", ["complaints:list", "complaints:queue", "complaints:approvals", "core:home"])
def test_page_query_count_does_not_grow_with_rows(
    client_for, org, payload, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import make_power_user

    user = make_power_user("power_q", org.b1s)
    client = client_for(user)

    def grow(start, n):
        for c in _grow(user, payload, start, n):
            complaint_transition(actor=user, complaint=c, action="assign", data={"handler": "power_q"})
            complaint_transition(actor=user, complaint=c, action="accept", data={})
        list(_grow(user, payload, start + 1000, n))  # left waiting in the unit inbox

    grow(0, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url)).status_code == 200
    grow(2, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url)).status_code == 200


def test_list_ignores_empty_filter_values(client_for, branch_officer, registered):
    c = registered()
    response = client_for(branch_officer).get(
        reverse("complaints:list"), {"status": "", "q": "", "open": "true", "ordering": ""}
    )
    assert response.status_code == 200 and c.reference in response.content.decode()


def test_action_without_version_says_why(client_for, branch_officer, registered):
    c = registered()
    response = client_for(branch_officer).post(
        reverse("complaints:action", args=[c.pk, "assign"]), {"handler": "b1_handler"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Complaint.objects.get(pk=c.pk).status == "registered"


def test_detail_query_count_does_not_grow_with_the_timeline(
    client_for, branch_officer, b1_handler, registered, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a complaint with a short timeline
    c = registered()
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    client = client_for(b1_handler)
    url = reverse("complaints:detail", args=[c.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # when the timeline grows by ten contacts
    for i in range(10):
        c.refresh_from_db()
        complaint_transition(
            actor=b1_handler,
            complaint=c,
            action="contact",
            data={"method": "phone", "summary": f"第{i}次联系"},
        )
    # then the page still issues no more queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "第9次联系" in html


# --- issue 12, item 22 ------------------------------------------------------------------------------------


def _accepted(registered, branch_officer, b1_handler, **over):
    c = registered(**over)
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    return complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


def test_extension_form_names_a_future_notice_time_on_its_field(
    client_for, branch_officer, b1_handler, registered
):
    c = _accepted(registered, branch_officer, b1_handler)
    client = client_for(b1_handler)
    url = reverse("complaints:action", args=[c.pk, "extend"])
    to_days = client.get(url).context["form"].fields["to_days"].choices[0][0]
    data = {
        "version": c.version,
        "to_days": to_days,
        "reason": "需调取录音",
        "complainant_told_at": "2026-03-05T10:00",
    }
    r = client.post(url, data)
    assert r.status_code == 400
    form = r.context["form"]
    assert form.errors["complainant_told_at"] == ["时间不能晚于当前时间。"] and not form.non_field_errors()
    assert "收到时间" not in r.content.decode() and not c.extensions.exists()


def test_approved_draft_highlights_decide_and_notify(
    client_for, branch_officer, b1_handler, b1_approver, registered
):
    # given a decision that needed approval and got it
    c = _accepted(registered, branch_officer, b1_handler, amount_in_dispute="80000")
    draft = {"verification": "核实", "basis": "依据", "result": "赔偿"}
    complaint_transition(actor=b1_handler, complaint=c, action="draft", data=draft)
    complaint_transition(actor=b1_handler, complaint=c, action="submit", data={})
    complaint_transition(actor=b1_approver, complaint=c, action="approve", data={})
    # then the handler's page highlights "decide and notify" and offers no second submission
    html = client_for(b1_handler).get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert f'class="btn primary" href="/complaints/{c.pk}/actions/notify/"' in html
    assert 'data-testid="action-submit"' not in html


def test_unapproved_draft_highlights_submit(client_for, branch_officer, b1_handler, registered):
    c = _accepted(registered, branch_officer, b1_handler, amount_in_dispute="80000")
    draft = {"verification": "核实", "basis": "依据", "result": "赔偿"}
    complaint_transition(actor=b1_handler, complaint=c, action="draft", data=draft)
    html = client_for(b1_handler).get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'class="btn primary" type="submit" data-testid="action-submit"' in html
    assert f'class="btn" href="/complaints/{c.pk}/actions/notify/"' in html


def test_notifications_column_is_named_for_the_reference(client_for, b1_handler, registered):
    c = registered()
    Notification.objects.create(user=b1_handler, complaint=c, kind="assigned", message="x", dedupe_key="t:1")
    html = client_for(b1_handler).get(reverse("complaints:notifications")).content.decode()
    assert "<th>投诉编号</th>" in html and "投诉内容" not in html and c.reference in html


def test_timeline_names_the_handler_by_name(client_for, branch_officer, b1_handler, hq_officer, registered):
    from xiaobao.core.services.accounts import user_update

    user_update(actor=hq_officer, user=b1_handler, full_name="李娜")
    c = _accepted(registered, branch_officer, b1_handler)
    html = client_for(branch_officer).get(reverse("complaints:detail", args=[c.pk])).content.decode()
    timeline = _section(html, "timeline")
    assert "经办人: 李娜" in timeline and "b1_handler" not in timeline


def test_closed_case_shows_redress_not_approved_only_when_approval_was_needed(
    client_for, branch_officer, b1_handler, registered, settings
):
    c = _accepted(registered, branch_officer, b1_handler)
    for action, data in [
        ("draft", {"verification": "核实", "basis": "依据", "result": "赔偿"}),
        ("notify", {"method": "sms", "proof": "回执"}),
        ("close", {"liability": "at_fault", "root_cause": "规则未同步", "redress_amount": "680"}),
    ]:
        c = complaint_transition(actor=b1_handler, complaint=c, action=action, data=data)
    client, url = client_for(b1_handler), reverse("complaints:detail", args=[c.pk])
    # no approval threshold: the redress is shown without "not approved"
    html = client.get(url).content.decode()
    assert "¥680.00" in html and 'data-testid="redress-not-approved"' not in html and "未审批" not in html
    # with a threshold below the amount, the missing approval is shown
    settings.REDRESS_APPROVAL_AMOUNT = "500"
    assert 'data-testid="redress-not-approved"' in client.get(url).content.decode()
