"""Fee catalogue pages: the catalogue with the fee in force and the pending change, an item with its versions
and reviews, creating an item, drafting a change, sending it to review, publishing, the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from xiaobao.fees.models import FeeItem, FeeVersion
from xiaobao.fees.services import fee_change_draft, fee_change_submit
from xiaobao.fees.tests.factories import publish_change, published_item, version_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(org, responder, b1_officer):
    """An institution-wide fee changed once, one with a draft change, and a branch-1 fee."""
    a = published_item(
        responder, code="ZH-001", unit=org.ho, fee="每笔5元", since="2025-01-01", name="存款证明"
    )
    publish_change(responder, a, fee="每笔3元", since="2026-01-01")
    b = published_item(
        responder, code="YK-001", unit=org.ho, fee="每卡每年10元", since="2025-01-01", category="card"
    )
    fee_change_draft(actor=responder, item=b, data=version_data("免收", "2026-06-01"))
    c = published_item(
        b1_officer, code="BJ-001", unit=org.b1, fee="每年300元", since="2025-01-01", category="agency"
    )
    return a, b, c


def test_the_catalogue_shows_the_fee_in_force_and_the_pending_change(client_for, responder, catalogue):
    # when
    response = client_for(responder).get(reverse("fees:list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "每笔3元" in html and "每笔5元" not in html  # the fee in force, not the superseded one
    assert "免收" in html  # the draft change of YK-001
    assert "BJ-001" not in html  # branch 1's fee is outside the head office department's subtree


def test_the_catalogue_filters_by_category_and_status(client_for, reviewer, catalogue):
    client = client_for(reviewer)
    html = client.get(reverse("fees:list"), {"category": "card"}).content.decode()
    assert "YK-001" in html and "ZH-001" not in html
    html = client.get(reverse("fees:list"), {"status": "draft"}).content.decode()
    assert "YK-001" in html and "BJ-001" not in html
    html = client.get(reverse("fees:list"), {"unit": "B1"}).content.decode()
    assert "BJ-001" in html and "YK-001" not in html


def test_a_bad_filter_is_a_400_with_the_reason(client_for, reviewer, catalogue):
    response = client_for(reviewer).get(reverse("fees:list"), {"category": "lottery"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_the_catalogue_reads_a_fixed_number_of_queries(
    client_for, reviewer, catalogue, django_assert_max_num_queries
):
    client = client_for(reviewer)
    client.get(reverse("fees:list"))  # sessions, permissions cached
    with django_assert_max_num_queries(14):
        client.get(reverse("fees:list"))


def test_the_item_page_shows_the_versions_and_the_change(client_for, responder, catalogue):
    _, b, _ = catalogue
    response = client_for(responder).get(reverse("fees:detail", args=[b.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "每卡每年10元" in html and "免收" in html
    assert reverse("fees:submit", args=[b.pk, b.versions.get(number=2).pk]) in html


def test_the_item_page_links_its_fee_review(client_for, responder, reviewer, catalogue):
    _, b, _ = catalogue
    version = fee_change_submit(actor=responder, version=b.versions.get(number=2))
    html = client_for(reviewer).get(reverse("fees:detail", args=[b.pk])).content.decode()
    assert version.review.reference in html
    assert reverse("review:detail", args=[version.review.pk]) in html


def test_another_branchs_fee_is_a_404(client_for, other_branch_officer, catalogue):
    _, _, c = catalogue
    assert client_for(other_branch_officer).get(reverse("fees:detail", args=[c.pk])).status_code == 404


def test_creating_an_item_from_the_page(client_for, responder, org):
    data = {
        "code": "ZZ-009",
        "name": "跨境汇款查询",
        "category": "transfer",
        "org_unit": "HO",
        "order": "3",
        "fee": "每笔50元",
        "amount": "50",
        "amount_unit": "元/笔",
        "basis": "market",
        "effective_from": "2026-05-01",
    }
    response = client_for(responder).post(reverse("fees:create"), data)
    item = FeeItem.objects.get(code="ZZ-009")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.versions.get().status == "draft"


def test_a_bad_new_item_is_a_400_with_field_errors_and_nothing_stored(client_for, responder, org):
    response = client_for(responder).post(reverse("fees:create"), {"code": "", "fee": "", "basis": "market"})
    assert response.status_code == 400
    assert FeeItem.objects.count() == 0


def test_a_branch_officer_cannot_pick_the_head_office_as_the_unit(client_for, b1_officer, org):
    response = client_for(b1_officer).get(reverse("fees:create"))
    html = response.content.decode()
    assert 'value="B1"' in html and 'value="HO"' not in html


def test_drafting_a_change_prefills_the_fee_in_force(client_for, responder, catalogue):
    a, _, _ = catalogue
    response = client_for(responder).get(reverse("fees:change", args=[a.pk]))
    assert "每笔3元" in response.content.decode()


def test_drafting_a_change_from_the_page(client_for, responder, catalogue):
    a, _, _ = catalogue
    data = version_data("免费", "2026-07-01")
    response = client_for(responder).post(reverse("fees:change", args=[a.pk]), data)
    assert response.status_code == 302
    assert a.versions.get(number=3).status == "draft"


def test_a_change_dated_before_the_fee_in_force_is_a_400(client_for, responder, catalogue):
    a, _, _ = catalogue
    response = client_for(responder).post(
        reverse("fees:change", args=[a.pk]), version_data("免费", "2025-06-01")
    )
    assert response.status_code == 400
    assert a.versions.count() == 2


def test_a_change_while_one_is_in_review_is_a_409(client_for, responder, catalogue):
    _, b, _ = catalogue
    fee_change_submit(actor=responder, version=b.versions.get(number=2))
    response = client_for(responder).get(reverse("fees:change", args=[b.pk]))
    assert response.status_code == 409


def test_a_branch_officer_may_not_change_an_institution_wide_fee(client_for, b1_officer, catalogue):
    a, _, _ = catalogue
    assert client_for(b1_officer).get(reverse("fees:change", args=[a.pk])).status_code == 403


def test_sending_to_the_fee_review_from_the_page(client_for, responder, catalogue):
    _, b, _ = catalogue
    draft = b.versions.get(number=2)
    response = client_for(responder).post(reverse("fees:submit", args=[b.pk, draft.pk]), {"note": "请审查"})
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == "in_review" and draft.review.kind == "fee_change"


def test_sending_twice_is_a_409_and_opens_no_second_review(client_for, responder, catalogue):
    from xiaobao.review.models import Review

    _, b, _ = catalogue
    draft = b.versions.get(number=2)
    client = client_for(responder)
    client.post(reverse("fees:submit", args=[b.pk, draft.pk]), {})
    response = client.post(reverse("fees:submit", args=[b.pk, draft.pk]), {})
    assert response.status_code == 409
    assert Review.objects.count() == 1


def test_publishing_from_the_page_under_a_passed_review(
    client_for, responder, reviewer, catalogue, django_capture_on_commit_callbacks
):
    from xiaobao.review.services import review_conclude, review_transition

    a, b, _ = catalogue
    draft_a = fee_change_draft(actor=responder, item=a, data=version_data("免费", "2026-07-01"))
    passed = fee_change_submit(actor=responder, version=draft_a).review
    with django_capture_on_commit_callbacks(execute=True):
        review_conclude(
            actor=reviewer,
            review=review_transition(actor=reviewer, review=passed, action="claim", data={}),
            conclusion="pass",
        )
    draft_b = b.versions.get(number=2)
    client = client_for(reviewer)
    page = client.get(reverse("fees:publish", args=[b.pk, draft_b.pk]))
    assert passed.reference in page.content.decode()
    # when
    response = client.post(reverse("fees:publish", args=[b.pk, draft_b.pk]), {"review": passed.pk})
    # then
    draft_b.refresh_from_db()
    assert response.status_code == 302
    assert (draft_b.status, draft_b.review_id) == ("published", passed.pk)
    assert b.versions.get(number=1).effective_to == dt.date(2026, 5, 31)


def test_publishing_needs_the_publish_permission(client_for, responder, catalogue):
    _, b, _ = catalogue
    draft = b.versions.get(number=2)
    assert client_for(responder).get(reverse("fees:publish", args=[b.pk, draft.pk])).status_code == 403


def test_discarding_a_draft(client_for, responder, catalogue):
    _, b, _ = catalogue
    draft = b.versions.get(number=2)
    response = client_for(responder).post(reverse("fees:discard", args=[b.pk, draft.pk]))
    assert response.status_code == 302
    assert not FeeVersion.objects.filter(pk=draft.pk).exists()


def test_the_export_holds_the_fees_in_force_and_the_history_on_a4_landscape(client_for, reviewer, catalogue):
    from openpyxl import load_workbook

    response = client_for(reviewer).get(reverse("fees:export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    now, history = wb.worksheets
    assert now.page_setup.orientation == "landscape" and int(now.page_setup.paperSize) == 9  # A4
    cells = [c for row in now.iter_rows(values_only=True) for c in row if c]
    assert "每笔3元" in cells and "每笔5元" not in cells and "每年300元" in cells
    assert "总行" in str(now["A1"].value)  # the institution (the root unit "总行" here)
    history_cells = [c for row in history.iter_rows(values_only=True) for c in row if c]
    assert "每笔5元" in history_cells and "免收" in history_cells  # the superseded fee and the draft
