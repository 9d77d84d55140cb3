"""The public fee disclosure (no login): the fees in force today for the institution or a branch, the changes
announced ahead, the past versions, the hall screen and the Excel copy — and never a draft, an in-review or a
rejected fee, nor an internal id. The sweep's anonymous → login test does not apply to these pages
(`tests/routes.py` lists them in PUBLIC_PAGES); this file is their scoping check."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.fees.services import fee_change_draft, fee_change_submit
from xiaobao.fees.tests.factories import draft_item, publish_change, published_item, version_data
from xiaobao.fees.tests.routes import PUBLIC_PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def disclosed(org, responder, b1_officer, other_branch_officer, settings):
    """Today is 2 March 2026. Institution-wide: a fee changed on 1 January (the old one is history), a fee
    whose change from 1 April is published (announced), a fee with a change in review, a draft-only item.
    Branch 1 and branch 2 have a safe-deposit fee each."""
    from xiaobao.core.models import User

    settings.INSTITUTION_NAME = "晓宝银行"
    a = published_item(
        responder, code="ZH-001", unit=org.ho, fee="每份20元", since="2025-01-01", name="存款证明"
    )
    publish_change(responder, a, fee="每份10元", since="2026-01-01")
    b = published_item(
        responder, code="DZ-001", unit=org.ho, fee="每月2元", since="2025-01-01", name="短信通知"
    )
    publish_change(responder, b, fee="免收", since="2026-04-01", category="ebanking")
    c = published_item(
        responder, code="YK-001", unit=org.ho, fee="每卡每年10元", since="2025-01-01", name="借记卡年费"
    )
    fee_change_submit(
        actor=responder,
        version=fee_change_draft(actor=responder, item=c, data=version_data("每卡每年99元", "2026-05-01")),
    )
    draft_item(responder, code="QT-009", unit=org.ho, fee="每次888元", name="草稿收费项目")
    published_item(
        b1_officer, code="BJ-001", unit=org.b1, fee="每年300元", since="2025-01-01", name="北京保管箱"
    )
    b2 = User.objects.get(pk=other_branch_officer.pk)
    published_item(b2, code="SH-001", unit=org.b2, fee="每年400元", since="2025-01-01", name="上海保管箱")
    return a, b, c


def _html(client: Client, name: str, **params: str) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_pages_are_the_ones_the_route_table_names():
    assert {"fees_public:list", "fees_public:history", "fees_public:export"} == PUBLIC_PAGES


def test_the_fees_in_force_without_a_login(client, disclosed):
    # when an anonymous visitor opens the page
    html = _html(client, "fees_public:list")
    # then the fees in force today, the announced change, the institution's name
    assert "晓宝银行" in html
    assert "每份10元" in html and "每月2元" in html and "每卡每年10元" in html
    assert "免收" in html and "2026-04-01" in html  # announced ahead
    # and never a superseded fee, a change in review, a draft, a branch's own fee
    for hidden in ("每份20元", "每卡每年99元", "每次888元", "草稿收费项目", "每年300元", "每年400元"):
        assert hidden not in html


def test_a_branchs_page_adds_its_own_fees_not_another_branchs(client, disclosed, org):
    html = _html(client, "fees_public:list", unit="B1-S1")  # a sub-branch of branch 1
    assert "每年300元" in html and "每份10元" in html
    assert "每年400元" not in html
    assert "海淀支行" in html


def test_an_unknown_unit_shows_the_institutions_fees(client, disclosed):
    html = _html(client, "fees_public:list", unit="NOPE")
    assert "每份10元" in html and "每年300元" not in html


def test_the_public_pages_show_no_internal_ids(client, disclosed):
    from xiaobao.fees.models import FeeItem, FeeVersion

    html = _html(client, "fees_public:list") + _html(client, "fees_public:history")
    assert 'href="/fees/' not in html  # no link into the staff pages
    ids = {
        str(pk)
        for pk in [
            *FeeItem.objects.values_list("pk", flat=True),
            *FeeVersion.objects.values_list("pk", flat=True),
        ]
    }
    attributes = re.findall(r'(?:value|href|data-[a-z-]+)="([^"]*)"', html)
    assert not [a for a in attributes if a in ids]


def test_the_history_lists_the_fees_that_ended(client, disclosed):
    html = _html(client, "fees_public:history")
    assert "每份20元" in html and "2025-12-31" in html
    for hidden in ("每份10元", "每卡每年99元", "每次888元"):
        assert hidden not in html


def test_the_hall_screen_is_large_scrolls_and_reloads_without_a_script(client, disclosed):
    html = _html(client, "fees_public:list", screen="1")
    assert "fee-screen" in html and "每份10元" in html
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', html)
    assert "<script" not in html
    assert "每卡每年99元" not in html


def test_the_public_export_holds_only_disclosed_fees(client, disclosed):
    from openpyxl import load_workbook

    response = client.get(reverse("fees_public:export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert {"每份10元", "每份20元", "免收", "每卡每年10元"} <= cells
    assert not {"每卡每年99元", "每次888元", "每年300元"} & cells
    assert any("晓宝银行" in c for c in cells)
    assert all(ws.page_setup.orientation == "landscape" for ws in wb.worksheets)


def test_a_signed_in_user_sees_the_same_public_page(client_for, disclosed, b1_officer):
    html = _html(client_for(b1_officer), "fees_public:list")
    assert "每份10元" in html and "每年300元" not in html and "每卡每年99元" not in html


def test_an_empty_catalogue_says_so(client, org):
    html = _html(client, "fees_public:list")
    assert 'data-testid="public-fees"' in html
