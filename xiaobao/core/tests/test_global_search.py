"""The global search (`xiaobao.core.search`, /search/, /api/v1/search): classification, grouping and limits,
identifiers only through the blind index and never echoed, logged or put in a URL, the audit row with the
masked value, the live dropdown, and scope (a branch never sees another branch's complaint)."""

from __future__ import annotations

import logging
import time

import pytest
import time_machine
from django.urls import reverse

from xiaobao.casework.registry import SearchHit
from xiaobao.core import search as core_search
from xiaobao.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "110108199003070016"


# --- classification (no database) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "identifier"),
    [
        ("TS202603020000001", "reference", ""),
        (" ts2026 0302 0000001 ", "reference", ""),
        ("SC2026000012", "reference", ""),
        ("13812345678", "identifier", "phone"),
        ("+86 138-1234-5678", "identifier", "phone"),
        ("１３８１２３４５６７８", "identifier", "phone"),  # full-width digits
        ("010-62751234", "identifier", "phone"),
        ("110108199003070016", "identifier", "id_number"),
        ("11010819900307001x", "identifier", "id_number"),
        ("E12345678", "identifier", "id_number"),  # a passport
        ("6222020200112233445", "identifier", "account_number"),
        ("王小明", "text", ""),
        ("信用卡年费", "text", ""),
        ("2026", "text", ""),  # a short number is text (a year)
        ("2026-03-02", "text", ""),  # a day, not an 8-digit phone number
        ("a", "empty", ""),
        ("  ", "empty", ""),
    ],
)
def test_classify(raw, kind, identifier):
    q = core_search.classify(raw)
    assert (q.kind, q.identifier) == (kind, identifier)


def test_an_identifier_is_shown_masked_and_never_in_its_repr():
    q = core_search.classify("+86 138 1234 5678")
    assert q.personal and q.masked == "138****5678" and q.shown == "138****5678"
    assert PHONE not in repr(q)
    assert dict(q.digests)["phone"] == core_search.crypto.blind_index(PHONE, "phone")


def test_names_could_be_names_and_long_input_is_cut():
    assert core_search.classify("王小明").could_be_name
    assert not core_search.classify("信用卡 年费 200 元").could_be_name
    assert len(core_search.classify("长" * 5000).text) == core_search.MAX_LENGTH
    assert core_search.classify("a\x00b").text == "a b"


# --- running the providers ---------------------------------------------------------------------------------


def _providers(monkeypatch, *paths):
    found = [core_search.Provider(f"p{i}", f"P{i}", path, i) for i, path in enumerate(paths)]
    monkeypatch.setattr(core_search, "providers", lambda: found)


def many(user, query, limit):
    return [SearchHit("甲", f"a{i}", f"/a/{i}/") for i in range(limit + 3)] + [
        SearchHit("乙", "b", "/b/"),
        SearchHit("甲", "a-late", "/a/late/"),
    ]


def broken(user, query, limit):
    raise RuntimeError("boom")


def slow(user, query, limit):
    time.sleep(0.05)
    return [SearchHit("慢", "slow", "/slow/")]


def test_grouped_by_kind_each_group_limited(monkeypatch, no_role_user):
    _providers(monkeypatch, f"{__name__}.many")
    results = core_search.run_search(no_role_user, "年费", limit=2)
    grouped = [(g.kind, [h.title for h in g.hits]) for g in results.groups]
    assert grouped == [("甲", ["a0", "a1"]), ("乙", ["b"])]
    assert results.total == 3 and not results.partial


def test_a_failing_provider_is_skipped_and_logged_without_the_query(monkeypatch, no_role_user, caplog):
    _providers(monkeypatch, f"{__name__}.broken", f"{__name__}.many")
    with caplog.at_level(logging.ERROR):
        results = core_search.run_search(no_role_user, PHONE, limit=1)
    assert results.skipped == ["P0"] and results.groups[0].kind == "甲"
    assert "p0" in caplog.text and PHONE not in caplog.text and "138" not in caplog.text


def test_the_time_budget_skips_the_rest(monkeypatch, no_role_user):
    _providers(monkeypatch, f"{__name__}.slow", f"{__name__}.many")
    results = core_search.run_search(no_role_user, "年费", limit=1, budget=0.01)
    assert [g.kind for g in results.groups] == ["慢"] and results.skipped == ["P1"] and results.partial


def test_every_declared_provider_is_found():
    labels = [p.label for p in core_search.providers()]
    assert {"core", "complaints", "review", "policies", "training"} <= set(labels)
    assert labels.index("complaints") < labels.index("core")  # complaints first: the desk's daily search


# --- against real complaints -------------------------------------------------------------------------------


@pytest.fixture
def complaint(org):
    from conftest import make_user
    from xiaobao.complaints.services import complaint_register

    clerk = make_user("b1_clerk_gs", org.b1s, ["complaint_handler"])
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        c, _ = complaint_register(
            actor=clerk,
            data={
                "received_at": "2026-03-02T10:30:00+08:00",
                "channel": "A01",
                "business_type": "B01",
                "cause": "C01",
                "org_unit": org.b1s.code,
                "complainant": {"name": "王小明", "phone": PHONE, "id_number": ID_NUMBER},
                "request": "退还年费",
                "description": "信用卡年费未经同意扣收",
            },
        )
    return c


