"""Rectification pages: the list (overdue filter, constant query count), the item page (clock, evidence
before/after, timeline, steps), the new-item form (regulator's opinion, from a finding, from a complaint),
steps through the page with their refusals, evidence upload, the complaint page's block."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaobao.rectification.services import rectification_transition
from xiaobao.rectification.tests.conftest import at, zh

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_list_filters_to_overdue(client_for, officer, open_item):
    late = open_item()
    fresh = open_item(source="regulator", title="监管意见整改")
    with at("2026-03-20"):
        page = client_for(officer).get(reverse("rectification:list"), {"overdue": "true"}).content.decode()
    assert late.reference in page and fresh.reference not in page
    assert 'data-testid="rectification-cards"' in page  # the phone layout's cards


def test_list_query_count_does_not_grow_with_rows(
    client_for, officer, open_item, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    for _ in range(2):
        open_item()
    with at("2026-03-20"), CaptureQueriesContext(connection) as few:
        assert client.get(reverse("rectification:list")).status_code == 200
    for _ in range(10):
        open_item()
    with at("2026-03-20"), django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("rectification:list")).status_code == 200


def test_bad_filter_is_400_with_the_message(client_for, officer):
    r = client_for(officer).get(
        reverse("rectification:list"), {"opened_from": "2026-03-05", "opened_to": "2026-03-01"}
    )
    assert r.status_code == 400 and "errorlist" in r.content.decode()


def test_detail_shows_clock_evidence_and_timeline(client_for, officer, owner, open_item):
    from io import BytesIO

    from xiaobao.rectification.evidence import evidence_add

    item = open_item()
    with at("2026-03-03"):
        evidence_add(
            actor=owner, item=item, fileobj=BytesIO(PNG), name="before.png", kind="before", caption="原状"
        )
    with at("2026-03-04"):
        page = client_for(owner).get(reverse("rectification:detail", args=[item.pk])).content.decode()
    assert "2026-03-16" in page and "rectification-10wd" in page
    assert "原状" in page and f"/rectifications/{item.pk}/evidence/" in page
    assert 'data-testid="action-submit"' in page and 'data-testid="upload-form"' in page
    assert 'name="viewport"' in page


def test_submit_through_the_page_then_owner_is_refused_verification(client_for, org, officer, open_item):
    item = open_item(org_unit=org.b1.code, owner=officer.username)
    c = client_for(officer)
    url = reverse("rectification:action", args=[item.pk, "submit"])
    with at("2026-03-04"):
        assert c.get(url).status_code == 200
        bad = c.post(url, {"version": item.version})
        assert bad.status_code == 400
        r = c.post(url, {"version": item.version, "result": "已整改到位"})
        assert r.status_code == 302
        item.refresh_from_db()
        assert item.status == "submitted"
        # the owner may hold the verify permission, but not verify his own work
        verify = reverse("rectification:action", args=[item.pk, "verify"])
        r = c.post(verify, {"version": item.version})
    assert r.status_code == 403
    assert zh("This step is not yours to take on this rectification item.") in r.content.decode()


def test_stale_version_is_409(client_for, owner, open_item):
    item = open_item()
    with at("2026-03-04"):
        r = client_for(owner).post(reverse("rectification:action", args=[item.pk, "start"]), {"version": 99})
    assert r.status_code == 409


def test_new_regulator_opinion_through_the_form(client_for, org, officer, owner):
    c = client_for(officer)
    form = {
        "source": "regulator",
        "org_unit": org.b1o.code,
        "owner": "outlet_owner",
        "title": "监管意见：投诉处理时限",
        "description": "监管局通报：部分投诉超期办结。",
        "issued_by": "国家金融监督管理总局北京监管局",
        "external_reference": "京金监消保〔2026〕3号",
        "opened_on": "2026-03-02",
        "rule": "",
    }
    with at("2026-03-02"):
        page = c.get(reverse("rectification:create")).content.decode()
        assert "监管意见" in page and "outlet_owner" in page
        bad = c.post(reverse("rectification:create"), {**form, "owner": "", "title": ""})
        assert bad.status_code == 400
        r = c.post(reverse("rectification:create"), form)
    assert r.status_code == 302
    from xiaobao.rectification.models import Rectification

    item = Rectification.objects.get()
    assert (item.source, item.issued_by, item.rule.code) == (
        "regulator",
        "国家金融监督管理总局北京监管局",
        "rectification-regulator-30d",
    )


def test_open_from_a_finding_page(client_for, org, officer, owner):
    from xiaobao.inspections.models import Finding

    finding = Finding.objects.create(
        org_unit=org.b1o, description="未配备老花镜", severity="minor", is_repeat=True
    )
    c = client_for(officer)
    url = reverse("rectification:create") + f"?finding={finding.pk}"
    assert url.startswith("/rectifications/new?")
    with at("2026-03-02"):
        page = c.get(url)
        assert page.status_code == 200 and "未配备老花镜" in page.content.decode()
        r = c.post(
            reverse("rectification:create"),
            {
                "finding": finding.pk,
                "org_unit": org.b1o.code,
                "owner": "outlet_owner",
                "title": "未配备老花镜",
                "description": "未配备老花镜",
                "opened_on": "2026-03-02",
            },
        )
        assert r.status_code == 302
        assert c.get(reverse("rectification:create") + "?finding=999999").status_code == 404
    assert finding.rectifications.get().is_repeat is True


def test_evidence_upload_page(client_for, owner, open_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = open_item()
    c = client_for(owner)
    url = reverse("rectification:evidence_upload", args=[item.pk])
    with at("2026-03-03"):
        ok = c.post(
            url, {"kind": "after", "file": SimpleUploadedFile("after.jpg", b"\xff\xd8\xff\xe0" + b"0" * 32)}
        )
        assert ok.status_code == 302
        bad = c.post(url, {"kind": "after", "file": SimpleUploadedFile("after.exe", b"MZ")})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert item.evidence.count() == 1


def test_complaint_page_lists_its_root_cause_items(client_for, org, officer, owner):
    from xiaobao.complaints.services import complaint_register
    from xiaobao.rectification.services import rectification_from_complaint

    with at("2026-03-02"):
        complaint, _ = complaint_register(
            actor=officer,
            data={
                "received_at": "2026-03-02T09:30:00+08:00",
                "channel": "A01",
                "business_type": "B01",
                "cause": "C01",
                "org_unit": org.b1o.code,
                "complainant": {"name": "王小明"},
                "request": "r",
                "description": "d",
            },
        )
        item = rectification_from_complaint(
            actor=officer,
            complaint=complaint,
            data={"title": "叫号流程整改", "description": "溯源", "owner": "outlet_owner"},
        )
        page = client_for(officer).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert item.reference in page and "?complaint=" in page
    with at("2026-03-02"):
        assert (
            client_for(officer)
            .get(reverse("rectification:create") + f"?complaint={complaint.pk}")
            .status_code
            == 200
        )


def test_cancelled_item_takes_no_evidence(client_for, officer, owner, open_item):
    item = open_item()
    with at("2026-03-03"):
        rectification_transition(actor=officer, item=item, action="cancel", data={"reason": "重复"})
        from django.core.files.uploadedfile import SimpleUploadedFile

        r = client_for(owner).post(
            reverse("rectification:evidence_upload", args=[item.pk]),
            {"kind": "after", "file": SimpleUploadedFile("a.png", PNG)},
        )
    assert r.status_code == 403


def test_home_shows_my_items_and_what_waits_for_verification(client_for, owner, verifier, open_item):
    item = open_item()
    with at("2026-03-04"):
        page = client_for(owner).get(reverse("core:home")).content.decode()
        assert item.reference in page and 'data-testid="rectification-tasks"' in page
        rectification_transition(actor=owner, item=item, action="submit", data={"result": "已整改"})
        page = client_for(verifier).get(reverse("core:home")).content.decode()
    assert 'data-testid="rectification-to-verify"' in page


def test_list_and_timeline_name_things_for_people(client_for, org, officer, owner):
    """The list's reference column is the item's number (整改编号), not a complaint's; the timeline shows
    the owner's full name and the finding by its inspection and text, not a login name or a row id."""
    from xiaobao.core.models import User
    from xiaobao.inspections.models import Finding
    from xiaobao.rectification.services import rectification_from_finding

    # given
    User.objects.filter(pk=owner.pk).update(full_name="王网点")
    finding = Finding.objects.create(
        org_unit=org.b1o, description="未配备老花镜", severity="minor", is_repeat=True
    )
    with at("2026-03-02"):
        item = rectification_from_finding(
            actor=officer, finding=finding, data={"owner": "outlet_owner", "opened_on": "2026-03-02"}
        )
    c = client_for(officer)
    # when
    with at("2026-03-04"):
        listing = c.get(reverse("rectification:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        page = c.get(reverse("rectification:detail", args=[item.pk])).content.decode()
    # then
    results = listing.split('id="results"')[1]
    assert "整改编号" in results and "重复发现" in results and "投诉" not in results
    timeline = page.split('data-testid="timeline"')[1]
    assert "王网点" in timeline and "outlet_owner" not in timeline
    assert "未配备老花镜" in timeline and f"检查发现: {finding.pk}<" not in timeline
    assert f": {finding.pk}</span>" not in timeline
