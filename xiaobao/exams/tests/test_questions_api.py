"""Question bank API: POST /api/v1/questions in its exact shape, field errors, the list's filters, a question
with its versions, PUT keeping a used version, tags and a regulation revised."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from xiaobao.exams.models import Question, Tag
from xiaobao.exams.tests.test_questions import SINGLE, _used

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def _send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_post_a_question_in_the_issue_shape(api_for, branch_officer, org):
    # given the body the issue names
    body = {
        "kind": "multiple",
        "stem": "金融消费者享有哪些权利？",
        "options": ["财产安全权", "知情权", "自主选择权", "无限索赔权"],
        "answer": [0, 1, 2],
        "explanation": "八项基本权利。",
        "tags": ["消费者权利"],
        "difficulty": 2,
    }
    # when it is posted
    response = _send(api_for(branch_officer), "post", "/api/v1/questions", body)
    # then 201 with the id only, and the question is stored as given in the poster's unit
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id"}
    q = Question.objects.get(pk=response.json()["id"])
    assert (q.kind, q.answer, q.options[3], q.org_unit, q.current_version.number) == (
        "multiple",
        [0, 1, 2],
        "无限索赔权",
        org.b1,
        1,
    )
    assert [t.name for t in q.tags.all()] == ["消费者权利"]


def test_true_false_and_blank_through_the_api(api_for, branch_officer):
    client = api_for(branch_officer)
    tf = _send(
        client, "post", "/api/v1/questions", {"kind": "true_false", "stem": "可以拒收现金。", "answer": [1]}
    )
    blank = _send(
        client, "post", "/api/v1/questions", {"kind": "blank", "stem": "____日内处理。", "answer": "15|十五"}
    )
    assert tf.status_code == 201 and blank.status_code == 201
    assert Question.objects.get(pk=tf.json()["id"]).options == ["正确", "错误"]
    assert Question.objects.get(pk=blank.json()["id"]).answer == "15|十五"


def test_field_errors_in_the_error_shape_and_nothing_written(api_for, branch_officer):
    # given a single-choice question with two correct options and an index out of range
    body = {**SINGLE, "answer": [1, 7], "tags": ["不应出现"]}
    # when posted in Chinese
    response = _send(api_for(branch_officer), "post", "/api/v1/questions", body)
    # then 422 with a message on the answer field, and nothing was written
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "invalid" and "answer" in payload["fields"]
    assert not Question.objects.exists() and not Tag.objects.filter(name="不应出现").exists()


def test_a_body_of_the_wrong_types_is_a_422(api_for, branch_officer):
    response = _send(api_for(branch_officer), "post", "/api/v1/questions", {"kind": "single"})
    assert response.status_code == 422 and "stem" in response.json()["fields"]
    response = _send(api_for(branch_officer), "post", "/api/v1/questions", {**SINGLE, "difficulty": 9})
    assert response.status_code == 422 and "difficulty" in response.json()["fields"]


def test_a_candidate_cannot_post_or_read_questions(api_for, org):
    from conftest import make_user

    learner = make_user("learner1", org.b1o, ["learner"])
    assert _send(api_for(learner), "post", "/api/v1/questions", SINGLE).status_code == 403
    assert api_for(learner).get("/api/v1/questions").status_code == 403


def test_the_list_filters(api_for, branch_officer):
    client = api_for(branch_officer)
    for body in (
        SINGLE,
        {
            **SINGLE,
            "stem": "多选题一",
            "kind": "multiple",
            "answer": [0, 1],
            "difficulty": 4,
            "tags": ["适当性"],
        },
        {"kind": "blank", "stem": "填空题一", "answer": "15", "difficulty": 4},
    ):
        assert _send(client, "post", "/api/v1/questions", body).status_code == 201
    stems = lambda url: [r["stem"] for r in client.get(url).json()["items"]]  # noqa: E731
    assert stems("/api/v1/questions?kind=blank") == ["填空题一"]
    assert stems("/api/v1/questions?difficulty=4") == ["填空题一", "多选题一"]
    assert stems("/api/v1/questions?tag=适当性") == ["多选题一"]
    assert stems("/api/v1/questions?q=填空") == ["填空题一"]
    assert stems("/api/v1/questions?needs_review=true") == []
    response = client.get("/api/v1/questions?tag=没有这个标签")
    assert response.status_code == 422 and "tag" in response.json()["fields"]


def test_put_keeps_the_used_version(api_for, branch_officer):
    # given a question an attempt used
    client = api_for(branch_officer)
    qid = _send(client, "post", "/api/v1/questions", SINGLE).json()["id"]
    _used(Question.objects.get(pk=qid), branch_officer)
    # when its key changes
    response = _send(client, "put", f"/api/v1/questions/{qid}", {"answer": [2], "tags": ["时限"]})
    # then version 2 is current and version 1 (used once) is still there
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["answer"] == [2] and body["tags"] == ["时限"]
    assert [(v["number"], v["answer"], v["used"], v["current"]) for v in body["versions"]] == [
        (1, [1], 1, False),
        (2, [2], 0, True),
    ]
    # and GET gives the same
    assert client.get(f"/api/v1/questions/{qid}").json()["versions"] == body["versions"]


def test_another_branch_gets_404_and_a_branch_may_not_change_the_head_office_bank(
    api_for, hq_officer, branch_officer, other_branch_officer
):
    # given a branch-1 question and a head-office one
    mine = _send(api_for(branch_officer), "post", "/api/v1/questions", SINGLE).json()["id"]
    shared = _send(api_for(hq_officer), "post", "/api/v1/questions", SINGLE).json()["id"]
    # then branch 2 does not find branch 1's question
    assert api_for(other_branch_officer).get(f"/api/v1/questions/{mine}").status_code == 404
    response = _send(api_for(other_branch_officer), "put", f"/api/v1/questions/{mine}", {"stem": "改"})
    assert response.status_code == 404
    # and branch 1 reads the head office's question but may not change it
    assert api_for(branch_officer).get(f"/api/v1/questions/{shared}").json()["may_edit"] is False
    response = _send(api_for(branch_officer), "put", f"/api/v1/questions/{shared}", {"stem": "改"})
    assert response.status_code == 403


def test_tags_and_a_regulation_revised(api_for, branch_officer):
    client = api_for(branch_officer)
    # given a regulation tag made through the API and a question written in February that tests it
    response = _send(
        client,
        "post",
        "/api/v1/question-tags",
        {"kind": "regulation", "regulation": "《金融消费者权益保护实施办法》", "article": "第二十条"},
    )
    assert response.status_code == 201
    tag = response.json()
    with time_machine.travel("2026-02-01 10:00 +0800", tick=False):
        qid = _send(client, "post", "/api/v1/questions", {**SINGLE, "tags": [tag["name"]]}).json()["id"]
    listed = {t["name"]: t["questions"] for t in client.get("/api/v1/question-tags").json()}
    assert listed[tag["name"]] == 1
    # when the regulation is marked revised
    response = _send(client, "post", f"/api/v1/question-tags/{tag['id']}/revised", {"on": "2026-03-01"})
    # then the question is flagged
    assert response.status_code == 200 and response.json() == {"flagged": 1}
    body = client.get(f"/api/v1/questions/{qid}").json()
    assert body["needs_review"] is True and body["review_reason"]
    # and clearing the flag through PUT
    body = _send(client, "put", f"/api/v1/questions/{qid}", {"reviewed": True}).json()
    assert body["needs_review"] is False and body["reviewed_on"] == dt.date(2026, 3, 2).isoformat()
    assert body["version"] == 1
