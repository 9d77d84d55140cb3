"""Results per candidate, unit, layer and team; item analysis; the contest ranking of people and branches."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit
from xiaobao.exams.results import exam_results, item_analysis, item_flags, ranking
from xiaobao.exams.tests.factories import TZ, make_exam, make_learner, make_question

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
KEYS = {"q1": [1], "q2": [0], "q3": [0], "q4": [2]}
# who answers which question right (the others wrongly), and after how many minutes they submit
RIGHT = {
    "u1": ({"q1", "q2", "q3", "q4"}, 10),  # 100
    "u2": ({"q1", "q2", "q3"}, 5),  # 75
    "u3": ({"q3"}, 12),  # 25
    "u4": ({"q1", "q2", "q4"}, 8),  # 75
    "u6": ({"q1", "q3", "q4"}, 5),  # 75, as quick as u2
}


@pytest.fixture
def contest(org, hq_officer):
    qs = {
        name: make_question(
            unit=org.ho, by=hq_officer, kind="true_false" if name == "q3" else "single", answer=key
        )
        for name, key in KEYS.items()
    }
    users = {
        "u1": make_learner("u1", org.b1s),
        "u2": make_learner("u2", org.b1o, layer="new_hire"),
        "u3": make_learner("u3", org.b1s),
        "u4": make_learner("u4", org.b2s),
        "u5": make_learner("u5", org.b1s),  # never starts
        "u6": make_learner("u6", org.b2s),
    }
    with time_machine.travel(T0, tick=False):
        exam = make_exam(
            by=hq_officer,
            questions=[qs[k] for k in sorted(qs)],
            candidates=list(users.values()),
            kind="contest",
            shuffle_questions=False,
            shuffle_options=False,
            org_unit="HO",
        )
    for name, (right, minutes) in RIGHT.items():
        user = users[name]
        with time_machine.travel(T0, tick=False):
            attempt, _ = attempt_start_or_resume(user=user, exam_id=exam.pk)
            for q_name, q in qs.items():
                key = KEYS[q_name][0]
                answer = key if q_name in right else (key + 1) % 2
                answer_save(user=user, attempt_id=attempt.pk, question_id=q.pk, answer=[answer])
        with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
            attempt_submit(attempt=attempt)
    return exam, qs, users


def test_results_per_candidate(contest):
    exam, _qs, _users = contest
    rows = {r["user"]["username"]: r for r in exam_results(exam)["candidates"]}
    assert {k: r["score"] for k, r in rows.items()} == {
        "u1": 100.0,
        "u2": 75.0,
        "u3": 25.0,
        "u4": 75.0,
        "u5": None,
        "u6": 75.0,
    }
    assert rows["u5"]["status"] == "not_started" and rows["u5"]["unit"]["code"] == "B1-S1"
    assert rows["u1"]["status"] == "submitted" and rows["u1"]["passed"] is True
    assert rows["u1"]["seconds"] == 600 and rows["u1"]["team"]["code"] == "B1"
    assert rows["u2"]["layer"]["code"] == "new_hire"


def test_results_per_unit_layer_team_and_in_all(contest):
    exam, _qs, _users = contest
    results = exam_results(exam)
    units = {r["code"]: r for r in results["units"]}
    assert units["B1-S1"] == {
        "id": units["B1-S1"]["id"],
        "code": "B1-S1",
        "name": "海淀支行",
        "candidates": 3,
        "started": 2,
        "submitted": 2,
        "passed": 1,
        "pass_rate": 0.5,
        "mean_score": 62.5,
    }
    assert (units["B1-S1-O1"]["candidates"], units["B1-S1-O1"]["mean_score"]) == (1, 75.0)
    assert (units["B2-S1"]["passed"], units["B2-S1"]["pass_rate"]) == (2, 1.0)
    layers = {r["code"]: r for r in results["layers"]}
    assert [r["code"] for r in results["layers"]] == ["front_line", "new_hire"]  # in the layers' order
    assert (layers["front_line"]["candidates"], layers["front_line"]["submitted"]) == (5, 4)
    assert (layers["front_line"]["passed"], layers["front_line"]["mean_score"]) == (3, 68.75)
    teams = {r["code"]: r for r in results["teams"]}
    assert (teams["B1"]["candidates"], teams["B1"]["mean_score"]) == (4, 66.67)
    assert results["summary"] == {
        "candidates": 6,
        "started": 5,
        "submitted": 5,
        "passed": 4,
        "pass_rate": 0.8,
        "mean_score": 70.0,
    }


def test_item_analysis_difficulty_and_discrimination(contest):
    exam, qs, _users = contest
    analysis = item_analysis(exam)
    # five attempts: the top and bottom 27 % are two each — bottom u3 (25) and u2 (75, first of the three
    # at 75), top u6 (75, last of them) and u1 (100)
    assert (analysis["attempts"], analysis["group_size"]) == (5, 2)
    items = {i["question"]["id"]: i for i in analysis["items"]}
    # fewer than 10 attempts: p is given, but no discrimination (the groups are too small to compare) and
    # no flag but "needs more answers" — q1 and q3 (p = 0.8) would otherwise look fine, q2 weak
    expect = {"q1": 0.8, "q2": 0.6, "q3": 0.8, "q4": 0.6}
    for name, p in expect.items():
        item = items[qs[name].pk]
        assert item["difficulty_index"] == p, name
        assert (item["discrimination"], item["p_top"], item["p_bottom"]) == (None, None, None), name
        assert item["flags"] == ["few_answers"], name
    # the options and how often each was chosen (the key marked)
    q1 = items[qs["q1"].pk]["options"]
    assert [(o["key"], o["chosen"]) for o in q1] == [(False, 1), (True, 4), (False, 0), (False, 0)]
    assert [i["question"]["id"] for i in analysis["items"]] == [qs[k].pk for k in sorted(qs)]


@pytest.mark.parametrize(
    ("attempts", "p", "d", "flags"),
    [
        (40, 0.95, 0.05, ["too_easy", "weak_discrimination"]),
        (40, 0.1, 0.3, ["too_hard"]),
        (40, 0.5, -0.2, ["negative_discrimination"]),
        (40, 0.5, 0.45, []),
        (9, 0.5, None, ["few_answers"]),
        # too few to judge: neither easy, hard nor weak
        (9, 0.95, None, ["few_answers"]),
        (9, 0.1, -0.5, ["few_answers"]),
    ],
)
def test_item_flags(attempts, p, d, flags):
    assert item_flags(attempts, p, d) == flags


def test_item_analysis_page_with_few_attempts_shows_no_discrimination(contest, client_for, hq_officer):
    from django.urls import reverse

    exam, _qs, _users = contest
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        page = client_for(hq_officer).get(reverse("exams:exam_analysis", args=[exam.pk])).content.decode()
    items = page.split('data-testid="item"')[1:]
    assert len(items) == 4
    assert all('data-testid="d">—<' in i and 'data-testid="flag-few_answers"' in i for i in items)
    assert "flag-too_" not in page and "_discrimination" not in page
    assert 'data-testid="few-attempts"' in page


def test_ranking_people_by_score_then_time_with_shared_ranks(contest):
    exam, _qs, _users = contest
    people = ranking(exam)["people"]
    assert [(p["rank"], p["user"]["username"], p["score"], p["seconds"]) for p in people] == [
        (1, "u1", 100.0, 600),
        (2, "u2", 75.0, 300),
        (2, "u6", 75.0, 300),
        (4, "u4", 75.0, 480),
        (5, "u3", 25.0, 720),
    ]


def test_ranking_teams_by_mean_with_small_teams_marked(contest):
    exam, _qs, _users = contest
    default = ranking(exam)  # at least 3 members to be ranked
    assert default["min_members"] == 3
    assert [
        (t["team"]["code"], t["rank"], t["members"], t["mean_score"], t["below_minimum"])
        for t in default["teams"]
    ] == [("B1", 1, 3, 66.67, False), ("B2", None, 2, 75.0, True)]
    two = ranking(exam, min_members=2)
    assert [(t["team"]["code"], t["rank"]) for t in two["teams"]] == [("B2", 1), ("B1", 2)]
    assert two["teams"][1]["candidates"] == 4  # u5 was invited and never sat it


def test_ranking_minimum_is_a_setting(contest, settings):
    settings.XIAOBAO_CONTEST_MIN_TEAM = 2
    exam, _qs, _users = contest
    assert ranking(exam)["teams"][0]["team"]["code"] == "B2"
