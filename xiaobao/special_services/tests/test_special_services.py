"""Special-group services: the facilities register (each tick saved, history, the inspection beside it),
home services through the vault (masked, reveal logged), bad input refused with nothing stored, the figures
equal to the rows behind them in every slice, scoping of figures, the Excel exports and the demo loader."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.analytics.periods import Period
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.special_services.figures import compute
from xiaobao.special_services.models import FacilityCheck, FacilityItem, HomeService, OutletFacility
from xiaobao.special_services.services import facility_set, home_service_create

pytestmark = pytest.mark.django_db
NOW = "2026-06-17 10:00 +0800"


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def _service(
    actor, unit, day="2026-06-01", name="王秀英", reason="limited_mobility", service="password_reset", **kw
):
    return home_service_create(
        actor=actor,
        data={
            "org_unit": unit.code,
            "served_on": day,
            "name": name,
            "phone": "13911112222",
            "reason": reason,
            "service": service,
            **kw,
        },
    )


# --- facilities ---------------------------------------------------------------------------------------------


def test_each_tick_is_saved_with_history_and_audit(org, branch_officer, client_for):
    # given the branch officer on the Zhongguancun outlet's phone page
    c = client_for(branch_officer)
    item = FacilityItem.objects.get(code="wheelchair")
    url = reverse("special_services:tick", args=[org.b1o.pk, item.pk])
    page = c.get(reverse("special_services:outlet", args=[org.b1o.pk]))
    assert page.status_code == 200 and "轮椅" in page.content.decode()
    # when they tick "present", then "missing" with a note (htmx, as the page does)
    first = c.post(url, {"present": "yes"}, HTTP_HX_REQUEST="true")
    second = c.post(url, {"present": "no", "note": "维修中"}, HTTP_HX_REQUEST="true")
    # then each answer comes back as the saved card, the state is the last one and the history keeps both
    assert first.status_code == second.status_code == 200
    assert 'data-testid="saved-wheelchair"' in second.content.decode()
    state = OutletFacility.objects.get(org_unit=org.b1o, item=item)
    assert (state.present, state.note, state.checked_on, state.checked_by) == (
        False,
        "维修中",
        dt.date(2026, 6, 17),
        branch_officer,
    )
    assert [h.present for h in FacilityCheck.objects.filter(org_unit=org.b1o)] == [False, True]
    assert AuditEvent.objects.filter(object_type="special_services.outletfacility").count() == 2


def test_a_tick_without_an_answer_is_refused_and_nothing_stored(org, branch_officer, client_for):
    # given
    c = client_for(branch_officer)
    item = FacilityItem.objects.get(code="wheelchair")
    # when the answer is missing or the note is too long
    r1 = c.post(
        reverse("special_services:tick", args=[org.b1o.pk, item.pk]), {"note": "x"}, HTTP_HX_REQUEST="true"
    )
    r2 = c.post(
        reverse("special_services:tick", args=[org.b1o.pk, item.pk]),
        {"present": "yes", "note": "长" * 301},
        HTTP_HX_REQUEST="true",
    )
    # then 400 with the field's message, nothing stored
    assert r1.status_code == r2.status_code == 400
    assert 'class="errorlist"' in r1.content.decode() and 'class="errorlist"' in r2.content.decode()
    assert not OutletFacility.objects.exists() and not FacilityCheck.objects.exists()


def test_another_branch_cannot_see_or_tick_the_outlet(org, other_branch_officer, auditor, client_for):
    item = FacilityItem.objects.get(code="wheelchair")
    # when branch 2 opens or ticks branch 1's outlet; the auditor tries to tick
    c = client_for(other_branch_officer)
    assert c.get(reverse("special_services:outlet", args=[org.b1o.pk])).status_code == 404
    assert (
        c.post(reverse("special_services:tick", args=[org.b1o.pk, item.pk]), {"present": "yes"}).status_code
        == 404
    )
    r = client_for(auditor).post(
        reverse("special_services:tick", args=[org.b1o.pk, item.pk]), {"present": "yes"}
    )
    # then
    assert r.status_code == 403 and not OutletFacility.objects.exists()


def test_the_latest_facilities_inspection_is_shown_and_a_disagreement_flagged(
    org, branch_officer, hq_officer, client_for
):
    from django.utils import timezone

    from xiaobao.inspections.models import Answer, ChecklistItem, ChecklistTemplate, Inspection

    # given the register says a wheelchair is there, the latest facilities inspection found none
    facility_set(
        actor=branch_officer, outlet=org.b1o, item=FacilityItem.objects.get(code="wheelchair"), present=True
    )
    template = ChecklistTemplate.objects.get(code="elder_friendly", is_current=True)
    ins = Inspection.objects.create(
        reference="INS-TEST-1",
        status="submitted",
        org_unit=org.b1o,
        handler=hq_officer,
        template=template,
        kind="routine",
        submitted_at=timezone.now(),
    )
    Answer.objects.create(
        inspection=ins,
        item=ChecklistItem.objects.get(template=template, code="EF04"),
        value="no",
        passed=False,
        answered_by=hq_officer,
        answered_at=timezone.now(),
    )
    # when head office opens the outlet page and the API
    html = client_for(hq_officer).get(reverse("special_services:outlet", args=[org.b1o.pk])).content.decode()
    # then the inspection is linked and the wheelchair flagged
    assert "INS-TEST-1" in html and 'data-testid="disagree-wheelchair"' in html
    from xiaobao.special_services.selectors import outlet_page

    page = outlet_page(hq_officer, org.b1o)
    assert [s.item.code for s in page.disagreements] == ["wheelchair"]


def test_head_office_maintains_the_checklist_and_branches_cannot(org, hq_officer, branch_officer, client_for):
    # when head office adds an item, a branch tries
    r = client_for(hq_officer).post(
        reverse("special_services:items"), {"code": "sign_language", "name": "手语服务"}
    )
    denied = client_for(branch_officer).post(reverse("special_services:items"), {"code": "x_y", "name": "X"})
    bad = client_for(hq_officer).post(reverse("special_services:items"), {"code": "Bad Code", "name": ""})
    # then
    assert r.status_code == 302 and FacilityItem.objects.filter(code="sign_language", active=True).exists()
    assert denied.status_code == 403 and bad.status_code == 400
    assert not FacilityItem.objects.filter(code__in=["x_y", "Bad Code"]).exists()
    # and retiring keeps the row, off the checklist
    item = FacilityItem.objects.get(code="sign_language")
    client_for(hq_officer).post(
        reverse("special_services:item_edit", args=[item.pk]), {"name": "手语服务", "sort_order": 5}
    )
    item.refresh_from_db()
    assert item.active is False


# --- home services -----------------------------------------------------------------------------------------


def test_a_home_service_keeps_the_person_in_the_vault_and_reveal_is_logged(
    org, branch_officer, power_b1, auditor, client_for
):
    # given a service recorded on the page
    c = client_for(branch_officer)
    r = c.post(
        reverse("special_services:home_service_new"),
        {
            "org_unit": org.b1o.code,
            "served_on": "2026-06-10",
            "name": "王秀英",
            "phone": "13911112222",
            "id_number": "110101199003074514",
            "reason": "advanced_age",
            "service": "social_security_card",
            "place": "home",
            "staff_involved": 2,
            "outcome": "done",
            "notes": "家属陪同",
        },
    )
    assert r.status_code == 302
    s = HomeService.objects.get()
    # then the person is a vault consumer: sealed phone, masked on the list and the detail page
    assert s.consumer.phone.reveal() == "13911112222" and "13911112222" not in str(
        Consumer.objects.values_list("phone", flat=True)[0]
    )
    listing = c.get(reverse("special_services:home_services")).content.decode()
    assert s.consumer.masked_name in listing and "王秀英" not in listing
    detail = client_for(power_b1).get(s.get_absolute_url()).content.decode()
    assert "13911112222" not in detail and "110101199003074514" not in detail
    # when the power user reveals the phone without a reason, then with one
    url = reverse("special_services:home_service_reveal", args=[s.pk])
    assert client_for(power_b1).post(url, {"field": "phone", "reason": ""}).status_code == 400
    ok = client_for(power_b1).post(url, {"field": "phone", "reason": "回访客户核实"})
    # then the value is shown and the reveal logged with its reason
    assert ok.status_code == 200 and "13911112222" in ok.content.decode()
    ev = AuditEvent.objects.get(action="reveal", object_type="core.consumer")
    assert ev.changes["reason"] == "回访客户核实" and ev.changes["field"] == "phone"
    # and the auditor, who sees the service but may not reveal, is refused
    assert client_for(auditor).post(url, {"field": "phone", "reason": "回访客户核实"}).status_code == 403


def test_the_same_person_served_twice_is_one_consumer(org, branch_officer):
    _service(branch_officer, org.b1o, day="2026-06-01")
    _service(branch_officer, org.b1o, day="2026-06-05")
    assert HomeService.objects.count() == 2 and Consumer.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"served_on": "2026-07-01"}, "served_on"),  # in the future
        ({"reason": "no_such"}, "reason"),
        ({"phone": "12"}, "phone"),
        ({"id_number": "110101199003074515"}, "id_number"),  # wrong check digit
        ({"org_unit": "B2"}, "org_unit"),  # outside the caller's subtree
        ({"notes": "密码123456"}, "notes"),  # authentication data (C3) never stored
        ({"staff_involved": 0}, "staff_involved"),
    ],
)
def test_bad_input_through_the_api_is_refused_with_field_errors(org, branch_officer, api_for, change, field):
    # given
    before = (HomeService.objects.count(), Consumer.objects.count())
    body = {
        "org_unit": org.b1o.code,
        "served_on": "2026-06-10",
        "name": "李桂兰",
        "phone": "13922223333",
        "reason": "advanced_age",
        "service": "withdrawal",
    } | change
    # when
    r = api_for(branch_officer).post(
        "/api/v1/special-services/home-services", body, content_type="application/json"
    )
    # then 422 in the error shape, the field named, nothing stored
    assert r.status_code == 422, r.content
    assert field in r.json()["fields"]
    assert (HomeService.objects.count(), Consumer.objects.count()) == before


def test_the_api_records_reads_changes_and_deletes(org, branch_officer, api_for):
    api = api_for(branch_officer)
    r = api.post(
        "/api/v1/special-services/home-services",
        {
            "org_unit": org.b1o.code,
            "served_on": "2026-06-10",
            "name": "李桂兰",
            "phone": "13922223333",
            "reason": "advanced_age",
            "service": "withdrawal",
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["person"] == HomeService.objects.get().consumer.masked_name != "李桂兰"
        and "13922223333" not in r.content.decode()
    )
    pk = r.json()["id"]
    assert (
        api.patch(
            f"/api/v1/special-services/home-services/{pk}",
            {"outcome": "partly"},
            content_type="application/json",
        ).json()["outcome"]
        == "partly"
    )
    listed = api.get("/api/v1/special-services/home-services?reason=advanced_age").json()
    assert [i["id"] for i in listed["items"]] == [pk]
    put = api.put(
        f"/api/v1/special-services/outlets/{org.b1o.code}/facilities/wheelchair",
        {"present": True, "note": ""},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["present"] is True
    bad = api.put(
        f"/api/v1/special-services/outlets/{org.b1o.code}/facilities/wheelchair",
        {"present": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "present" in bad.json()["fields"]
    assert api.delete(f"/api/v1/special-services/home-services/{pk}").status_code == 204
    assert not HomeService.objects.exists()


# --- figures ----------------------------------------------------------------------------------------------


def _complaint(actor, unit, groups, received="2026-05-02T10:30:00+08:00"):
    from xiaobao.complaints.services import complaint_register

    complaint, _ = complaint_register(
        actor=actor,
        data={
            "received_at": received,
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": unit.code,
            "complainant": {"name": "张桂芳", "phone": "13812345678"},
            "request": "请求",
            "description": "描述",
            "special_groups": groups,
        },
    )
    return complaint


def test_figures_equal_the_rows_behind_them_in_every_slice(
    org, hq_officer, branch_officer, other_branch_officer, power_b1, power_b2
):
    from xiaobao.core.services.org import org_unit_create

    # given outlets in both branches, registers, services and complaints in and out of the period
    b2o = org_unit_create(actor=None, code="B2-S1-O1", name="陆家嘴网点", kind="outlet", parent=org.b2s)
    items = list(FacilityItem.objects.filter(active=True))
    for item in items:
        facility_set(actor=branch_officer, outlet=org.b1o, item=item, present=True)
    facility_set(actor=other_branch_officer, outlet=b2o, item=items[0], present=False)
    _service(branch_officer, org.b1o, day="2026-05-01", name="王秀英", reason="advanced_age")
    _service(branch_officer, org.b1o, day="2026-05-03", name="王秀英", reason="advanced_age")
    _service(
        branch_officer, org.b1s, day="2026-05-04", name="赵桂兰", reason="disability", service="withdrawal"
    )
    _service(other_branch_officer, b2o, day="2026-05-05", name="钱玉兰", reason="serious_illness")
    _service(branch_officer, org.b1o, day="2026-03-01", name="孙秀兰")  # outside the period
    _complaint(power_b1, org.b1s, ["elderly", "disabled"])
    _complaint(power_b1, org.b1s, [])
    _complaint(power_b2, org.b2s, ["elderly"])
    _complaint(power_b1, org.b1s, ["elderly"], received="2026-01-02T10:00:00+08:00")  # outside
    period = Period.month(2026, 5)
    # when head office computes the whole bank, branch 1 its subtree
    bank = compute(user=hq_officer, unit=org.ho, period=period)
    b1 = compute(user=branch_officer, unit=org.b1, period=period)
    # then the totals equal the rows
    assert (bank.total.outlets, bank.total.outlets_equipped, bank.total.outlets_checked) == (2, 1, 2)
    assert (bank.total.services, bank.total.people, bank.total.complaints) == (4, 3, 2)
    rows = {r.key: r.tally for r in bank.by_unit}
    assert (rows["B1"].services, rows["B1"].people, rows["B1"].complaints, rows["B1"].outlets_equipped) == (
        3,
        2,
        1,
        1,
    )
    assert (rows["B2"].services, rows["B2"].complaints, rows["B2"].outlets_equipped) == (1, 1, 0)
    assert sum(r.services for r in rows.values()) == bank.total.services
    reasons = {r.key: r.count for r in bank.by_reason}
    assert reasons == {
        "limited_mobility": 0,
        "serious_illness": 1,
        "advanced_age": 2,
        "disability": 1,
        "other": 0,
    }
    assert {r.key: r.count for r in bank.by_group}["elderly"] == 2
    assert {r.key: r.count for r in bank.by_group}["disabled"] == 1
    # and every slice equals its own query
    assert (
        HomeService.objects.filter(served_on__range=(period.start, period.end)).count() == bank.total.services
    )
    assert (b1.total.services, b1.total.people, b1.total.outlets) == (3, 2, 1)
    assert {r.key: r.tally.services for r in b1.by_unit} == {"B1-S1": 3}
    # and branch 1 may not analyse branch 2 (empty figures) nor open it on the page
    assert compute(user=branch_officer, unit=org.b2, period=period).total.services == 0


def test_figures_page_drills_down_and_exports(
    org, hq_officer, branch_officer, client_for, django_assert_max_num_queries
):
    _service(branch_officer, org.b1o, day="2026-05-01")
    c = client_for(hq_officer)
    with django_assert_max_num_queries(30):
        page = c.get(reverse("special_services:figures"), {"unit": "HO", "period": "2026"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="drill-B1"' in html
    drilled = c.get(reverse("special_services:figures"), {"unit": "B1", "period": "2026"})
    assert 'data-testid="services-B1-S1"' in drilled.content.decode()
    bad = c.get(reverse("special_services:figures"), {"unit": "HO", "period": "2026-13-45"})
    assert bad.status_code == 400
    assert (
        client_for(branch_officer).get(reverse("special_services:figures"), {"unit": "B2"}).status_code == 404
    )
    x = c.get(reverse("special_services:figures_export"), {"unit": "HO", "period": "2026"})
    wb = load_workbook(BytesIO(x.content))
    ws = wb.worksheets[0]
    assert int(ws.page_setup.paperSize) == 9  # A4
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert any("北京分行" in v for v in cells)


def test_home_services_export_masks_the_person(
    org, branch_officer, client_for, django_assert_max_num_queries
):
    for i in range(3):
        _service(branch_officer, org.b1o, day=f"2026-06-0{i + 1}", name=f"王秀{'英兰芳'[i]}")
    c = client_for(branch_officer)
    with django_assert_max_num_queries(20):
        assert c.get(reverse("special_services:home_services")).status_code == 200
    x = c.get(reverse("special_services:home_services_export"))
    cells = [
        str(v)
        for row in load_workbook(BytesIO(x.content)).worksheets[0].iter_rows(values_only=True)
        for v in row
        if v
    ]
    masked = HomeService.objects.filter(consumer__name="王秀英").get().consumer.masked_name
    assert masked in cells and not any("13911112222" in v or "王秀英" in v for v in cells)
    assert AuditEvent.objects.filter(action="export", object_type="special_services.homeservice").exists()


def test_statistics_section_report_section_and_home_panel(org, hq_officer, branch_officer, client_for):
    from xiaobao.reports.builders import BuildContext
    from xiaobao.special_services.figures import figures, home_panel
    from xiaobao.special_services.report_sections import special_services_section
    from xiaobao.special_services.stats import stats_section

    _service(branch_officer, org.b1o, day="2026-06-01")
    period = Period.year(2026)
    section = stats_section(user=hq_officer, unit=org.ho, period=period)
    assert section["data"].total.services == 1
    assert stats_section(user=branch_officer, unit=org.b2, period=period) is None
    report = special_services_section(BuildContext(user=hq_officer, unit=org.ho, period=period))
    assert report is not None and report.tables[0].rows
    assert {f.key: f.value for f in figures(hq_officer, period.start, period.end)}["home_services"] == 1
    assert home_panel(branch_officer)["services_month"] == 1
    assert client_for(hq_officer).get(reverse("core:home")).status_code == 200


def test_the_demo_loader_fills_the_register_and_services(org, hq_officer, branch_officer):
    from xiaobao.special_services.demo import demo_load

    r = demo_load(seed=7, services=20)
    assert r["outlets"] == 1 and r["ticks"] == FacilityItem.objects.filter(active=True).count()
    assert HomeService.objects.count() == 20 and all(s.consumer.phone for s in HomeService.objects.all())
