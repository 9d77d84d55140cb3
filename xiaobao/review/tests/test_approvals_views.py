"""Approval pages and API on the review side: the register with its state filter, the withdrawal form, the QR
code (valid SVG holding the public check's absolute address) and the printable slip; the API's list, one
approval, withdrawal and check."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
import segno
from django.urls import reverse

from xiaobao.review import approvals as svc
from xiaobao.review.models import Approval
from xiaobao.review.tests.test_approvals_fixtures import on, passed_review, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        live = passed_review(submitter, reviewer, title="在用").approvals.get()
        gone = passed_review(submitter, reviewer, title="已撤回", product_name="旧产品").approvals.get()
        svc.approval_withdraw(gone, by=reviewer, reason="产品停售")
    return submitter, reviewer, live, gone


def test_the_register_lists_and_filters_by_state(client_for, setup):
    _submitter, reviewer, live, gone = setup
    client = client_for(reviewer)
    with on("2026-04-01"):
        every = client.get(reverse("review:approvals")).content.decode()
        active = client.get(reverse("review:approvals"), {"state": "active"}).content.decode()
        withdrawn = client.get(reverse("review:approvals"), {"state": "withdrawn"}).content.decode()
        bad = client.get(reverse("review:approvals"), {"state": "nonsense"})
    assert live.number in every and gone.number in every
    assert live.number in active and gone.number not in active
    assert gone.number in withdrawn and live.number not in withdrawn
    assert bad.status_code == 400


def test_the_register_shows_only_visible_reviews(client_for, setup, other_branch_officer):
    _s, _r, live, _gone = setup
    with on("2026-04-01"):
        html = client_for(other_branch_officer).get(reverse("review:approvals")).content.decode()
    assert live.number not in html


def test_withdraw_through_the_form(client_for, setup):
    _s, reviewer, live, _gone = setup
    client = client_for(reviewer)
    url = reverse("review:approval_withdraw", args=[live.pk])
    with on("2026-04-01"):
        assert client.get(url).status_code == 200
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 400 and Approval.objects.get(pk=live.pk).state == "active"
        done = client.post(url, {"reason": "营销活动结束，宣传单下架"})
    assert done.status_code == 302
    assert Approval.objects.get(pk=live.pk).state == "withdrawn"


def test_a_branch_officer_may_not_withdraw(client_for, setup, branch_officer):
    _s, _r, live, _gone = setup
    with on("2026-04-01"):
        response = client_for(branch_officer).post(
            reverse("review:approval_withdraw", args=[live.pk]), {"reason": "下架"}
        )
    assert response.status_code == 403
    assert Approval.objects.get(pk=live.pk).state == "active"


def test_the_qr_code_is_svg_of_the_public_address(client_for, setup):
    _s, reviewer, live, _gone = setup
    with on("2026-04-01"):
        response = client_for(reviewer).get(reverse("review:approval_qr", args=[live.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag.endswith("svg")
    # the same symbol segno makes for the absolute public check address
    url = f"http://testserver/public/verify/{live.code}/"
    expected = segno.make(url, error="m", micro=False)
    assert response.content.decode().endswith(expected.svg_inline(scale=8, border=2, title=url))
    assert url in response.content.decode()


def test_the_qr_code_uses_the_configured_public_address(client_for, setup, settings):
    _s, reviewer, live, _gone = setup
    settings.PUBLIC_BASE_URL = "https://xb.example-bank.cn/"
    with on("2026-04-01"):
        svg = client_for(reviewer).get(reverse("review:approval_qr", args=[live.pk])).content.decode()
    assert f"https://xb.example-bank.cn/public/verify/{live.code}/" in svg


def test_the_printable_slip(client_for, setup, settings):
    settings.INSTITUTION_NAME = "晓宝农商银行"
    _s, reviewer, live, gone = setup
    client = client_for(reviewer)
    with on("2026-04-01"):
        html = client.get(reverse("review:approval_print", args=[live.pk])).content.decode()
        void = client.get(reverse("review:approval_print", args=[gone.pk])).content.decode()
    for shown in (
        "晓宝农商银行",
        live.number,
        svc.format_code(live.code),
        live.sha256,
        "leaflet.docx",
        "<svg",
    ):
        assert shown in html
    assert "已失效" not in html and "已失效" in void


def test_pages_of_another_branch_are_404(client_for, setup, power_b2):
    _s, _r, live, _gone = setup
    client = client_for(power_b2)
    with on("2026-04-01"):
        for name in ("review:approval_qr", "review:approval_print"):
            assert client.get(reverse(name, args=[live.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------------------


def test_api_list_detail_and_withdraw(api_for, setup):
    _s, reviewer, live, _gone = setup
    api = api_for(reviewer)
    with on("2026-04-01"):
        listed = api.get("/api/v1/approvals?state=active").json()
        one = api.get(f"/api/v1/approvals/{live.number}").json()
        empty = api.post(
            f"/api/v1/approvals/{live.number}/withdraw",
            json.dumps({"reason": ""}),
            content_type="application/json",
        )
        done = api.post(
            f"/api/v1/approvals/{live.number}/withdraw",
            json.dumps({"reason": "下架"}),
            content_type="application/json",
        )
        again = api.post(
            f"/api/v1/approvals/{live.number}/withdraw",
            json.dumps({"reason": "再次"}),
            content_type="application/json",
        )
    assert [row["number"] for row in listed["items"]] == [live.number]
    assert one["code"] == svc.format_code(live.code) and one["sha256"] == live.sha256
    assert one["state"] == "active" and one["file_name"] == "leaflet.docx"
    assert empty.status_code == 422 and "reason" in empty.json()["fields"]
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    assert again.status_code == 409


def test_api_check_says_what_the_public_page_says(api_for, setup, no_role_user):
    _s, _r, live, gone = setup
    api = api_for(no_role_user)
    with on("2026-04-01"):
        ok = api.get(f"/api/v1/approvals/verify/{live.code}").json()
        withdrawn = api.get(f"/api/v1/approvals/verify/{gone.number}").json()
        unknown = api.get("/api/v1/approvals/verify/ZZZZZZZZ").json()
        wrong_file = api.get(f"/api/v1/approvals/verify/{live.code}?sha256={'0' * 64}").json()
    assert ok["found"] and ok["valid"] and ok["product_name"] == "稳盈1号理财产品"
    assert "review" not in ok and "issued_by" not in ok
    assert withdrawn["state"] == "withdrawn" and not withdrawn["valid"]
    assert unknown == {**unknown, "found": False, "state": "not_found", "valid": False}
    assert wrong_file["file_matches"] is False and not wrong_file["valid"]


def test_api_of_another_branch_is_404(api_for, setup, power_b2):
    _s, _r, live, _gone = setup
    with on("2026-04-01"):
        response = api_for(power_b2).get(f"/api/v1/approvals/{live.number}")
    assert response.status_code == 404


def test_an_expired_approval_is_listed_as_expired_before_the_job_runs(client_for, org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        short = passed_review(submitter, reviewer, valid_until=dt.date(2026, 3, 31)).approvals.get()
    with on("2026-04-01"):
        expired = client_for(reviewer).get(reverse("review:approvals"), {"state": "expired"}).content.decode()
        active = client_for(reviewer).get(reverse("review:approvals"), {"state": "active"}).content.decode()
    assert short.number in expired and short.number not in active
