"""The case library: anonymised drafts from closed complaints, scope of entries and circulations, read
receipts and reminders, the training export (A4, the institution's name, no personal data), the API's
error shape, the home panel, figures and the global-search provider."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document

from conftest import make_user
from xiaobao.case_library import selectors, services
from xiaobao.case_library.anonymise import Person, anonymise, gender_of, placeholder_for
from xiaobao.case_library.models import Audience, CaseEntry, Receipt
from xiaobao.casework.models import Notification

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
from xiaobao.case_library.tests.conftest import ADDRESS, CARD, DESCRIPTION, ID_NO, NAME, PHONE  # noqa: E402


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(content))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


@pytest.fixture
def b1_officer(org):
    return make_user("cl_b1_officer", org.b1, ["branch_cp_officer"])


@pytest.fixture
def b2_officer(org):
    return make_user("cl_b2_officer", org.b2, ["branch_cp_officer"])


def _entry(actor, title="信用卡年费争议", **extra):
    data = {"title": title, "facts": "客户A女士反映信用卡年费未按宣传减免。", "year": 2026, **extra}
    return services.entry_publish(actor=actor, entry=services.entry_create(actor=actor, data=data))


# --- anonymisation -----------------------------------------------------------------------------------


def test_anonymise_replaces_known_and_detected_personal_data():
    # given the complainant as the vault knows her and a text naming her, her numbers, an address and staff
    person = Person(placeholder_for(0, gender_of(ID_NO)), NAME, [ID_NO, PHONE, CARD, ADDRESS])
    # when the text is anonymised
    out = anonymise(
        DESCRIPTION + f"联系{ADDRESS}，座机010-62345678，邮箱wf@example.com。柜员张三向客户解释。",
        people=[person],
    )
    # then none of them is left, and placeholders say what was there
    for value in (
        NAME,
        PHONE,
        ID_NO,
        CARD,
        ADDRESS,
        "李强",
        "张三",
        "62345678",
        "wf@example.com",
        "望京西路48号",
    ):
        assert value not in out
    assert "客户A女士" in out and "[手机号]" in out and "[身份证号]" in out and "[卡号]" in out
    assert "[地址]" in out and "某称" not in out and "客户经理某" in out
    # and what is not personal data stays (amounts, dates, the sub-branch)
    assert "600元" in out and "2026年3月" in out and "海淀支行" in out


def test_draft_from_a_closed_complaint_holds_no_personal_data(closed_complaint, b1_officer):
    # when the officer adds the closed complaint to the library
    entry = services.entry_create(actor=b1_officer, data={}, complaint=closed_complaint)
    # then the draft is prefilled from its texts, anonymised
    texts = " ".join([entry.title, entry.facts, entry.handling, entry.outcome, entry.lessons])
    for value in (NAME, PHONE, ID_NO, CARD, "刘明", "李强", "望京西路"):
        assert value not in texts, value
    assert "客户A女士" in entry.facts and "年费600元" in entry.facts
    assert "营销话术未经审核" in entry.lessons
    assert entry.business_type.code == "B01" and entry.cause.code == "C01" and entry.year == 2026
    assert (entry.status, entry.org_unit, entry.audience) == ("draft", b1_officer.org_unit, Audience.SUBTREE)
    # and a second entry from the same complaint is refused
    from xiaobao.core.errors import Conflict

    with pytest.raises(Conflict):
        services.entry_create(actor=b1_officer, data={}, complaint=closed_complaint)


def test_an_entry_refuses_personal_data_typed_in(closed_complaint, b1_officer):
    entry = services.entry_create(actor=b1_officer, data={}, complaint=closed_complaint)
    # when the officer types a phone number, or the complainant's name, into a text
    with pytest.raises(ValidationError) as exc:
        services.entry_update(actor=b1_officer, entry=entry, data={"outcome": "回访客户电话13800001111"})
    assert "outcome" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.entry_update(actor=b1_officer, entry=entry, data={"lessons": f"{NAME}多次来访"})
    assert "lessons" in exc.value.message_dict
    # then nothing was stored
    entry.refresh_from_db()
    assert "13800001111" not in entry.outcome and NAME not in entry.lessons


def test_export_is_a4_with_the_institution_name_and_no_personal_data(
    closed_complaint, b1_officer, client_for, settings
):
    # given a published entry drafted from the complaint
    settings.INSTITUTION_NAME = "晓宝银行"
    entry = services.entry_create(actor=b1_officer, data={"tags": ["费用收取"]}, complaint=closed_complaint)
    services.entry_publish(actor=b1_officer, entry=entry)
    client = client_for(b1_officer)
    # when it is exported for training as Word
    response = client.get("/case-library/export.docx", {"ids": [entry.pk]})
    assert response.status_code == 200
    doc = Document(BytesIO(response.content))
    # then the page is A4 and the document speaks for the institution, without any personal data
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.paragraphs[0].text == "晓宝银行"
    text = _docx_text(response.content)
    assert entry.title in text and "营销话术未经审核" in text
    for value in (NAME, PHONE, ID_NO, CARD, "刘明", closed_complaint.reference):
        assert value not in text
    # and as Excel
    response = client.get("/case-library/export.xlsx", {"ids": [entry.pk]})
    text = _xlsx_text(response.content)
    assert entry.title in text and "费用收取" in text
    for value in (NAME, PHONE, ID_NO, CARD, "刘明"):
        assert value not in text


def test_add_to_library_from_the_complaint_page(closed_complaint, b1_officer, client_for):
    client = client_for(b1_officer)
    # the complaint page offers it, the proposals list on the library page names it
    page = client.get(f"/complaints/{closed_complaint.pk}/").content.decode()
    assert 'data-testid="add-to-case-library"' in page
    assert closed_complaint.reference in client.get("/case-library/").content.decode()
    # when the officer adds it
    response = client.post(f"/case-library/from-complaint/{closed_complaint.pk}/")
    entry = CaseEntry.objects.get(source_complaint=closed_complaint)
    assert response.status_code == 302 and response["Location"] == f"/case-library/{entry.pk}/edit/"
    # then the proposal is gone and the complaint page links to the entry
    assert closed_complaint.reference not in client.get("/case-library/").content.decode()
    assert (
        'data-testid="case-entry-link"' in client.get(f"/complaints/{closed_complaint.pk}/").content.decode()
    )


# --- scope --------------------------------------------------------------------------------------------


def test_a_branch_entry_is_not_visible_to_another_branch(org, b1_officer, b2_officer, hq_officer, client_for):
    # given a published entry of branch 1 (its subtree) and one of head office (the whole institution)
    b1 = _entry(b1_officer, "B1 的案例")
    ho = _entry(hq_officer, "总行的案例")
    assert (b1.audience, ho.audience) == (Audience.SUBTREE, Audience.INSTITUTION)
    handler_b1s = make_user("cl_handler_b1s", org.b1s, ["complaint_handler"])
    # then branch 2 sees head office's, not branch 1's; a sub-branch of branch 1 sees both
    assert set(CaseEntry.objects.visible_to(b2_officer)) == {ho}
    assert set(CaseEntry.objects.visible_to(handler_b1s)) == {b1, ho}
    assert client_for(b2_officer).get(f"/case-library/{b1.pk}/").status_code == 404
    # and a reader without the manage permission sees no draft
    draft = services.entry_create(actor=b1_officer, data={"title": "草稿", "facts": "事实"})
    assert draft not in CaseEntry.objects.visible_to(handler_b1s)
    assert draft in CaseEntry.objects.visible_to(b1_officer)


def test_only_head_office_publishes_to_the_whole_institution(b1_officer):
    with pytest.raises(ValidationError) as exc:
        services.entry_create(
            actor=b1_officer, data={"title": "t", "facts": "f", "audience": Audience.INSTITUTION}
        )
    assert "audience" in exc.value.message_dict


def test_circulation_only_to_units_in_the_senders_subtree(org, b1_officer, hq_officer, api_for):
    entry = _entry(b1_officer)
    # when branch 1 circulates to branch 2
    response = api_for(b1_officer).post(
        "/api/v1/case-library/circulations",
        json.dumps({"case_ids": [entry.pk], "unit_ids": [org.b2.pk], "message": "学习"}),
        content_type="application/json",
    )
    # then it is refused in the project's error shape
    assert response.status_code == 422
    body = response.json()
    assert body["code"] and "unit_ids" in body["fields"]
    # head office may circulate head office's entries anywhere
    ho_entry = _entry(hq_officer, "总行案例")
    response = api_for(hq_officer).post(
        "/api/v1/case-library/circulations",
        json.dumps({"case_ids": [ho_entry.pk], "unit_ids": [org.b2.pk, org.b1.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_api_refuses_bad_input_without_500(org, b1_officer, api_for):
    api = api_for(b1_officer)
    for body in (
        {"case_ids": [], "unit_ids": []},
        {"case_ids": [999999999], "unit_ids": [org.b1s.pk]},
        {"case_ids": ["x"], "unit_ids": [org.b1s.pk]},
        {"case_ids": [1], "unit_ids": [2**40]},
    ):
        response = api.post(
            "/api/v1/case-library/circulations", json.dumps(body), content_type="application/json"
        )
        assert response.status_code in (400, 422), (body, response.content)
        assert "code" in response.json()
    response = api.post(
        "/api/v1/case-library/cases", json.dumps({"complaint_id": 12345}), content_type="application/json"
    )
    assert response.status_code == 422 and "complaint" in response.json()["fields"]
    response = api.post(
        "/api/v1/case-library/cases", json.dumps({"title": "t"}), content_type="application/json"
    )
    assert response.status_code == 422 and "facts" in response.json()["fields"]
    assert api.get("/api/v1/case-library/cases/99999999999").status_code in (404, 422)
    assert api.get("/api/v1/case-library/cases?year=1").status_code == 422
    response = api.get("/api/v1/case-library/cases?unit=NOPE")
    assert response.status_code == 422 and "unit" in response.json()["fields"]


def test_api_create_from_a_complaint_and_filter(closed_complaint, b1_officer, api_for):
    api = api_for(b1_officer)
    response = api.post(
        "/api/v1/case-library/cases",
        json.dumps({"complaint_id": closed_complaint.pk, "tags": ["费用收取", "溯源整改"], "publish": True}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "published" and body["source_complaint"] == closed_complaint.reference
    assert NAME not in json.dumps(body, ensure_ascii=False) and PHONE not in json.dumps(body)
    listed = api.get("/api/v1/case-library/cases?tag=溯源整改&business_type=B01&q=年费").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    assert api.get("/api/v1/case-library/cases?tag=其他").json()["count"] == 0
    response = api.patch(
        f"/api/v1/case-library/cases/{body['id']}",
        json.dumps({"title": "信用卡年费减免承诺未兑现"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["title"] == "信用卡年费减免承诺未兑现"


def test_the_source_link_is_shown_only_to_who_sees_the_complaint(
    closed_complaint, org, hq_officer, client_for
):
    # given head office publishes an entry from branch 1's complaint to the whole institution
    entry = services.entry_create(actor=hq_officer, data={}, complaint=closed_complaint)
    services.entry_publish(actor=hq_officer, entry=entry)
    reader_b2 = make_user("cl_reader_b2", org.b2, ["complaint_handler"])
    # then branch 2 reads the entry without the link; head office has it
    page = client_for(reader_b2).get(f"/case-library/{entry.pk}/").content.decode()
    assert 'data-testid="source-link"' not in page and closed_complaint.reference not in page
    assert (
        'data-testid="source-link"'
        in client_for(hq_officer).get(f"/case-library/{entry.pk}/").content.decode()
    )


# --- circulations and receipts ----------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 4, 1, 10, 0, tzinfo=SH), tick=True)
def test_receipts_reminders_and_the_home_panel(
    org, b1_officer, client_for, django_capture_on_commit_callbacks
):
    # given two readers in branch 1's subtree and one in branch 2
    reader1 = make_user("cl_reader1", org.b1s, ["complaint_handler"])
    reader2 = make_user("cl_reader2", org.b1, ["complaint_handler"])
    other = make_user("cl_reader3", org.b2, ["complaint_handler"])
    entries = [_entry(b1_officer, "案例一"), _entry(b1_officer, "案例二")]
    # when the officer circulates both to branch 1's sub-branch and branch 1
    with django_capture_on_commit_callbacks(execute=True):
        c = services.circulation_send(
            actor=b1_officer,
            entry_ids=[e.pk for e in entries],
            unit_ids=[org.b1s.pk],
            message="请于本周内学习",
        )
    # then the readers of the sub-branch subtree are told and have a receipt; nobody else
    assert set(Receipt.objects.filter(circulation=c).values_list("user__username", flat=True)) == {
        "cl_reader1"
    }
    assert Notification.objects.filter(user=reader1, kind="case_circulated").count() == 1
    assert not Notification.objects.filter(user__in=[reader2, other]).exists()
    assert selectors.home_panel(reader1)["unread_count"] == 1
    # when the reader opens it, the opening is recorded; "I have read" records the reading
    client = client_for(reader1)
    assert "案例一" in client.get(f"/case-library/reading/{c.pk}/").content.decode()
    r = Receipt.objects.get(circulation=c, user=reader1)
    assert r.opened_at is not None and r.acknowledged_at is None
    assert client_for(other).get(f"/case-library/reading/{c.pk}/").status_code == 404
    # the sender reminds the unread
    with django_capture_on_commit_callbacks(execute=True):
        assert services.circulation_remind(actor=b1_officer, circulation=c) == 1
    assert Notification.objects.filter(user=reader1, kind="case_reminder").count() == 1
    assert client.post(f"/case-library/reading/{c.pk}/read/").status_code == 302
    r.refresh_from_db()
    assert r.acknowledged_at is not None
    assert services.circulation_remind(actor=b1_officer, circulation=c) == 0
    assert selectors.home_panel(reader1) == {}
    # and the sender sees who has read it, per unit
    page = client_for(b1_officer).get(f"/case-library/circulations/{c.pk}/").content.decode()
    assert "cl_reader1" in page and "1 / 1" in page
    # a later member of the sub-branch reads it too (a receipt on first opening)
    late = make_user("cl_late", org.b1s, ["complaint_handler"])
    assert client_for(late).get(f"/case-library/reading/{c.pk}/").status_code == 200
    assert Receipt.objects.filter(circulation=c).count() == 2


def test_receipts_through_the_api(org, b1_officer, api_for):
    reader = make_user("cl_api_reader", org.b1s, ["complaint_handler"])
    entry = _entry(b1_officer)
    sender = api_for(b1_officer)
    response = sender.post(
        "/api/v1/case-library/circulations",
        json.dumps({"case_ids": [entry.pk], "unit_ids": [org.b1s.pk], "message": "学习"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    cid = response.json()["id"]
    assert response.json()["readers"] == 1 and response.json()["read"] == 0
    response = api_for(reader).post(f"/api/v1/case-library/circulations/{cid}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    body = sender.get(f"/api/v1/case-library/circulations/{cid}").json()
    assert body["read"] == 1 and body["by_unit"][0]["receipts"][0]["user"] == "cl_api_reader"
    # a reader is not the sender side: no receipts of others
    assert api_for(reader).get(f"/api/v1/case-library/circulations/{cid}").status_code == 403


def test_export_holds_only_what_the_user_sees(org, b1_officer, b2_officer, client_for):
    b1 = _entry(b1_officer, "北京分行专属案例")
    # branch 2 asks for branch 1's entry by id, and for everything
    for params in ({"ids": [b1.pk]}, {}):
        for url in ("/case-library/export.docx", "/case-library/export.xlsx"):
            response = client_for(b2_officer).get(url, params)
            assert response.status_code == 200
            text = _docx_text(response.content) if url.endswith("docx") else _xlsx_text(response.content)
            assert "北京分行专属案例" not in text


# --- browse, figures, search -----------------------------------------------------------------------


def test_browse_filters_and_query_count(org, b1_officer, client_for, django_assert_max_num_queries):
    _entry(b1_officer, "理财销售误导", tags=["销售误导"], business_type="B01")
    _entry(b1_officer, "柜面服务态度", tags=["服务态度"])
    client = client_for(b1_officer)
    page = client.get("/case-library/", {"tag": "销售误导"}).content.decode()
    assert "理财销售误导" in page and "柜面服务态度" not in page
    page = client.get("/case-library/", {"q": "柜面"}).content.decode()
    assert "柜面服务态度" in page and "理财销售误导" not in page
    for i in range(8):
        _entry(b1_officer, f"案例{i}", tags=["费用收取"])
    with django_assert_max_num_queries(25):
        assert client.get("/case-library/").status_code == 200


def test_figures_and_search(org, b1_officer, hq_officer):
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH)):
        e = _entry(b1_officer, "信用卡分期手续费争议")
        services.circulation_send(actor=b1_officer, entry_ids=[e.pk], unit_ids=[org.b1s.pk])
    figures = {
        f.key: f.value for f in selectors.figures(b1_officer, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    }
    assert figures["case_library_published"] == 1 and figures["case_library_circulations"] == 1
    assert figures["case_library_read_rate"] is None  # nobody in the sub-branch reads the library
    hits = selectors.search(b1_officer, "分期", 5)
    assert [h.title for h in hits] == ["信用卡分期手续费争议"] and hits[0].url == e.get_absolute_url()
    other = make_user("cl_search_b2", org.b2, ["complaint_handler"])
    assert selectors.search(other, "分期", 5) == []
    assert timezone.is_aware(e.published_at)


def test_demo_loads_entries_and_a_circulation_partly_read(org, closed_complaint):
    from xiaobao.case_library.demo import CASES, case_library_demo_load

    make_user("hq_cp", org.cpd, ["hq_cp_officer"])
    make_user("branch1_cp", org.b1, ["branch_cp_officer"])
    for i in range(6):
        make_user(f"demo_reader{i}", org.b1s if i % 2 else org.b2s, ["complaint_handler"])
    # when the demo loader runs
    result = case_library_demo_load()
    # then the head office's cases are published to everybody, the proposed complaint became an entry
    assert CaseEntry.objects.filter(audience=Audience.INSTITUTION, status="published").count() == len(CASES)
    assert CaseEntry.objects.filter(source_complaint=closed_complaint).exists()
    assert result["entries"] == len(CASES) + 1
    # and one circulation reached the branches' readers, some of whom have read it
    receipts = Receipt.objects.all()
    assert receipts.count() == result["readers"] >= 7
    assert 0 < receipts.filter(acknowledged_at__isnull=False).count() < receipts.count()
    for entry in CaseEntry.objects.all():
        assert NAME not in entry.facts and PHONE not in entry.facts
