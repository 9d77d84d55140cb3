"""The exams API: exact shapes, the key never in the candidate's payload, the server's clock (409), another
candidate's attempt (404), double submit, field-level validation errors (never a 500)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from xiaobao.exams.models import Attempt, AttemptItem, Exam
from xiaobao.exams.tests.factories import TZ, make_learner, make_question

pytestmark = pytest.mark.django_db

START = "2026-03-02 10:00 +0800"
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
EXPLANATION = "依据《银行保险机构消费者权益保护管理办法》第十条。"


@pytest.fixture
def bank(org, hq_officer):
    return [
        make_question(unit=org.ho, by=hq_officer, kind="single", answer=[2], explanation=EXPLANATION),
        make_question(unit=org.ho, by=hq_officer, kind="multiple", answer=[0, 1], explanation=EXPLANATION),
        make_question(unit=org.ho, by=hq_officer, kind="true_false", answer=[1], explanation=EXPLANATION),
        make_question(unit=org.ho, by=hq_officer, kind="blank", answer="投诉|申诉", explanation=EXPLANATION),
    ]


@pytest.fixture
def learners(org):
    return make_learner("lrn_1", org.b1s), make_learner("lrn_2", org.b1o)


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def _body(bank, learners, **extra):
    body = {
        "title": "2026年一季度消保知识考试",
        "question_ids": [q.pk for q in bank],
        "opens_at": "2026-03-02T09:00:00+08:00",
        "closes_at": "2026-03-06T18:00:00+08:00",
        "time_limit_minutes": 20,
        "pass_mark": 60,
        "candidates": [u.username for u in learners],
        "multiple_choice_scoring": "all_or_nothing",
    }
    body.update(extra)
    return body


@pytest.fixture
def exam_id(api_for, branch_officer, bank, learners):
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", _body(bank, learners))
    assert response.status_code == 201, response.content
    return response.json()["id"]


# --- setting an exam ----------------------------------------------------------------------------------


def test_post_exam_is_201_with_its_id_and_published(exam_id, learners):
    # then the response was exactly {"id"}; the exam is published with its two candidates
    exam = Exam.objects.get(pk=exam_id)
    assert exam.status == "published" and exam.selection == "fixed"
    assert sorted(exam.candidates.values_list("user__username", flat=True)) == ["lrn_1", "lrn_2"]
    assert list(exam.questions.values_list("points", flat=True)) == [1, 1, 1, 1]


def test_post_exam_returns_only_the_id(api_for, branch_officer, bank, learners):
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", _body(bank, learners, draft=True))
    assert response.status_code == 201
    assert set(response.json()) == {"id"}
    assert Exam.objects.get(pk=response.json()["id"]).status == "draft"


def test_post_exam_by_rules_with_points_and_units(api_for, branch_officer, org, bank, learners):
    # given rules instead of question_ids, candidates by unit and layer
    body = _body(bank, [], question_ids=[], candidate_units=["B1-S1"], candidate_layers=["front_line"])
    body["rules"] = [
        {"kind": "single", "count": 1, "points": 5},
        {"kind": "blank", "count": 1, "points": 2.5},
    ]
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", body)
    assert response.status_code == 201, response.content
    exam = Exam.objects.get(pk=response.json()["id"])
    # then the rules are stored and only lrn_1 (B1-S1 subtree, front line) is a candidate — lrn_2 sits in
    # the outlet below B1-S1 too: both are in the subtree
    assert exam.selection == "rules"
    assert [(r.kind, r.count, float(r.points)) for r in exam.rules.all()] == [
        ("single", 1, 5.0),
        ("blank", 1, 2.5),
    ]
    assert sorted(exam.candidates.values_list("user__username", flat=True)) == ["lrn_1", "lrn_2"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"multiple_choice_scoring": "half"}, "multiple_choice_scoring"),
        ({"kind": "quiz"}, "kind"),
        ({"closes_at": "2026-03-01T09:00:00+08:00"}, "closes_at"),
        ({"question_ids": [999999]}, "question_ids.0"),
        ({"question_ids": []}, "question_ids"),
        ({"points": [1, 2]}, "points"),
        ({"candidates": ["nobody_here"]}, "candidates.0"),
        ({"candidate_units": ["NOPE"]}, "candidate_units.0"),
        ({"candidate_layers": ["nope"]}, "candidate_layers.0"),
        ({"rules": [{"kind": "single", "count": 99}]}, "rules"),
        ({"time_limit_minutes": 0}, "time_limit_minutes"),
        ({"time_limit_minutes": "soon"}, "time_limit_minutes"),
        ({"pass_mark": 101}, "pass_mark"),
        ({"opens_at": "not a date"}, "opens_at"),
        ({"question_ids": "1,2"}, "question_ids"),
        ({"candidates": [], "candidate_units": []}, "candidates"),
    ],
)
def test_post_exam_validation_errors_are_field_level(api_for, branch_officer, bank, learners, change, field):
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", _body(bank, learners, **change))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert any(k == field or k.startswith(field + ".") for k in body["fields"]), body["fields"]
    assert not Exam.objects.exists()  # nothing half-written


def test_a_rule_that_cannot_be_filled_says_how_many_match(api_for, branch_officer, bank, learners):
    body = _body(bank, learners, question_ids=[], rules=[{"kind": "single", "count": 3}])
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", body)
    assert response.status_code == 422
    assert response.json()["fields"]["rules.0.count"] == ["符合该规则的题目只有1道。"]


def test_another_branchs_question_or_candidate_is_unknown(api_for, org, hq_officer, branch_officer, bank):
    theirs = make_question(unit=org.b2, by=hq_officer)
    far = make_learner("lrn_far", org.b2s)
    with time_machine.travel(START, tick=False):
        response = _post(api_for(branch_officer), "/api/v1/exams", _body([bank[0], theirs], [far]))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"question_ids.1", "candidates.0"}


def test_a_learner_cannot_set_exams(api_for, bank, learners):
    with time_machine.travel(START, tick=False):
        response = _post(api_for(learners[0]), "/api/v1/exams", _body(bank, learners))
    assert response.status_code == 403


def test_draft_update_publish_close(api_for, branch_officer, bank, learners):
    client = api_for(branch_officer)
    with time_machine.travel(START, tick=False):
        exam_id = _post(client, "/api/v1/exams", _body(bank, learners, draft=True)).json()["id"]
        changed = _put(
            client, f"/api/v1/exams/{exam_id}", _body(bank[:2], learners[:1], points=[3, 2], title="改")
        )
        published = _post(client, f"/api/v1/exams/{exam_id}/publish")
        again = _put(client, f"/api/v1/exams/{exam_id}", _body(bank, learners))
        closed = _post(client, f"/api/v1/exams/{exam_id}/close")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "改" and changed.json()["points"] == [3.0, 2.0]
    assert changed.json()["candidates"] == 1
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert again.status_code == 409
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


# --- taking it ------------------------------------------------------------------------------------------

QUESTION_KEYS = {"id", "kind", "stem", "options", "points", "saved", "saved_at"}


def test_start_returns_the_attempt_without_keys_then_resumes_with_200(api_for, exam_id, learners, bank):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        first = _post(client, f"/api/v1/exams/{exam_id}/attempts")
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        again = _post(client, f"/api/v1/exams/{exam_id}/attempts")
    assert first.status_code == 201, first.content
    body = first.json()
    assert set(body) == {
        "id",
        "exam",
        "number",
        "status",
        "started_at",
        "ends_at",
        "remaining_seconds",
        "answered",
        "questions",
    }
    assert body["exam"] == {"id": exam_id, "title": "2026年一季度消保知识考试", "kind": "exam"}
    assert body["remaining_seconds"] == 20 * 60
    assert dt.datetime.fromisoformat(body["ends_at"]) == T0 + dt.timedelta(minutes=20)
    assert len(body["questions"]) == 4
    for q in body["questions"]:
        assert set(q) == QUESTION_KEYS
        assert q["saved"] is None and q["points"] == 1.0
    raw = first.content.decode()
    assert EXPLANATION not in raw and "投诉|申诉" not in raw and '"answer"' not in raw
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["remaining_seconds"] == 17 * 60


def test_options_come_in_display_order(api_for, exam_id, learners, bank):
    with time_machine.travel(START, tick=False):
        body = _post(api_for(learners[0]), f"/api/v1/exams/{exam_id}/attempts").json()
    item = AttemptItem.objects.get(attempt_id=body["id"], question=bank[0])
    shown = next(q for q in body["questions"] if q["id"] == bank[0].pk)
    assert shown["options"] == [bank[0].options[i] for i in item.option_order]


def test_save_answer_shape_and_saved_in_display_indexes(api_for, exam_id, learners, bank):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        saved = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[1].pk}", {"answer": [2, 0]})
        blank = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[3].pk}", {"answer": "投诉"})
        read = client.get(f"/api/v1/attempts/{attempt['id']}")
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"saved": True, "answered": 1, "remaining_seconds": 19 * 60}
    assert blank.json()["answered"] == 2
    questions = {q["id"]: q for q in read.json()["questions"]}
    assert questions[bank[1].pk]["saved"] == [0, 2]
    assert questions[bank[3].pk]["saved"] == "投诉"
    # when it was saved (the page keeps a newer answer it has not sent yet instead of this one)
    saved_at = dt.datetime.fromisoformat(questions[bank[1].pk]["saved_at"])
    assert saved_at == T0 + dt.timedelta(minutes=1)
    assert questions[bank[0].pk]["saved_at"] is None
    assert all(set(q) == QUESTION_KEYS for q in read.json()["questions"])


@pytest.mark.parametrize(
    ("which", "body"),
    [
        (0, {"answer": [7]}),
        (0, {"answer": [0, 1]}),
        (3, {"answer": [1]}),
        (1, {"answer": "A"}),
        (1, {"answer": {"a": 1}}),
        (1, {"answer": [0.5]}),
        (1, {}),
        (3, {"answer": "x" * 501}),
    ],
)
def test_an_answer_that_does_not_fit_is_422_on_the_answer_field(
    api_for, exam_id, learners, bank, which, body
):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        response = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[which].pk}", body)
    assert response.status_code == 422, response.content
    assert "answer" in response.json()["fields"]


def test_another_candidates_attempt_is_404_everywhere(api_for, exam_id, learners, bank):
    with time_machine.travel(START, tick=False):
        attempt = _post(api_for(learners[0]), f"/api/v1/exams/{exam_id}/attempts").json()
        intruder = api_for(learners[1])
        responses = [
            intruder.get(f"/api/v1/attempts/{attempt['id']}"),
            _put(intruder, f"/api/v1/attempts/{attempt['id']}/answers/{bank[0].pk}", {"answer": [0]}),
            _post(intruder, f"/api/v1/attempts/{attempt['id']}/submit"),
        ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json()["code"] == "not_found" for r in responses)
    assert Attempt.objects.get(pk=attempt["id"]).status == "in_progress"
    assert not AttemptItem.objects.filter(attempt_id=attempt["id"], answer__isnull=False).exists()


def test_an_answer_after_the_end_is_409_and_the_saved_ones_are_graded(api_for, exam_id, learners, bank):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        tf = AttemptItem.objects.get(attempt_id=attempt["id"], question=bank[2])
        _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[2].pk}", {"answer": [1]})
        _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[3].pk}", {"answer": "申诉"})
    with time_machine.travel(T0 + dt.timedelta(minutes=20, seconds=1), tick=False):
        late = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[0].pk}", {"answer": [0]})
        read = client.get(f"/api/v1/attempts/{attempt['id']}")
        submit = _post(client, f"/api/v1/attempts/{attempt['id']}/submit")
    assert tf.option_order == [0, 1]
    assert late.status_code == 409, late.content
    assert late.json()["code"] == "ended"
    assert read.json()["status"] == "submitted"
    assert read.json()["score"] == 50.0 and read.json()["passed"] is False
    assert read.json()["auto_submitted"] is True
    assert submit.status_code == 200 and submit.json()["score"] == 50.0


def test_submit_returns_score_and_passed_and_twice_the_same(api_for, exam_id, learners, bank):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        for q in attempt["questions"]:
            item = AttemptItem.objects.get(attempt_id=attempt["id"], question_id=q["id"])
            key = item.version.answer
            answer = key.split("|")[0] if q["kind"] == "blank" else [item.option_order.index(i) for i in key]
            assert (
                _put(
                    client, f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}", {"answer": answer}
                ).status_code
                == 200
            )
    with time_machine.travel(T0 + dt.timedelta(minutes=8), tick=False):
        first = _post(client, f"/api/v1/attempts/{attempt['id']}/submit")
    with time_machine.travel(T0 + dt.timedelta(minutes=9), tick=False):
        second = _post(client, f"/api/v1/attempts/{attempt['id']}/submit")
        after = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[0].pk}", {"answer": [0]})
        read = client.get(f"/api/v1/attempts/{attempt['id']}").json()
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["score"] == 100.0 and first.json()["passed"] is True
    assert set(first.json()) == {"score", "passed", "points", "max_points", "submitted_at", "auto_submitted"}
    assert after.status_code == 409
    # the exam is still open: the key is still not shown
    assert all(set(q) == QUESTION_KEYS for q in read["questions"])
    assert EXPLANATION not in json.dumps(read, ensure_ascii=False)


def test_after_the_exam_closes_the_attempt_shows_the_key(api_for, exam_id, learners, bank, branch_officer):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[2].pk}", {"answer": [0]})
        _post(client, f"/api/v1/attempts/{attempt['id']}/submit")
        _post(api_for(branch_officer), f"/api/v1/exams/{exam_id}/close")
        read = client.get(f"/api/v1/attempts/{attempt['id']}").json()
    tf = next(q for q in read["questions"] if q["id"] == bank[2].pk)
    assert tf["answer"] == [1] and tf["correct"] is False and tf["explanation"] == EXPLANATION


def test_not_a_candidate_or_not_open(api_for, org, exam_id, bank, learners):
    stranger = make_learner("lrn_3", org.b1s)
    with time_machine.travel(START, tick=False):
        assert _post(api_for(stranger), f"/api/v1/exams/{exam_id}/attempts").status_code == 404
    with time_machine.travel("2026-03-02 08:00 +0800", tick=False):
        early = _post(api_for(learners[0]), f"/api/v1/exams/{exam_id}/attempts")
    assert early.status_code == 409 and early.json()["code"] == "not_open"


def test_practice_gives_feedback_and_the_wrong_answer_book(api_for, branch_officer, bank, learners):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        exam_id = _post(
            api_for(branch_officer),
            "/api/v1/exams",
            _body(bank, learners, kind="practice", shuffle_options=False),
        ).json()["id"]
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        feedback = _put(client, f"/api/v1/attempts/{attempt['id']}/answers/{bank[0].pk}", {"answer": [1]})
        done = _post(client, f"/api/v1/attempts/{attempt['id']}/submit")
        book = client.get("/api/v1/me/wrong-answers")
        practice = _post(client, "/api/v1/me/wrong-answers/practice")
        mine = client.get("/api/v1/me/exams")
    assert feedback.json() == {
        "saved": True,
        "answered": 1,
        "remaining_seconds": 1200,
        "correct": False,
        "earned": 0.0,
        "answer": [2],
        "explanation": EXPLANATION,
    }
    assert done.json()["score"] == 0.0
    assert book.status_code == 200
    assert book.json()["open"] == 1
    entry = book.json()["items"][0]
    assert entry["question"]["id"] == bank[0].pk and entry["question"]["answer"] == [2]
    assert entry["times_wrong"] == 1 and entry["mastered"] is False
    assert practice.status_code == 201, practice.content
    assert practice.json()["exam"]["kind"] == "practice"
    assert [q["id"] for q in practice.json()["questions"]] == [bank[0].pk]
    # the personal practice exam is not one of "my exams"
    assert {e["id"] for part in mine.json().values() for e in part} == {exam_id}


def test_me_exams_shape(api_for, exam_id, learners):
    with time_machine.travel(START, tick=False):
        body = api_for(learners[0]).get("/api/v1/me/exams").json()
    assert set(body) == {"open", "upcoming", "past"}
    (row,) = body["open"]
    assert (
        row["id"] == exam_id and row["can_start"] is True and row["attempt"] is None and row["best"] is None
    )


def test_save_makes_few_queries_through_the_api(
    api_for, exam_id, learners, bank, django_assert_max_num_queries
):
    client = api_for(learners[0])
    with time_machine.travel(START, tick=False):
        attempt = _post(client, f"/api/v1/exams/{exam_id}/attempts").json()
        url = f"/api/v1/attempts/{attempt['id']}/answers/{bank[2].pk}"
        _put(client, url, {"answer": [0]})
        # the whole request: token, permissions, the item read, its update
        with django_assert_max_num_queries(7):
            assert _put(client, url, {"answer": [1]}).status_code == 200


# --- organisers' reads ---------------------------------------------------------------------------------


def test_results_analysis_and_ranking_for_the_organiser_only(
    api_for, exam_id, learners, branch_officer, other_branch_officer
):
    with time_machine.travel(START, tick=False):
        attempt = _post(api_for(learners[0]), f"/api/v1/exams/{exam_id}/attempts").json()
        _post(api_for(learners[0]), f"/api/v1/attempts/{attempt['id']}/submit")
        mine = api_for(branch_officer)
        results = mine.get(f"/api/v1/exams/{exam_id}/results")
        analysis = mine.get(f"/api/v1/exams/{exam_id}/analysis")
        ranking = mine.get(f"/api/v1/exams/{exam_id}/ranking?min_members=1")
        theirs = [
            api_for(other_branch_officer).get(f"/api/v1/exams/{exam_id}/{p}").status_code
            for p in ("results", "analysis", "ranking")
        ]
        learner = api_for(learners[0]).get(f"/api/v1/exams/{exam_id}/results").status_code
    assert results.status_code == analysis.status_code == ranking.status_code == 200
    assert set(results.json()) == {"summary", "candidates", "units", "layers", "teams"}
    assert results.json()["summary"]["submitted"] == 1 and results.json()["summary"]["candidates"] == 2
    assert analysis.json()["attempts"] == 1 and len(analysis.json()["items"]) == 4
    assert ranking.json()["people"][0]["user"]["username"] == "lrn_1"
    assert theirs == [404, 404, 404]
    assert learner == 403
