"""Inspection pages: list (query count), detail, the phone fill page, answers and photos from it, actions,
findings, checklists (editor and versioning) and rating bands."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaobao.inspections.models import (
    Answer,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionPhoto,
    RatingBand,
)
from xiaobao.inspections.tests.conftest import GOOD, fill
from xiaobao.inspections.tests.factories import make_inspection

pytestmark = pytest.mark.usefixtures("at_now")

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def test_list_query_count_does_not_grow(org, client_for, inspector, template, django_assert_max_num_queries):
    for n in range(3):
        make_inspection(org.b1o, inspector, template, reference=f"JC-L{n}")
    c = client_for(inspector)
    with django_assert_max_num_queries(14) as few:
        assert c.get(reverse("inspections:list")).status_code == 200
    for n in range(3, 20):
        make_inspection(org.b1o, inspector, template, reference=f"JC-L{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(reverse("inspections:list"))
    assert r.content.decode().count('data-testid="inspection-row"') == 20


def test_list_filters_by_unit_subtree_status_and_plan(org, client_for, hq, inspector, template):
    make_inspection(org.b1o, inspector, template, reference="JC-B1")
    make_inspection(org.b2s, inspector, template, reference="JC-B2", status="submitted")
    c = client_for(hq)
    body = c.get(reverse("inspections:list"), {"unit": "B1"}).content.decode()
    assert "JC-B1" in body and "JC-B2" not in body
    body = c.get(reverse("inspections:list"), {"status": "submitted"}).content.decode()
    assert "JC-B2" in body and "JC-B1" not in body
    assert c.get(reverse("inspections:list"), {"status": "nope"}).status_code == 400
    assert c.get(reverse("inspections:list"), {"plan": "999"}).content.decode().count("inspection-row") == 0


def test_fill_page_is_built_for_a_phone(client_for, inspector, inspection):
    r = client_for(inspector).get(reverse("inspections:fill", args=[inspection.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'accept="image/*" capture="environment"' in html
    assert html.count('class="item-card') == 5  # one card per item
    assert f'data-answer-url="/inspections/{inspection.pk}/answers/__ITEM__/"' in html
    assert "inspections/fill.js" in html and "<script>" not in html.replace("<script src", "")
    assert 'id="rating-bands"' in html
    # the gating item has no n/a choice; the score item has 0…4
    gate = html[html.index('data-item="L1"') : html.index('data-item="L2"')]
    assert 'value="na"' not in gate
    score = html[html.index('data-item="L2"') : html.index('data-item="T1"')]
    assert all(f'value="{n}"' in score for n in range(5))


def test_fill_page_css_has_large_touch_targets():
    from pathlib import Path

    css = (Path(__file__).parents[1] / "static" / "inspections" / "inspections.css").read_text()
    assert "min-height: 48px" in css and "max-width: 600px" in css


def test_fill_page_only_for_the_inspector_while_open(client_for, inspector, inspector2, inspection):
    assert client_for(inspector2).get(reverse("inspections:fill", args=[inspection.pk])).status_code == 403
    Inspection.objects.filter(pk=inspection.pk).update(status="submitted")
    assert client_for(inspector).get(reverse("inspections:fill", args=[inspection.pk])).status_code == 403


def test_answer_from_the_page_saves_and_returns_the_running_score(client_for, inspector, inspection):
    c = client_for(inspector)
    url = reverse("inspections:answer", args=[inspection.pk, "L1"])
    given = "2026-03-10T01:59:00.000Z"
    r = c.post(url, {"value": "yes", "note": "", "given_at": given})
    assert r.status_code == 200
    data = r.json()
    assert data["percent"] == "100.00" and data["status"] == "in_progress"
    # the same request again (a retry): one answer, same result
    assert c.post(url, {"value": "yes", "note": "", "given_at": given}).json()["applied"] is True
    assert Answer.objects.filter(inspection=inspection).count() == 1
    # an older resend after a newer answer is not applied
    c.post(url, {"value": "no", "given_at": "2026-03-10T01:59:30Z"})
    late = c.post(url, {"value": "yes", "given_at": "2026-03-10T01:58:00Z"}).json()
    assert late["applied"] is False and Answer.objects.get(inspection=inspection).value == "no"


def test_answer_errors_are_the_error_shape(client_for, inspector, inspection):
    c = client_for(inspector)
    r = c.post(reverse("inspections:answer", args=[inspection.pk, "L2"]), {"value": "9"})
    assert (
        r.status_code == 422
        and set(r.json()) == {"code", "message", "fields"}
        and "value" in r.json()["fields"]
    )
    r = c.post(reverse("inspections:answer", args=[inspection.pk, "ZZ"]), {"value": "yes"})
    assert r.status_code == 422 and "item" in r.json()["fields"]
    r = c.post(reverse("inspections:answer", args=[inspection.pk, "L1"]), {"value": "yes", "given_at": "x"})
    assert r.status_code == 422 and "given_at" in r.json()["fields"]


def test_photo_from_the_page(client_for, inspector, inspection):
    c = client_for(inspector)
    up = SimpleUploadedFile("IMG_0001.JPG", JPEG, content_type="image/jpeg")
    r = c.post(reverse("inspections:photo_upload", args=[inspection.pk]), {"file": up, "item": "T1"})
    assert r.status_code == 201
    photo = InspectionPhoto.objects.get()
    got = c.get(r.json()["url"])
    assert (
        got.status_code == 200
        and got["Content-Type"] == "image/jpeg"
        and got["X-Content-Type-Options"] == "nosniff"
    )
    assert photo.item.code == "T1"
    bad = SimpleUploadedFile("x.jpg", b"GIF89a....", content_type="image/jpeg")
    r = c.post(reverse("inspections:photo_upload", args=[inspection.pk]), {"file": bad})
    assert r.status_code == 422 and "file" in r.json()["fields"]
    r = c.post(reverse("inspections:photo_upload", args=[inspection.pk]), {})
    assert r.status_code == 422


def test_submit_from_the_page_makes_findings_and_stars(client_for, inspector, inspection):
    fill(inspector, inspection, {**GOOD, "T2": "no"})
    c = client_for(inspector)
    r = c.post(reverse("inspections:action", args=[inspection.pk, "submit"]), {"note": ""})
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.stars == 3  # 14 of 16 = 87.5 %
    page = c.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "87.50%" in page and "唱收唱付" in page and 'data-testid="findings"' in page
    assert Finding.objects.filter(inspection=inspection, severity="critical").count() == 1


def test_incomplete_submit_shows_the_missing_items(client_for, inspector, inspection):
    fill(inspector, inspection, {"L1": "yes"})
    r = client_for(inspector).post(reverse("inspections:action", args=[inspection.pk, "submit"]), {})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-testid="errors"' in html and 'href="#item-T2"' in html


def test_cancel_needs_a_reason_on_the_page(client_for, planner, inspection):
    c = client_for(planner)
    r = c.post(reverse("inspections:action", args=[inspection.pk, "cancel"]), {"note": ""})
    assert r.status_code == 400
    r = c.post(reverse("inspections:action", args=[inspection.pk, "cancel"]), {"note": "网点装修停业"})
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "cancelled"


def test_detail_shows_the_outlets_complaints_count(org, client_for, hq, hq_officer, inspection):
    from xiaobao.complaints.services import complaint_register
    from xiaobao.inspections.tests.plan_fixtures import complaint_data

    # given two complaints at the outlet in the last 90 days and one at another branch
    complaint_register(actor=hq_officer, data=complaint_data("B1-S1-O1", "2026-03-02T10:00:00+08:00"))
    complaint_register(actor=hq_officer, data=complaint_data("B1-S1-O1", "2026-02-02T10:00:00+08:00"))
    complaint_register(actor=hq_officer, data=complaint_data("B2-S1", "2026-03-02T10:00:00+08:00"))
    # when
    html = client_for(hq).get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    # then the count beside the scores is the outlet's
    box = html[html.index('data-testid="outlet-complaints"') :]
    assert '<span class="big">2</span>' in box[:600]


def test_detail_without_complaint_permission_shows_no_count(client_for, inspector, inspection):
    html = client_for(inspector).get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    box = html[html.index('data-testid="outlet-complaints"') :]
    assert '<span class="big">' not in box[:400]


def test_findings_page_filters(org, client_for, hq, inspector, inspection):
    fill(inspector, inspection, {**GOOD, "T1": "no"})
    from xiaobao.inspections.services import inspection_act

    inspection_act(actor=inspector, inspection=inspection, action="submit")
    c = client_for(hq)
    assert c.get(reverse("inspections:findings")).content.decode().count('data-testid="finding-row"') == 1
    assert (
        c.get(reverse("inspections:findings"), {"severity": "critical"}).content.decode().count("finding-row")
        == 0
    )
    assert c.get(reverse("inspections:findings"), {"severity": "x"}).status_code == 400


def test_preloaded_checklists_are_there(client_for, hq):
    codes = set(ChecklistTemplate.objects.filter(is_current=True).values_list("code", flat=True))
    assert {
        "mystery_shopping",
        "onsite",
        "elder_friendly",
        "personal_information",
        "sales_recording",
    } <= codes
    ms = ChecklistTemplate.objects.get(code="mystery_shopping", is_current=True)
    assert [s.name for s in ms.sections.order_by("order")] == [
        "营业环境与设施",
        "员工仪容仪表",
        "大堂经理",
        "柜员服务",
        "客户经理",
        "安保人员",
    ]
    lobby = ms.sections.get(code="lobby")
    assert lobby.gate_item_code == "L01" and "15分钟" in ms.items.get(code="L01").text
    assert sorted(RatingBand.objects.values_list("stars", "min_percent")) == [
        (1, 0),
        (2, 70),
        (3, 80),
        (4, 90),
        (5, 95),
    ]
    html = client_for(hq).get(reverse("inspections:checklists")).content.decode()
    assert "神秘人暗访检查表" in html and "双录质检表" in html


def _editor_post(template, **over):
    from xiaobao.inspections.checklists import checklist_as_input

    data = checklist_as_input(template)
    post = {
        "code": data["code"],
        "name": over.get("name", data["name"]),
        "kind": data["kind"],
        "description": "",
    }
    for si, s in enumerate(data["sections"]):
        post.update(
            {f"s-{si}-code": s["code"], f"s-{si}-name": s["name"], f"s-{si}-weight": str(s["weight"])}
        )
        post[f"s-{si}-gate_item_code"] = s["gate_item_code"]
        for ii, i in enumerate(s["items"]):
            p = f"s-{si}-i-{ii}-"
            post.update({p + "code": i["code"], p + "text": i["text"], p + "kind": i["kind"]})
            post.update(
                {p + "max_score": str(i["max_score"]), p + "weight": str(i["weight"]), p + "guidance": ""}
            )
            for b in ("critical", "gating", "photo_required"):
                if i[b]:
                    post[p + b] = "on"
    return post


def test_editing_an_unused_checklist_changes_it_in_place(client_for, hq, template):
    r = client_for(hq).post(
        reverse("inspections:checklist_edit", args=[template.pk]), _editor_post(template, name="新名称")
    )
    assert r.status_code == 302
    template.refresh_from_db()
    assert template.name == "新名称" and template.version == 1 and template.is_current


def test_editing_a_used_checklist_makes_a_new_version(client_for, hq, inspector, inspection, template):
    fill(inspector, inspection, GOOD)
    post = _editor_post(template, name="第二版")
    post["s-1-i-3-code"], post["s-1-i-3-text"], post["s-1-i-3-kind"] = "T9", "新增检查项", "yes_no"
    post["s-1-i-3-max_score"], post["s-1-i-3-weight"] = "2", "1"
    r = client_for(hq).post(reverse("inspections:checklist_edit", args=[template.pk]), post)
    assert r.status_code == 302
    new = ChecklistTemplate.objects.get(code=template.code, is_current=True)
    assert new.version == 2 and new.pk != template.pk and new.items.filter(code="T9").exists()
    template.refresh_from_db()
    inspection.refresh_from_db()
    assert not template.is_current and inspection.template_id == template.pk
    assert not template.items.filter(code="T9").exists()
    # the old version can no longer be edited
    r = client_for(hq).post(reverse("inspections:checklist_edit", args=[template.pk]), post)
    assert r.status_code == 400


def test_editor_errors_name_their_place(client_for, hq, template):
    post = _editor_post(template)
    post["s-0-i-1-max_score"] = "abc"
    post["s-0-gate_item_code"] = "NOPE"
    r = client_for(hq).post(reverse("inspections:checklist_edit", args=[template.pk]), post)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Section 1 · item 2 · 分值" in html or "第1部分" in html or "分值" in html
    template.refresh_from_db()
    assert template.items.count() == 5


def test_new_checklist_and_copy(client_for, hq, template):
    c = client_for(hq)
    assert c.get(reverse("inspections:checklist_create"), {"copy": template.pk}).status_code == 200
    post = _editor_post(template, name="复制表")
    post["code"] = "copy_test"
    assert c.post(reverse("inspections:checklist_create"), post).status_code == 302
    assert ChecklistTemplate.objects.get(code="copy_test").items.count() == 5
    post["code"] = "copy_test"
    assert c.post(reverse("inspections:checklist_create"), post).status_code == 400  # the code exists


def test_rating_bands_edit(client_for, hq):
    c = client_for(hq)
    bad = {"stars_5": "90", "stars_4": "95", "stars_3": "80", "stars_2": "70", "stars_1": "0"}
    assert c.post(reverse("inspections:rating_bands"), bad).status_code == 400
    good = {**bad, "stars_5": "96", "stars_4": "91"}
    assert c.post(reverse("inspections:rating_bands"), good).status_code == 302
    assert RatingBand.objects.get(stars=5).min_percent == 96


def test_checklist_pages_need_the_permission(client_for, inspector, template):
    c = client_for(inspector)
    assert c.get(reverse("inspections:checklists")).status_code == 200
    assert c.get(reverse("inspections:checklist_detail", args=[template.pk])).status_code == 200
    assert c.get(reverse("inspections:checklist_edit", args=[template.pk])).status_code == 403
    assert c.get(reverse("inspections:rating_bands")).status_code == 403


def test_home_panel_lists_my_open_tasks_however_far_due(org, client_for, inspector, inspector2, template):
    """A published quarter's tasks show from the day they are published: the open ones (not the done or
    cancelled), soonest due first, the first few of them with the count of all and a link to all."""
    from xiaobao.inspections.selectors import HOME_TASKS, home_panel

    # given: more open tasks than the panel lists, due up to a quarter ahead, and a finished one
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        far = [
            make_inspection(
                org.b1o, inspector, template, due_date=dt.date(2026, 6, 30 - k), reference=f"JC-H{k}"
            )
            for k in range(HOME_TASKS + 2)
        ]
        make_inspection(
            org.b1o, inspector, template, due_date=dt.date(2026, 3, 1), status="submitted", reference="JC-HX"
        )
        # when
        panel = home_panel(user=inspector)
        html = client_for(inspector).get(reverse("core:home")).content.decode()
    # then
    soonest = sorted(far, key=lambda t: t.due_date)[:HOME_TASKS]
    assert [t.pk for t in panel["tasks"]] == [t.pk for t in soonest]
    assert panel["total"] == HOME_TASKS + 2 and panel["more"] == 2
    assert home_panel(user=inspector2) == {}  # no tasks: no panel
    assert (
        'data-testid="inspection-task"' in html
        and reverse("inspections:detail", args=[soonest[0].pk]) in html
    )
    assert 'data-testid="inspection-tasks-more"' in html and "?mine=on" in html


def test_findings_list_query_count_does_not_grow(
    org, client_for, hq, inspector, template, django_assert_max_num_queries
):
    from xiaobao.inspections.models import Finding

    def findings(n):
        for k in range(n):
            ins = make_inspection(
                org.b1o, inspector, template, reference=f"JC-F{Finding.objects.count()}-{k}"
            )
            Finding.objects.create(inspection=ins, org_unit=org.b1o, item_code="T1", description="未唱收唱付")

    findings(2)
    c = client_for(hq)
    with django_assert_max_num_queries(20) as few:
        assert c.get(reverse("inspections:findings")).status_code == 200
    findings(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(reverse("inspections:findings"))
    assert r.content.decode().count('data-testid="finding-row"') == 17


def test_list_only_mine_and_htmx_results(org, client_for, inspector, inspector2, template):
    make_inspection(org.b1o, inspector, template, reference="JC-MINE")
    make_inspection(org.b1o, inspector2, template, reference="JC-OTHER")
    c = client_for(inspector)
    body = c.get(reverse("inspections:list"), {"mine": "on"}).content.decode()
    assert "JC-MINE" in body and "JC-OTHER" not in body
    partial = c.get(reverse("inspections:list"), {"mine": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">') and "JC-MINE" in partial


def test_reopening_an_inspection_is_not_called_the_complaints_resumption():
    from django.utils import translation

    from xiaobao.inspections.workflow import WORKFLOW

    # when
    with translation.override("zh-hans"):
        label = str(WORKFLOW["reopen"].label)
    # then
    assert label == "重新打开"
