"""The candidates' pages: my learning, the start page, taking an attempt (rendered from the engine's payload,
never the key), submitting, the result (the key only for practice or once the exam has closed), the
wrong-answer book and practising it again; another candidate's attempt is a 404."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from xiaobao.exams.tests.test_candidate_fixtures import QUESTIONS, RIGHT, bank, learner, paper

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def candidate(org):
    return learner(org)


@pytest.fixture
def questions(hq_officer):
    return bank(hq_officer)


@pytest.fixture
def exam(hq_officer, questions, candidate):
    return paper(hq_officer, questions, [candidate], now=NOW)


def _api_save(client, attempt_id, question_id, answer):
    return client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
        {"answer": answer},
        content_type="application/json",
    )


def _start(client, exam):
    from xiaobao.exams.models import Attempt

    response = client.post(reverse("exams:start", args=[exam.pk]))
    assert response.status_code == 302, response.content[:300]
    attempt = Attempt.objects.get(exam=exam, status="in_progress")
    assert response["Location"] == reverse("exams:take", args=[attempt.pk])
    return attempt


# --- my learning ----------------------------------------------------------------------------------


def test_my_learning_shows_open_and_upcoming_exams_results_and_the_book(
    client_for, hq_officer, questions, candidate, exam
):
    from xiaobao.exams.attempts import attempt_start_or_resume, attempt_submit

    # given an exam open now, one opening next week, and a practice already done (one wrong answer)
    paper(
        hq_officer,
        questions[:2],
        [candidate],
        now=NOW,
        title="下周测验",
        opens=dt.timedelta(days=7),
        closes=dt.timedelta(days=8),
    )
    practice = paper(hq_officer, questions[2:3], [candidate], now=NOW, title="营销宣传练习", kind="practice")
    done, _ = attempt_start_or_resume(user=candidate, exam_id=practice.pk)
    q = done.items.get()
    from xiaobao.exams.attempts import answer_save

    answer_save(user=candidate, attempt_id=done.pk, question_id=q.question_id, answer=[0])  # wrong
    attempt_submit(attempt=done)
    client = client_for(candidate)
    # when the candidate opens my learning
    response = client.get(reverse("exams:my"))
    # then the open exam can be started, the upcoming one is announced, the result and the book are there
    assert response.status_code == 200
    page = response.content.decode()
    open_part = page[page.index('data-testid="open-exams"') : page.index('data-testid="upcoming-exams"')]
    assert "2026年消保知识测试" in open_part and reverse("exams:start", args=[exam.pk]) in open_part
    assert "下周测验" in page[page.index('data-testid="upcoming-exams"') :]
    assert reverse("exams:result", args=[done.pk]) in page
    assert "1 道错题待练习" in page or "1 question" in page
    assert reverse("exams:wrong_practice") in page


def test_my_learning_offers_to_continue_the_attempt_in_progress(client_for, candidate, exam):
    client = client_for(candidate)
    attempt = _start(client, exam)
    # when ten minutes later the candidate comes back to my learning
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        page = client.get(reverse("exams:my")).content.decode()
    # then the exam says how long is left and leads back to the same attempt
    assert reverse("exams:take", args=[attempt.pk]) in page
    assert 'data-testid="continue"' in page
    assert "20" in re.search(r'data-testid="running">([^<]*)<', page).group(1)


def test_my_learning_query_count_does_not_grow_with_exams(
    client_for, hq_officer, questions, candidate, django_assert_max_num_queries
):
    for i in range(8):
        paper(hq_officer, questions[:2], [candidate], now=NOW, title=f"测验{i}")
    client = client_for(candidate)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("exams:my")).status_code == 200


# --- start, resume, take --------------------------------------------------------------------------


def test_start_page_then_start_and_resume_the_same_attempt(client_for, candidate, exam):
    client = client_for(candidate)
    # given the start page: the facts and the rules
    page = client.get(reverse("exams:start", args=[exam.pk])).content.decode()
    assert f'data-testid="question-count">{len(QUESTIONS)}<' in page
    assert "30 分钟" in page
    # when the candidate starts, then comes back and starts again
    attempt = _start(client, exam)
    again = client.post(reverse("exams:start", args=[exam.pk]))
    # then it is the same attempt, resumed
    assert again["Location"] == reverse("exams:take", args=[attempt.pk])
    assert "继续答题" in client.get(reverse("exams:start", args=[exam.pk])).content.decode()


def test_the_taking_page_never_carries_the_key_or_the_explanation(
    client_for, candidate, hq_officer, questions
):
    # given a shuffled paper
    exam = paper(hq_officer, questions, [candidate], now=NOW, shuffle=True)
    client = client_for(candidate)
    attempt = _start(client, exam)
    # when the page is rendered
    page = client.get(reverse("exams:take", args=[attempt.pk])).content.decode()
    # then every stem is there, no explanation, no blank's key, and nothing marks a right option
    for q in QUESTIONS:
        assert q["stem"].replace("（", "（")[:12] in page
        assert q["explanation"] not in page
    assert "个人信息安全" not in page
    assert "is-key" not in page and "correct" not in page.lower().replace("correct answer", "")
    assert 'data-remaining="1800"' in page
    assert ">30:00<" in page


def test_reopening_the_page_shows_the_saved_answers_in_display_order(
    client_for, candidate, hq_officer, questions
):
    from xiaobao.exams.models import AttemptItem

    exam = paper(hq_officer, questions, [candidate], now=NOW, shuffle=True)
    client = client_for(candidate)
    attempt = _start(client, exam)
    single = AttemptItem.objects.get(attempt=attempt, question=questions[0])
    shown_key = single.option_order.index(1)  # where the key (original option 1) is shown
    assert _api_save(client, attempt.pk, questions[0].pk, [shown_key]).status_code == 200
    assert _api_save(client, attempt.pk, questions[3].pk, "信息安全").status_code == 200
    # when the page is opened again
    page = client.get(reverse("exams:take", args=[attempt.pk])).content.decode()
    # then the saved option is checked where it is shown, the blank is filled in, both are marked saved
    checked = re.findall(rf'name="q-{questions[0].pk}" value="(\d)" data-option checked', page)
    assert checked == [str(shown_key)]
    assert 'value="信息安全"' in page
    assert re.search(r'data-answered data-testid="answered">2<', page)
    card = page[page.index(f'data-q="{questions[3].pk}"') - 80 :]
    assert "is-saved" in card[:200]


def test_time_up_the_page_shows_the_result_graded_with_what_was_saved(client_for, candidate, exam, questions):
    client = client_for(candidate)
    attempt = _start(client, exam)
    _api_save(client, attempt.pk, questions[0].pk, RIGHT[0])
    # when the candidate comes back after the 30 minutes
    with time_machine.travel(NOW + dt.timedelta(minutes=31), tick=False):
        response = client.get(reverse("exams:take", args=[attempt.pk]))
        # then the attempt was graded with the one saved answer and the result page opens
        assert response["Location"] == reverse("exams:result", args=[attempt.pk])
        attempt.refresh_from_db()
        assert attempt.status == "submitted" and attempt.auto_submitted
        assert float(attempt.points) == 1.0
        page = client.get(response["Location"]).content.decode()
    assert "超时自动交卷" in page or "time ran out" in page


def test_submit_grades_and_submitting_twice_changes_nothing(client_for, candidate, exam, questions):
    client = client_for(candidate)
    attempt = _start(client, exam)
    for i, q in enumerate(questions):
        assert _api_save(client, attempt.pk, q.pk, RIGHT[i]).status_code == 200
    # when submitted from the page, twice
    first = client.post(reverse("exams:submit", args=[attempt.pk]))
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        second = client.post(reverse("exams:submit", args=[attempt.pk]))
    # then both lead to the result; the attempt is graded once, every answer right
    assert first["Location"] == second["Location"] == reverse("exams:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and float(attempt.score) == 100.0 and attempt.passed
    assert attempt.submitted_at == NOW
    assert all(item.correct for item in attempt.items.all())
    # and the taking page now leads to the result
    assert client.get(reverse("exams:take", args=[attempt.pk]))["Location"] == first["Location"]


# --- the result -----------------------------------------------------------------------------------


def test_an_exam_result_shows_the_key_only_once_the_exam_has_closed(client_for, candidate, exam, questions):
    client = client_for(candidate)
    attempt = _start(client, exam)
    _api_save(client, attempt.pk, questions[0].pk, [0])  # wrong
    _api_save(client, attempt.pk, questions[2].pk, RIGHT[2])
    client.post(reverse("exams:submit", args=[attempt.pk]))
    # when the candidate reads the result while the exam is still open
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    # then the score and the verdict, but no key and no explanation (others are still answering)
    assert re.search(r'data-testid="score">16.67<', page)
    assert "未通过" in page
    assert QUESTIONS[0]["explanation"] not in page and 'data-testid="key-later"' in page
    # when the exam has closed
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        page = client_for(candidate).get(reverse("exams:result", args=[attempt.pk])).content.decode()
    # then every question with the answer given, the key and the explanation
    assert QUESTIONS[0]["explanation"] in page
    assert 'data-testid="answer-1"' in page and 'data-testid="answer-6"' in page
    assert "共 6 题，答对 1 题" in page


def test_practice_gives_the_verdict_and_explanation_of_answered_questions_only(
    client_for, candidate, hq_officer, questions
):
    exam = paper(hq_officer, questions[:3], [candidate], now=NOW, kind="practice")
    client = client_for(candidate)
    attempt = _start(client, exam)
    saved = _api_save(client, attempt.pk, questions[0].pk, [0]).json()  # wrong
    assert saved["correct"] is False and saved["explanation"] == QUESTIONS[0]["explanation"]
    # when the practice page is opened again
    page = client.get(reverse("exams:take", args=[attempt.pk])).content.decode()
    # then the answered question shows its verdict, the key and the explanation; the others nothing yet
    assert QUESTIONS[0]["explanation"] in page
    assert re.search(r'data-testid="feedback-1"\s*>', page) and "正确答案：B" in page
    assert QUESTIONS[1]["explanation"] not in page and QUESTIONS[2]["explanation"] not in page
    assert re.search(r'data-testid="feedback-2" hidden', page)
    # and the practice result shows every question's key at once
    client.post(reverse("exams:submit", args=[attempt.pk]))
    result = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert all(q["explanation"] in result for q in QUESTIONS[:3])


# --- the wrong-answer book ------------------------------------------------------------------------


def test_the_wrong_answer_book_and_practising_it_again(client_for, candidate, hq_officer, questions):
    from xiaobao.exams.models import Attempt, WrongAnswer

    exam = paper(hq_officer, questions[:3], [candidate], now=NOW, kind="practice")
    client = client_for(candidate)
    attempt = _start(client, exam)
    _api_save(client, attempt.pk, questions[0].pk, [0])  # wrong
    _api_save(client, attempt.pk, questions[1].pk, [0])  # wrong (one of three)
    _api_save(client, attempt.pk, questions[2].pk, RIGHT[2])
    client.post(reverse("exams:submit", args=[attempt.pk]))
    assert WrongAnswer.objects.filter(user=candidate, mastered=False).count() == 2
    # when the candidate opens the book
    page = client.get(reverse("exams:wrong_answers")).content.decode()
    # then both questions are to practise, with the key and explanation folded away
    assert (
        f'data-testid="wrong-{questions[0].pk}"' in page and f'data-testid="wrong-{questions[1].pk}"' in page
    )
    assert f'data-testid="wrong-{questions[2].pk}"' not in page
    assert re.search(r'data-testid="open-count">2<', page)
    assert QUESTIONS[0]["explanation"] in page
    # when they practise again
    response = client.post(reverse("exams:wrong_practice"))
    practice = Attempt.objects.filter(user=candidate, status="in_progress").get()
    assert response["Location"] == reverse("exams:take", args=[practice.pk])
    assert practice.exam.kind == "practice" and practice.items.count() == 2
    # and answer both right and finish
    for item in practice.items.select_related("version"):
        i = [q.pk for q in questions].index(item.question_id)
        key = RIGHT[i] if isinstance(RIGHT[i], str) else sorted(item.option_order.index(k) for k in RIGHT[i])
        assert _api_save(client, practice.pk, item.question_id, key).json()["correct"] is True
    client.post(reverse("exams:submit", args=[practice.pk]))
    # then the book has nothing left to practise, and "practise again" has nothing to start
    assert WrongAnswer.objects.filter(user=candidate, mastered=False).count() == 0
    page = client.get(reverse("exams:wrong_answers")).content.decode()
    assert re.search(r'data-testid="open-count">0<', page) and 'data-testid="practise"' not in page
    assert client.post(reverse("exams:wrong_practice")).status_code == 404


# --- whose attempt --------------------------------------------------------------------------------


def test_another_candidates_attempt_and_an_exam_one_is_not_a_candidate_of_are_404(
    client_for, org, candidate, exam, hq_officer, questions
):
    other = learner(org, "b1_other", org.b1o)
    mine = _start(client_for(candidate), exam)
    draft_only = paper(hq_officer, questions[:1], [other], now=NOW, title="别人的考试")
    client = client_for(other)
    for name in ("exams:take", "exams:result"):
        assert client.get(reverse(name, args=[mine.pk])).status_code == 404
    assert client.post(reverse("exams:submit", args=[mine.pk])).status_code == 404
    # and an exam one is not a candidate of
    assert client_for(candidate).get(reverse("exams:start", args=[draft_only.pk])).status_code == 404
    assert client_for(candidate).post(reverse("exams:start", args=[draft_only.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.status == "in_progress"


def test_start_refused_when_not_open_or_no_attempt_left(client_for, candidate, hq_officer, questions):
    later = paper(hq_officer, questions[:1], [candidate], now=NOW, opens=dt.timedelta(days=1))
    client = client_for(candidate)
    page = client.get(reverse("exams:start", args=[later.pk])).content.decode()
    assert 'data-testid="refusal"' in page and 'data-testid="start"' not in page
    response = client.post(reverse("exams:start", args=[later.pk]), follow=True)
    assert "尚未开始" in response.content.decode() or "not open" in response.content.decode()
    once = paper(hq_officer, questions[:1], [candidate], now=NOW, title="一次机会")
    attempt = _start(client, once)
    client.post(reverse("exams:submit", args=[attempt.pk]))
    page = client.get(reverse("exams:start", args=[once.pk])).content.decode()
    assert 'data-testid="refusal"' in page
