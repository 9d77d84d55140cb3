"""The sales-recording API: register filters, progress figures, drawing samples, starting checks, errors."""

from __future__ import annotations

import pytest

from xiaobao.inspections.models import Inspection
from xiaobao.sales_recording.models import RecordingSample, SampleItem
from xiaobao.sales_recording.services import sample_replay
from xiaobao.sales_recording.tests.conftest import make_sale

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = "/api/v1/sales-recording"


@pytest.fixture
def quarter_sales(org):
    """Q1 2026 at the B1 outlet: 20 wealth sales (2 to applicants aged 60+), 5 agency; one in branch 2."""
    sales = [
        make_sale(org.b1o, at=f"2026-0{1 + i % 3}-1{i % 9} 10:00", age=70 if i < 2 else 40) for i in range(20)
    ]
    sales += [make_sale(org.b1o, at="2026-03-05 09:00", kind="agency") for _ in range(5)]
    make_sale(org.b2s, at="2026-02-01 09:00", ext="B2MARK")
    return sales


def _draw(client, unit="B1", **over):
    body = {"unit": unit, "year": 2026, "quarter": 1, "rule": "bank-sales-zone", "seed": 12345, **over}
    return client.post(f"{URL}/samples", body, content_type="application/json")


def test_draw_takes_every_must_check_sale_and_a_share_of_each_kind(org, sr_officer, api_for, quarter_sales):
    # when
    response = _draw(api_for(sr_officer))
    # then 20 wealth → ⌈2⌉ less 2 aged 60+ = 0 random; 5 agency → ⌈0.5⌉ = 1
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["population"] == 25 and body["seed"] == 12345
    must = [i for i in body["items"] if i["reason"] == "must_check"]
    assert sorted(i["sale"]["applicant_age"] for i in must) == [70, 70]
    assert [i["stratum"] for i in body["items"] if i["reason"] == "random"] == ["agency"]
    assert body["rule_snapshot"]["share_percent"] == "10.00"


def test_a_sample_is_reproducible_from_its_seed(org, sr_officer, api_for, quarter_sales):
    # given
    sample = RecordingSample.objects.get(pk=_draw(api_for(sr_officer), seed=99).json()["id"])
    stored = sorted(SampleItem.objects.filter(sample=sample).values_list("sale_id", "reason"))
    # when
    again = sorted((p.sale_id, p.reason) for p in sample_replay(sample))
    # then
    assert again == stored


def test_drawing_twice_is_a_conflict_and_bad_input_a_field_error(org, sr_officer, api_for, quarter_sales):
    client = api_for(sr_officer)
    assert _draw(client).status_code == 201
    again = _draw(client)
    assert again.status_code == 409 and again.json()["code"] == "drawn"
    for over, field in [
        ({"quarter": 5}, "quarter"),
        ({"rule": "nope"}, "rule"),
        ({"year": 2026, "quarter": 3}, "quarter"),  # not begun on 2026-04-15
        ({"seed": -1}, "seed"),
    ]:
        response = _draw(client, **over)
        assert response.status_code == 422, over
        assert any(field in key for key in response.json()["fields"]), response.json()
    other_branch = _draw(client, unit="B2")
    assert other_branch.status_code == 422 and "unit" in other_branch.json()["fields"]


def test_drawing_needs_the_check_permission(org, auditor, api_for, quarter_sales):
    assert _draw(api_for(auditor)).status_code == 403


def test_checking_an_item_opens_one_inspection_with_the_sales_recording_checklist(
    org, sr_officer, api_for, quarter_sales
):
    # given a drawn sample
    client = api_for(sr_officer)
    item = _draw(client).json()["items"][0]
    # when the check is started twice
    first = client.post(f"{URL}/items/{item['id']}/check")
    second = client.post(f"{URL}/items/{item['id']}/check")
    # then one inspection of the sale's outlet, with the sales-recording checklist, tied to the item
    assert first.status_code == 201 and first.json()["inspection"] == second.json()["inspection"]
    inspection = Inspection.objects.get(pk=first.json()["inspection"])
    assert inspection.template.code == "sales_recording"
    assert (inspection.org_unit, inspection.handler, inspection.sales_sample_item_id) == (
        org.b1o,
        sr_officer,
        item["id"],
    )
    detail = client.get(f"{URL}/samples/{SampleItem.objects.get(pk=item['id']).sample_id}").json()
    assert detail["items"][0]["inspection_reference"] == inspection.reference