def _page(client, q, **extra):
    return client.post(reverse("core:search"), {"q": q}, **extra)


def test_page_groups_results_and_shows_masked_names_only(client_for, power_b1, complaint):
    body = _page(client_for(power_b1), "王小明").content.decode()
    assert complaint.reference in body
    assert 'data-kind="投诉"' in body and 'data-kind="消费者"' in body
    assert "王**" in body or "王*" in body
    assert PHONE not in body and ID_NUMBER not in body


def test_identifier_search_is_audited_masked_and_never_echoed(client_for, power_b1, complaint, caplog):
    client = client_for(power_b1)
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = _page(client, "+86 138 1234 5678")
    body = response.content.decode()
    # then found, the page shows the masked number only (also not in the box), the audit row is masked
    assert response.status_code == 200 and complaint.reference in body
    assert "138****5678" in body
    for clear in (PHONE, "138 1234 5678", "1234 5678"):
        assert clear not in body
    rows = list(AuditEvent.objects.filter(action="search"))
    assert AuditEvent.objects.count() == before + 1 and len(rows) == 1
    assert rows[0].object_repr == "searched by personal identifier"
    assert rows[0].changes == {"identifier": "phone", "value": "138****5678", "results": 2}
    assert rows[0].actor_username == "power_b1"
    assert PHONE not in str(list(AuditEvent.objects.values_list("changes", "object_repr")))
    assert PHONE not in caplog.text


def test_identifier_by_id_number_finds_the_consumer_and_the_complaint(client_for, power_b1, complaint):
    body = _page(client_for(power_b1), ID_NUMBER).content.decode()
    assert complaint.reference in body and ID_NUMBER not in body
    assert AuditEvent.objects.get(action="search").changes["value"] == "110108********0016"


def test_get_with_an_identifier_does_not_search_or_echo(client_for, power_b1, complaint):
    response = client_for(power_b1).get(reverse("core:search"), {"q": PHONE})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="search-notice"' in body
    assert PHONE not in body and complaint.reference not in body
    assert not AuditEvent.objects.filter(action="search").exists()


def test_get_with_a_reference_searches(client_for, power_b1, complaint):
    body = client_for(power_b1).get(reverse("core:search"), {"q": complaint.reference}).content.decode()
    assert f"/complaints/{complaint.pk}/" in body


def test_live_dropdown_for_text_and_a_hint_for_identifiers(client_for, power_b1, complaint):
    client = client_for(power_b1)
    live = _page(client, "年费", headers={"HX-Request": "true"})
    assert live.status_code == 200 and "<html" not in live.content.decode()
    assert complaint.reference in live.content.decode()
    hint = _page(client, PHONE, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="gs-enter-hint"' in hint and complaint.reference not in hint and PHONE not in hint
    assert not AuditEvent.objects.filter(action="search").exists()  # the dropdown never searches identifiers


def test_branch_2_never_sees_branch_1(client_for, api_for, power_b2, complaint):
    client, api = client_for(power_b2), api_for(power_b2)
    link = f"/complaints/{complaint.pk}/"
    for q in (complaint.reference, PHONE, ID_NUMBER, "王小明", "年费"):
        assert link not in _page(client, q).content.decode(), q
        body = api.post("/api/v1/search", {"q": q}, content_type="application/json").json()
        assert body["groups"] == [], (q, body)
    assert complaint.reference not in api.get("/api/v1/search", {"q": "年费"}).content.decode()


def test_the_header_has_the_search_box(client_for, power_b1):
    body = client_for(power_b1).get(reverse("core:home")).content.decode()
    assert 'id="global-search"' in body and 'action="/search/" method="post"' in body
    assert 'autocomplete="off"' in body


# --- the API -----------------------------------------------------------------------------------------------


def test_api_get_answers_groups(api_for, power_b1, complaint):
    response = api_for(power_b1).get("/api/v1/search", {"q": "年费", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query_kind"] == "text" and body["partial"] is False
    (group,) = [g for g in body["groups"] if g["kind"] == "投诉"]
    assert group["hits"][0] == {
        "title": f"{complaint.reference} {complaint.business_type.name}",
        "subtitle": f"{complaint.get_status_display()} · 海淀支行 · 王**",
        "url": f"/complaints/{complaint.pk}/",
    }


def test_api_get_refuses_an_identifier_post_finds_it(api_for, power_b1, complaint):
    api = api_for(power_b1)
    refused = api.get("/api/v1/search", {"q": PHONE})
    assert refused.status_code == 422 and refused.json()["code"] == "personal_data_in_url"
    assert "q" in refused.json()["fields"] and PHONE not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="search").exists()
    found = api.post("/api/v1/search", {"q": PHONE, "limit": 5}, content_type="application/json")
    assert found.status_code == 200 and found.json()["query_kind"] == "identifier"
    assert complaint.reference in found.content.decode() and PHONE not in found.content.decode()
    assert AuditEvent.objects.get(action="search").changes["value"] == "138****5678"


def test_api_bad_input_is_a_field_error(api_for, power_b1):
    api = api_for(power_b1)
    response = api.get("/api/v1/search", {"q": "年费", "limit": 0})
    assert response.status_code == 422 and "limit" in str(response.json()["fields"])
    response = api.post("/api/v1/search", {"q": "x" * 201}, content_type="application/json")
    assert response.status_code == 422
