"""Substring search over complaint texts: the same answers on SQLite (LIKE) and PostgreSQL (bigram index
pre-filter + exact per-field re-check), and on PostgreSQL the plan uses the index."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from xiaobao.complaints.filtersets import text_search
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(branch_officer, payload):
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        made = {}
        for key, description, request, product in [
            ("wealth", "客户反映理财产品到期收益未达预期，认为销售时夸大收益。", "赔偿损失", "稳盈理财一号"),
            ("card", "客户称信用卡年费未经同意扣收，要求退还。", "退还年费 200 元", ""),
            ("atm", "ATM 吞卡后三天未归还，客户多次致电无果。", "尽快归还银行卡", ""),
        ]:
            complaint, _ = complaint_register(
                actor=branch_officer,
                data=payload(description=description, request=request, product=product),
            )
            made[key] = complaint
    return made


def _found(q: str) -> set[int]:
    return set(Complaint.objects.filter(text_search(q)).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("理财", {"wealth"}),  # two characters: the common case in Chinese
        ("收益未达预期", {"wealth"}),
        ("稳盈理财", {"wealth"}),  # product field
        ("年费", {"card"}),  # description and request
        ("退还年费", {"card"}),  # request only
        ("atm", {"atm"}),  # case-insensitive ASCII
        ("吞卡后三", {"atm"}),
        ("客户", {"wealth", "card", "atm"}),
        ("预期收益", set()),  # both words are in "wealth", not in this order
        (
            "赔偿损失 稳盈",
            set(),
        ),  # spans two fields: the document joins them, the per-field re-check drops it
        ("100%", set()),  # LIKE wildcards are literal
        ("_", set()),
        ("房贷", set()),
        ("卡", {"card", "atm"}),  # one character: no bigram, answered by LIKE alone
        ("扣收", {"card"}),
    ],
)
def test_substring_search_answers_exactly(texts, q, expected):
    assert _found(q) == {texts[k].pk for k in expected}


def test_search_by_reference(texts):
    ref = texts["card"].reference
    assert _found(ref.lower()) == {texts["card"].pk}
    assert _found(ref[-6:]) == {texts["card"].pk}


def test_list_page_and_api_search(texts, client_for, branch_officer):
    client = client_for(branch_officer)
    html = client.get(reverse("complaints:list"), {"q": "理财"}).content.decode()
    assert texts["wealth"].reference in html and texts["card"].reference not in html
    body = client.get("/api/v1/complaints", {"q": "年费"}).json()
    assert [row["reference"] for row in body["items"]] == [texts["card"].reference]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index exists on PostgreSQL only")
def test_postgresql_plan_uses_the_bigram_index(texts):
    qs = Complaint.objects.filter(text_search("理财产品"))
    with connection.cursor() as cur:
        # three rows: a sequential or ordered index scan would be cheaper; leave the planner only bitmap
        # scans, which need an index that can answer the condition
        cur.execute("SET enable_seqscan TO off; SET enable_indexscan TO off")
        try:
            plan = qs.explain()
        finally:
            cur.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert "complaint_text_bigrams" in plan


def test_a_search_counts_its_matches_only_up_to_the_cap(texts, client_for, branch_officer, monkeypatch):
    from xiaobao.complaints.views import pages

    monkeypatch.setattr(pages, "SEARCH_COUNT_CAP", 2)
    client = client_for(branch_officer)
    html = client.get(reverse("complaints:list"), {"q": "客户"}).content.decode()  # three matches
    assert "超过 2 条投诉" in html or "more than 2 complaints" in html
    assert all(texts[k].reference in html for k in ("wealth", "card", "atm"))  # the page still shows them
    html = client.get(reverse("complaints:list"), {"q": "年费"}).content.decode()  # one match: exact count
    assert "超过" not in html and texts["card"].reference in html


@pytest.fixture
def spread(branch_officer, payload):
    """The same word in complaints received 2, 20, 200 and 800 days before 2026-03-02, and a rare one."""
    import datetime as dt

    now = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
    made = {}
    with time_machine.travel(now, tick=False):
        for days in (800, 200, 20, 2):
            made[days], _ = complaint_register(
                actor=branch_officer,
                data=payload(
                    description=f"分期手续费扣收（{days} 天前）",
                    request="退还",
                    received_at=(now - dt.timedelta(days=days)).isoformat(),
                ),
            )
        made["rare"], _ = complaint_register(
            actor=branch_officer,
            data=payload(
                description="保管箱钥匙遗失",
                request="补办",
                received_at=(now - dt.timedelta(days=500)).isoformat(),
            ),
        )
    return now, made


def test_newest_window_holds_every_match_the_capped_pages_show(spread, branch_officer):
    from xiaobao.complaints.selectors import complaint_list, newest_search_window

    now, made = spread
    filters = {"q": "手续费"}
    everything = complaint_list(user=branch_officer, filters=filters)
    newest = [c.pk for c in everything]
    assert newest == [made[d].pk for d in (2, 20, 200, 800)]
    for cap, window_holds in [(1, {2, 20}), (2, {2, 20, 200}), (3, {2, 20, 200, 800}), (0, {2})]:
        window = newest_search_window(everything, filters, cap, now=now)
        assert {c.pk for c in window} == {made[d].pk for d in window_holds}, cap
        # what the capped pages can show (cap + 1 rows) is the same with and without the window
        assert [c.pk for c in window][: cap + 1] == newest[: cap + 1]
    # a rare word, another order, or no search: the query is left alone
    rare = complaint_list(user=branch_officer, filters={"q": "保管箱"})
    assert newest_search_window(rare, {"q": "保管箱"}, 0, now=now) is rare
    by_due = complaint_list(user=branch_officer, filters={"q": "手续费", "ordering": "due"})
    assert newest_search_window(by_due, {"q": "手续费", "ordering": "due"}, 0, now=now) is by_due


def test_list_page_search_in_the_window_shows_newest_first(spread, client_for, branch_officer, monkeypatch):
    from xiaobao.complaints.views import pages

    now, made = spread
    monkeypatch.setattr(pages, "SEARCH_COUNT_CAP", 1)
    client = client_for(branch_officer)
    with time_machine.travel(now, tick=False):
        html = client.get(reverse("complaints:list"), {"q": "手续费"}).content.decode()
    assert "超过 1 条投诉" in html or "more than 1 complaints" in html
    shown = [made[d].reference for d in (2, 20) if made[d].reference in html]
    assert shown == [made[2].reference, made[20].reference]
    assert html.index(made[2].reference) < html.index(made[20].reference)
    assert made[800].reference not in html


def test_api_search_count_stops_at_the_cap(spread, api_for, branch_officer, monkeypatch):
    from xiaobao.complaints import api

    now, made = spread
    monkeypatch.setattr(api, "SEARCH_COUNT_CAP", 1)
    client = api_for(branch_officer)
    with time_machine.travel(now, tick=False):
        body = client.get("/api/v1/complaints", {"q": "手续费", "limit": 1}).json()
        assert body["count"] == 2 and body["count_capped"] is True
        assert [r["reference"] for r in body["items"]] == [made[2].reference]
        deep = client.get("/api/v1/complaints", {"q": "手续费", "limit": 1, "offset": 3}).json()
        assert [r["reference"] for r in deep["items"]] == [made[800].reference]  # past the cap: still right
        rare = client.get("/api/v1/complaints", {"q": "保管箱"}).json()
        assert rare["count"] == 1 and rare["count_capped"] is False
        plain = client.get("/api/v1/complaints").json()
        assert plain["count"] == 5 and plain["count_capped"] is False
    spec = client.get("/api/v1/openapi.json").json()
    assert "count_capped" in json.dumps(spec)


def test_a_plain_list_counts_up_to_its_own_cap(texts, client_for, branch_officer, monkeypatch):
    from xiaobao.complaints.views import pages

    client = client_for(branch_officer)
    monkeypatch.setattr(pages, "LIST_COUNT_CAP", 2)
    html = client.get(reverse("complaints:list")).content.decode()
    assert ("超过 2 条投诉" in html or "more than 2 complaints" in html) and "共 3 件投诉" not in html
    monkeypatch.setattr(pages, "LIST_COUNT_CAP", 3)
    html = client.get(reverse("complaints:list")).content.decode()
    assert "超过 3 条投诉" not in html and ("共 3 件投诉" in html or "3 complaints" in html)


def test_ids_first_pages_are_the_same_short_or_long(
    spread, branch_officer, monkeypatch, django_assert_num_queries
):
    """A page of IdsFirst equals the queryset's own slice, whether the list is short (every id read in
    order, sliced in Python) or long (LIMIT in SQL), in two queries whatever the page size."""
    from xiaobao.complaints.selectors import IdsFirst, complaint_list

    qs = complaint_list(user=branch_officer, filters={})
    expected = [c.pk for c in qs]
    for short in (10_000, 0):
        monkeypatch.setattr(IdsFirst, "SHORT_LIST", short)
        rows = IdsFirst(qs)
        assert rows.capped_count(100) == len(expected) == 5
        for start, stop in ((0, 2), (2, 4), (4, 6)):
            with django_assert_num_queries(2):
                page = rows[start:stop]
            assert [c.pk for c in page] == expected[start:stop]
            assert all(hasattr(c, "decision_due") for c in page)


def test_api_plain_list_count_stops_at_the_list_cap(spread, api_for, branch_officer, monkeypatch):
    from xiaobao.complaints import api

    _, made = spread
    monkeypatch.setattr(api, "LIST_COUNT_CAP", 3)
    client = api_for(branch_officer)
    body = client.get("/api/v1/complaints", {"limit": 2}).json()
    assert body["count"] == 4 and body["count_capped"] is True and len(body["items"]) == 2
    everything = []
    for offset in range(0, 10, 2):  # paging on past the cap until a page is short
        items = client.get("/api/v1/complaints", {"limit": 2, "offset": offset}).json()["items"]
        everything += [r["reference"] for r in items]
        if len(items) < 2:
            break
    assert sorted(everything) == sorted(c.reference for c in made.values())
    monkeypatch.setattr(api, "LIST_COUNT_CAP", 5)
    body = client.get("/api/v1/complaints").json()
    assert body["count"] == 5 and body["count_capped"] is False


def test_receipt_day_bounds_count_local_days(branch_officer, payload):
    """The date filters bound both the day of receipt and the receipt time (for the index); the local
    day decides: 23:30 and 00:10 Beijing time fall on their own days, whatever the UTC date."""
    from xiaobao.complaints.filtersets import apply_filters

    with time_machine.travel("2026-03-05 12:00 +0800", tick=False):
        late, _ = complaint_register(
            actor=branch_officer, data=payload(received_at="2026-03-01T23:30:00+08:00")
        )
        early, _ = complaint_register(
            actor=branch_officer, data=payload(received_at="2026-03-02T00:10:00+08:00")
        )
    base = Complaint.objects.all()

    def found(**data):
        return set(apply_filters(base, data, branch_officer).values_list("pk", flat=True))

    day1, day2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    assert found(received_to=day1) == {late.pk}
    assert found(received_from=day2) == {early.pk}
    assert found(received_from=day1, received_to=day1) == {late.pk}
    assert found(received_from=day1, received_to=day2) == {late.pk, early.pk}
