"""The sales-recording pages: register, progress, samples (draw with field errors), detail with the check's
findings and their rectification links, the import entry; and a check filled through the inspection."""

from __future__ import annotations

import pytest

from xiaobao.sales_recording.models import RecordingSample, SampleItem
from xiaobao.sales_recording.tests.conftest import make_sale

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def sales(org):
    return [make_sale(org.b1o, at="2026-02-10 10:00", age=66), make_sale(org.b1o, at="2026-02-11 10:00")]


def test_register_lists_the_sales_of_the_scope(org, sr_officer, client_for, sales):
    make_sale(org.b2s, at="2026-02-01 10:00").__class__.objects.filter(org_unit=org.b2s).update(
        product="B2ONLY"
    )
    page = client_for(sr_officer).get("/sales-recording/", {"aged_60": "on"})
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-testid="sale-row"') == 1 and "B2ONLY" not in body
    bad = client_for(sr_officer).get(
        "/sales-recording/", {"date_from": "2026-03-01", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 400


def test_progress_page_shows_the_month_and_refuses_a_bad_month(org, sr_officer, client_for, sales):
    c = client_for(sr_officer)
    page = c.get("/sales-recording/progress/", {"unit": "B1", "year": 2026, "month": 2})
    assert page.status_code == 200 and 'data-testid="progress-total"' in page.content.decode()
    assert c.get("/sales-recording/progress/", {"month": 13}).status_code == 400
    assert c.get("/sales-recording/progress/", {"unit": "B2"}).status_code == 404


def test_drawing_on_the_page_then_checking_an_item_ends_in_findings_to_rectify(
    org, sr_officer, client_for, sales
):
    from xiaobao.inspections.services import answer_save, inspection_act

    c = client_for(sr_officer)
    # given a field error first: no rule
    bad = c.post("/sales-recording/samples/", {"unit": org.b1.pk, "year": 2026, "quarter": 1})
    assert bad.status_code == 400
    # when the sample is drawn
    drawn = c.post(
        "/sales-recording/samples/",
        {"unit": org.b1.pk, "year": 2026, "quarter": 1, "rule": "bank-sales-zone"},
    )
    assert drawn.status_code == 302
    sample = RecordingSample.objects.get()
    item = SampleItem.objects.get(sample=sample, reason="must_check")
    # and its check is started, answered with one failed critical item, and submitted
    started = c.post(f"/sales-recording/items/{item.pk}/check/")
    assert started.status_code == 302
    item.refresh_from_db()
    inspection = item.inspection
    for section in inspection.template.sections.all():
        for it in section.items.all():
            value = "录像清晰" if it.kind == "text" else it.code != "D01"
            answer_save(actor=sr_officer, inspection=inspection, item_code=it.code, value=value)
    inspection.refresh_from_db()
    inspection_act(actor=sr_officer, inspection=inspection, action="submit", version=inspection.version)
    # then the sample's page shows the check and the finding with its rectification link
    page = c.get(f"/sales-recording/samples/{sample.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and inspection.reference in body
    finding = inspection.findings.get()
    assert f"/rectifications/new?finding={finding.pk}" in body
    # and drawing the same quarter again is refused (409) with the message on the page
    assert (
        c.post(
            "/sales-recording/samples/",
            {"unit": org.b1.pk, "year": 2026, "quarter": 1, "rule": "bank-sales-zone"},
        ).status_code
        == 409
    )


def test_pages_of_another_branch_are_404(org, sr_officer, sr_other, client_for, sales):
    c = client_for(sr_officer)
    c.post(
        "/sales-recording/samples/",
        {"unit": org.b1.pk, "year": 2026, "quarter": 1, "rule": "bank-sales-zone"},
    )
    sample = RecordingSample.objects.get()
    other = client_for(sr_other)
    assert other.get(f"/sales-recording/samples/{sample.pk}/").status_code == 404
    assert other.post(f"/sales-recording/items/{sample.items.first().pk}/check/").status_code == 404


def test_import_entry_links_the_upload_of_the_sales_kind(org, sr_officer, client_for):
    page = client_for(sr_officer).get("/sales-recording/import/")
    assert page.status_code == 200 and "/imports/new/?kind=recorded_sales" in page.content.decode()


def test_the_home_page_shows_this_months_progress(org, sr_officer, client_for):
    make_sale(org.b1o, at="2026-04-02 10:00")
    make_sale(org.b1o, at="2026-04-03 10:00", recording="")
    page = client_for(sr_officer).get("/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="sales-recording-panel"' in body and "50.0%" in body


def test_list_pages_take_the_same_queries_for_more_rows(org, sr_officer, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(sr_officer)

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx)

    make_sale(org.b1o, at="2026-02-10 10:00")
    c.post(
        "/sales-recording/samples/",
        {"unit": org.b1.pk, "year": 2026, "quarter": 1, "rule": "bank-sales-zone"},
    )
    few = [
        queries(u) for u in ("/sales-recording/", "/sales-recording/samples/", "/sales-recording/progress/")
    ]
    for i in range(8):
        make_sale(org.b1o, at=f"2026-02-1{i} 11:00", age=61)
    c.post(
        "/sales-recording/samples/",
        {"unit": org.b1s.pk, "year": 2026, "quarter": 1, "rule": "bank-sales-zone"},
    )
    many = [
        queries(u) for u in ("/sales-recording/", "/sales-recording/samples/", "/sales-recording/progress/")
    ]
    assert few == many
    sample = RecordingSample.objects.order_by("pk").last()
    detail = queries(f"/sales-recording/samples/{sample.pk}/")
    assert detail <= 12


def test_the_recordings_retention_rule_is_data_and_editable(org, sysadmin):
    from xiaobao.core.models import RetentionRule
    from xiaobao.core.services.retention import retention_rule_set

    rule = RetentionRule.objects.get(record_type="sales_recording")
    assert (rule.days, rule.years) == (183, None) and "110号" in rule.source_document
    retention_rule_set(actor=sysadmin, record_type="sales_recording", period="5y")
    rule.refresh_from_db()
    assert (rule.days, rule.years) == (None, 5)


def test_a_rule_is_edited_on_its_page(org, hq_officer, sr_officer, client_for):
    from xiaobao.sales_recording.models import SamplingRule

    c = client_for(hq_officer)
    assert c.get("/sales-recording/rules/bank-sales-zone/").status_code == 200
    post = {"name": "专区抽检", "share_percent": "15", "min_per_unit": "2", "product_kinds": ["wealth"]}
    post.update({"must_check": '[{"applicant_age_gte": 65}]', "is_active": "on", "source_document": "内部"})
    assert c.post("/sales-recording/rules/bank-sales-zone/", post).status_code == 302
    rule = SamplingRule.objects.get(code="bank-sales-zone")
    assert (str(rule.share_percent), rule.must_check, rule.product_kinds) == (
        "15.00",
        [{"applicant_age_gte": 65}],
        ["wealth"],
    )
    assert c.post("/sales-recording/rules/bank-sales-zone/", {**post, "must_check": "[{"}).status_code == 400
    assert c.post("/sales-recording/rules/bank-sales-zone/", {**post, "count": "3"}).status_code == 400
    assert client_for(sr_officer).get("/sales-recording/rules/bank-sales-zone/").status_code == 403
