"""The complaints' provider of the global search (`xiaobao.complaints.search.search`): reference, identifier
through the blind index (complainant or represented consumer), exact name, text — within the user's scope,
with a subtitle of status, unit and masked name only."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from xiaobao.complaints.search import search
from xiaobao.complaints.services import complaint_register
from xiaobao.core.services.consumers import consumer_create

pytestmark = pytest.mark.django_db

NOW = "2026-03-05 10:00 +0800"


@pytest.fixture
def complaints(org, b1_handler, b2_handler, payload):
    """Two complaints in branch 1 (张伟 by phone and ID; 李娜 for a consumer she represents) and one in
    branch 2 by a different complainant who happens to share the name 张伟."""
    with time_machine.travel(NOW, tick=False):
        c1, _ = complaint_register(actor=b1_handler, data=payload())
        c2, _ = complaint_register(
            actor=b1_handler,
            data=payload(
                complainant={"name": "李娜", "phone": "13900001111"},
                complainant_role="agent",
                description="代理其父亲投诉理财产品风险等级不符。",
                request="赔偿损失",
            ),
        )
        c3, _ = complaint_register(
            actor=b2_handler,
            data=payload(
                org_unit=org.b2s.code,
                complainant={"name": "张伟", "phone": "13700002222"},
                description="客户称信用卡年费未经同意扣收（上海）。",
            ),
        )
    # the consumer 李娜 represents (registration records the complainant; the represented one is set here)
    father = consumer_create(actor=None, org_unit=org.b1s, name="李建国", id_number="110101195001010017")
    type(c2).objects.filter(pk=c2.pk).update(consumer=father)
    return c1, c2, c3


def refs(hits):
    return [h.title.split()[0] for h in hits]


def test_exact_reference_and_its_start(complaints, b1_handler):
    c1, c2, _ = complaints
    # when searched by the exact reference (lower case, spaces around) / by its start
    exact = search(b1_handler, f"  {c1.reference.lower()} ", 5)
    start = search(b1_handler, c1.reference[:12], 5)
    # then the one complaint, then both of the day's
    assert refs(exact) == [c1.reference]
    assert set(refs(start)) == {c1.reference, c2.reference}


def test_phone_and_id_number_through_the_blind_index(complaints, b1_handler):
    c1, c2, _ = complaints
    # given the complainant's phone typed with spaces and +86, the ID number, the represented consumer's ID
    by_phone = search(b1_handler, "+86 138 1234 5678", 5)
    by_id = search(b1_handler, "110108199003070016", 5)
    by_represented = search(b1_handler, "110101195001010017", 5)
    # then each finds its complaint
    assert refs(by_phone) == [c1.reference]
    assert refs(by_id) == [c1.reference]
    assert refs(by_represented) == [c2.reference]


def test_name_matches_only_in_full(complaints, b1_handler):
    c1, c2, _ = complaints
    assert refs(search(b1_handler, "张伟", 5)) == [c1.reference]
    assert refs(search(b1_handler, "李建国", 5)) == [c2.reference]  # the consumer represented
    assert search(b1_handler, "张", 5) == []  # one character: not searched
    assert c1.reference not in refs(search(b1_handler, "张先生", 5))


def test_text_as_the_list_searches_it(complaints, b1_handler):
    c1, c2, _ = complaints
    assert refs(search(b1_handler, "理财产品", 5)) == [c2.reference]
    assert set(refs(search(b1_handler, "年费", 5))) == {c1.reference}  # branch 2's stays out


def test_subtitle_is_status_unit_and_masked_name_only(complaints, b1_handler):
    c1, _, _ = complaints
    (hit,) = search(b1_handler, c1.reference, 5)
    assert hit.url == f"/complaints/{c1.pk}/"
    assert hit.subtitle == f"{c1.get_status_display()} · 海淀支行 · 张*"
    for clear in ("张伟", "13812345678", "110108199003070016"):
        assert clear not in hit.title + hit.subtitle


def test_other_branch_and_no_permission_see_nothing(complaints, org, b2_handler):
    c1, _, c3 = complaints
    outsider = make_user("b1_norole", org.b1s, [])
    for q in (c1.reference, "13812345678", "110108199003070016", "年费", "张伟"):
        assert c1.reference not in refs(search(b2_handler, q, 5)), q
        assert search(outsider, q, 5) == [], q
    # the branch-2 handler finds his own 张伟, never branch 1's
    assert refs(search(b2_handler, "张伟", 5)) == [c3.reference]


def test_limit_and_a_bounded_number_of_queries(complaints, b1_handler):
    with CaptureQueriesContext(connection) as ctx:
        hits = search(b1_handler, "客户", 1)
    assert len(hits) == 1
    assert len(ctx.captured_queries) <= 12
