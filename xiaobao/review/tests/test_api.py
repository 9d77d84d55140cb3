"""The review API walked by a program: create a draft, upload the leaflet (findings come back), submit,
the reviewer claims and writes an opinion from a finding, sends it, the submitter uploads version 2 and
answers, the reviewer closes the opinion and passes; 409 on a stale If-Match, 422 field errors, 403 for
recusal."""

from __future__ import annotations

import pytest

from xiaobao.review.tests.conftest import LEAFLET, LEAFLET_V2, at, docx

pytestmark = pytest.mark.django_db


def _file(paragraphs, name):
    f = docx(paragraphs)
    f.name = name
    return f


def test_the_whole_walk_through_the_api(org, submitter, reviewer, api_for):
    sub, rev = api_for(submitter), api_for(reviewer)
    with at("2026-03-02"):
        created = sub.post(
            "/api/v1/reviews",
            {
                "title": "稳盈理财宣传单",
                "kind": "marketing",
                "product_kind": "wealth",
                "org_unit": org.b1s.code,
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        rid = created.json()["id"]
        assert created.json()["status"] == "draft"
        up = sub.post(
            f"/api/v1/reviews/{rid}/documents", {"file": _file(LEAFLET, "leaflet.docx"), "title": "宣传单"}
        )
        assert up.status_code == 201, up.content
        labels = {f["label"] for f in up.json()["findings"]}
        assert {"guarantee", "no_risk"} <= labels
        submitted = sub.post(f"/api/v1/reviews/{rid}/actions/submit", content_type="application/json")
        assert submitted.json()["status"] == "submitted"
    with at("2026-03-03"):
        claimed = rev.post(f"/api/v1/reviews/{rid}/actions/claim", content_type="application/json")
        doc = claimed.json()["documents"][0]["id"]
        version = rev.get(f"/api/v1/reviews/{rid}/documents/{doc}/versions/1").json()
        finding = next(f for f in version["findings"] if f["label"] == "guarantee")
        assert version["text"][finding["start"] : finding["end"]] == finding["excerpt"]
        decided = rev.post(
            f"/api/v1/reviews/{rid}/findings/{finding['id']}/decision",
            {"decision": "confirmed"},
            content_type="application/json",
        )
        assert decided.json()["decision"] == "confirmed"
        opinion = rev.post(
            f"/api/v1/reviews/{rid}/opinions",
            {
                "category": "marketing",
                "severity": "must_change",
                "body": "删除承诺收益",
                "finding": finding["id"],
            },
            content_type="application/json",
        )
        assert opinion.status_code == 201 and opinion.json()["quote"] == finding["excerpt"]
        sent = rev.post(f"/api/v1/reviews/{rid}/actions/issue_opinions", content_type="application/json")
        assert sent.json()["status"] == "answering"
    with at("2026-03-05"):
        v2 = sub.post(
            f"/api/v1/reviews/{rid}/documents", {"file": _file(LEAFLET_V2, "v2.docx"), "document": doc}
        )
        assert v2.status_code == 201 and v2.json()["number"] == 2
        diff = sub.get(f"/api/v1/reviews/{rid}/documents/{doc}/diff/2").json()
        assert diff["changed"] + diff["added"] + diff["removed"] >= 2
        bad = sub.post(
            f"/api/v1/reviews/{rid}/actions/answer",
            {"answers": [{"opinion": 1, "response": "maybe"}]},
            content_type="application/json",
        )
        assert bad.status_code == 422 and "answers" in bad.json()["fields"]
        answered = sub.post(
            f"/api/v1/reviews/{rid}/actions/answer",
            {"answers": [{"opinion": 1, "response": "adopted"}]},
            content_type="application/json",
        )
        assert answered.json()["status"] == "in_review"
    with at("2026-03-06"):
        stale = rev.post(
            f"/api/v1/reviews/{rid}/opinions/1/close", {}, content_type="application/json", HTTP_IF_MATCH="1"
        )
        assert stale.status_code == 409 and stale.json()["code"] == "conflict"
        closed = rev.post(f"/api/v1/reviews/{rid}/opinions/1/close", {}, content_type="application/json")
        assert closed.json()["opinions"][0]["state"] == "closed"
        passed = rev.post(
            f"/api/v1/reviews/{rid}/actions/pass", {"note": "同意"}, content_type="application/json"
        )
    body = passed.json()
    assert body["status"] == "passed" and body["conclusion"] == "pass"
    assert [a["version"] for a in body["approvals"]] == [2]
    listed = rev.get("/api/v1/reviews", {"status": "passed"}).json()
    assert [r["id"] for r in listed["items"]] == [rid]


def test_recusal_is_403_with_the_reason(org, reviewer, api_for):
    c = api_for(reviewer)
    with at("2026-03-02"):
        rid = c.post(
            "/api/v1/reviews",
            {
                "title": "总行自有材料",
                "kind": "contract",
                "product_kind": "deposit",
                "org_unit": org.cpd.code,
            },
            content_type="application/json",
        ).json()["id"]
        c.post(f"/api/v1/reviews/{rid}/documents", {"file": _file(LEAFLET, "terms.docx")})
        c.post(f"/api/v1/reviews/{rid}/actions/submit", content_type="application/json")
        refused = c.post(f"/api/v1/reviews/{rid}/actions/claim", content_type="application/json")
    assert refused.status_code == 403
    assert "回避" in refused.json()["message"] or "Recusal" in refused.json()["message"]


def test_create_field_errors(submitter, api_for):
    with at("2026-03-02"):
        r = api_for(submitter).post(
            "/api/v1/reviews",
            {"title": "", "kind": "nope", "product_kind": "nope", "track": "slow"},
            content_type="application/json",
        )
    assert r.status_code == 422
    assert {"title", "kind", "product_kind", "track"} <= set(r.json()["fields"])