def test_another_branch_sees_neither_samples_nor_items(org, sr_officer, sr_other, api_for, quarter_sales):
    body = _draw(api_for(sr_officer)).json()
    other = api_for(sr_other)
    assert other.get(f"{URL}/samples/{body['id']}").status_code == 404
    assert other.post(f"{URL}/items/{body['items'][0]['id']}/check").status_code == 404
    assert other.get(f"{URL}/samples").json()["count"] == 0


def test_progress_counts_recorded_and_required_by_unit_and_month(org, sr_hq, api_for):
    # given March 2026: 3 sales at the B1 outlet (one without recording, one with a zero length), 1 at B2
    make_sale(org.b1o, at="2026-03-02 10:00")
    make_sale(org.b1o, at="2026-03-03 10:00", recording="")
    make_sale(org.b1o, at="2026-03-04 10:00", duration=0)
    make_sale(org.b2s, at="2026-03-05 10:00")
    make_sale(org.b1o, at="2026-02-05 10:00")
    # when
    body = api_for(sr_hq).get(f"{URL}/progress", {"unit": "HO", "year": 2026, "month": 3}).json()
    # then
    assert (body["total"]["required"], body["total"]["recorded"]) == (4, 2)
    by_unit = {r["unit"]: r for r in body["units"]}
    assert (by_unit["B1"]["required"], by_unit["B1"]["recorded"], by_unit["B1"]["percent"]) == (3, 1, "33.3")
    assert (by_unit["B2"]["required"], by_unit["B2"]["recorded"]) == (1, 1)
    assert [m["required"] for m in body["months"][:4]] == [0, 1, 4, 0]


def test_progress_of_a_unit_outside_the_scope_is_a_field_error(org, sr_officer, api_for):
    response = api_for(sr_officer).get(f"{URL}/progress", {"unit": "B2"})
    assert response.status_code == 422 and "unit" in response.json()["fields"]
    assert api_for(sr_officer).get(f"{URL}/progress", {"month": 13}).status_code == 422


def test_register_filters(org, sr_officer, api_for, quarter_sales):
    client = api_for(sr_officer)
    assert client.get(f"{URL}/sales").json()["count"] == 25
    assert client.get(f"{URL}/sales", {"aged_60": True}).json()["count"] == 2
    assert client.get(f"{URL}/sales", {"product_kind": "agency"}).json()["count"] == 5
    bad = client.get(f"{URL}/sales", {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422 and "date_to" in bad.json()["fields"]


def test_rules_are_maintained_as_data(org, hq_officer, sr_officer, api_for):
    client = api_for(hq_officer)
    # a new rule by count, then switched to a share
    body = {
        "code": "elder-all",
        "name": "60岁以上全检",
        "count": 3,
        "must_check": [{"applicant_age_gte": 60}],
    }
    created = client.post(f"{URL}/rules", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["count"] == 3
    changed = client.put(
        f"{URL}/rules/elder-all", {"share_percent": "20", "count": None}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["share_percent"] == "20.00"
    # field errors: both share and count, unknown test, unknown product kind, duplicate code
    for url, method, data, field in [
        (f"{URL}/rules/elder-all", "put", {"count": 5}, "share_percent"),
        (f"{URL}/rules/elder-all", "put", {"must_check": [{"age": 1}]}, "must_check"),
        (f"{URL}/rules/elder-all", "put", {"product_kinds": ["gold"]}, "product_kinds"),
        (f"{URL}/rules", "post", body, "code"),
    ]:
        response = getattr(client, method)(url, data, content_type="application/json")
        assert response.status_code == 422 and field in response.json()["fields"], (data, response.json())
    assert client.put(f"{URL}/rules/nope", {"count": 1}, content_type="application/json").status_code == 404
    # a branch officer who checks recordings may not change the rules
    refused = api_for(sr_officer).put(f"{URL}/rules/elder-all", {"count": 1}, content_type="application/json")
    assert refused.status_code == 403


def test_samples_are_filtered_by_unit_and_quarter(org, sr_hq, api_for, quarter_sales):
    client = api_for(sr_hq)
    assert _draw(client).status_code == 201
    assert client.get(f"{URL}/samples", {"unit": "B1", "quarter": 1}).json()["count"] == 1
    assert client.get(f"{URL}/samples", {"unit": "B2"}).json()["count"] == 0
    assert client.get(f"{URL}/samples", {"quarter": 2}).json()["count"] == 0
    bad = client.get(f"{URL}/samples", {"unit": "NOPE"})
    assert bad.status_code == 422 and "unit" in bad.json()["fields"]
