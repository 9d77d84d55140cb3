"""Attempts: start or resume, saving answers against the server's clock, submitting, the periodic
submission of attempts whose time is up, practice and the wrong-answer book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from xiaobao.core.errors import Conflict, DomainError
from xiaobao.exams.attempts import (
    NotFound,
    answer_save,
    attempt_for,
    attempt_payload,
    attempt_start_or_resume,
    attempt_submit,
    my_exams,
    practice_from_wrong_answers,
    submit_expired,
)
from xiaobao.exams.models import Attempt, AttemptItem, Exam, WrongAnswer
from xiaobao.exams.services import exam_close
from xiaobao.exams.tests.factories import TZ, make_exam, make_learner, make_question

pytestmark = pytest.mark.django_db

START = "2026-03-02 10:00 +0800"
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def bank(org, hq_officer):
    return {
        "single": make_question(unit=org.ho, by=hq_officer, kind="single", answer=[1]),
        "multiple": make_question(unit=org.ho, by=hq_officer, kind="multiple", answer=[0, 2]),
        "tf": make_question(unit=org.ho, by=hq_officer, kind="true_false", answer=[0]),
        "blank": make_question(unit=org.ho, by=hq_officer, kind="blank", answer="十五|15"),
    }


@pytest.fixture
def learner(org):
    return make_learner("lrn_a", org.b1s)


@pytest.fixture
def other(org):
    return make_learner("lrn_b", org.b1o)


@pytest.fixture
def exam(bank, learner, other, branch_officer):
    with time_machine.travel(START, tick=False):
        return make_exam(by=branch_officer, questions=list(bank.values()), candidates=[learner, other])


def _display(attempt, question, original):
    """The display indexes of original option indexes on this attempt's item."""
    order = AttemptItem.objects.get(attempt=attempt, question=question).option_order
    return sorted(order.index(i) for i in original)


def _answer_right(attempt, user, bank):
    answer_save(
        user=user,
        attempt_id=attempt.pk,
        question_id=bank["single"].pk,
        answer=_display(attempt, bank["single"], [1]),
    )
    answer_save(
        user=user,
        attempt_id=attempt.pk,
        question_id=bank["multiple"].pk,
        answer=_display(attempt, bank["multiple"], [0, 2]),
    )
    answer_save(user=user, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
    answer_save(user=user, attempt_id=attempt.pk, question_id=bank["blank"].pk, answer=" １５ ")


# --- start and resume ----------------------------------------------------------------------------------


def test_start_draws_the_paper_and_the_server_sets_the_end(exam, learner, bank):
    # given a published exam open now / when the candidate starts
    with time_machine.travel(START, tick=False):
        attempt, created = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    # then a new attempt of 4 questions, ending 30 minutes later, at the candidate's unit and layer
    assert created
    assert attempt.started_at == T0
    assert attempt.ends_at == T0 + dt.timedelta(minutes=30)
    assert attempt.items.count() == 4
    assert attempt.max_points == Decimal("4")
    assert attempt.org_unit == learner.org_unit
    assert attempt.layer.code == "front_line"
    assert attempt.team.code == "B1"
    assert {i.version_id for i in attempt.items.all()} == {q.current_version_id for q in bank.values()}


def test_resuming_returns_the_same_attempt_with_its_saved_answers(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[1])
    # when the candidate comes back 10 minutes later (a closed tab, a dropped connection)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        again, created = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        payload = attempt_payload(again)
    # then the same attempt, the answer saved, 20 minutes left
    assert not created and again.pk == attempt.pk
    saved = {q["id"]: q["saved"] for q in payload["questions"]}
    assert saved[bank["tf"].pk] == [1]
    assert payload["remaining_seconds"] == 20 * 60
    assert payload["answered"] == 1


def test_the_end_is_the_exams_closing_time_when_that_comes_first(exam, learner):
    with time_machine.travel(exam.closes_at - dt.timedelta(minutes=5), tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    assert attempt.ends_at == exam.closes_at


def test_only_candidates_of_published_exams_may_start(org, exam, bank, branch_officer, learner):
    stranger = make_learner("lrn_x", org.b1s)
    with time_machine.travel(START, tick=False):
        with pytest.raises(Exam.DoesNotExist):
            attempt_start_or_resume(user=stranger, exam_id=exam.pk)
        draft = make_exam(by=branch_officer, questions=[bank["single"]], candidates=[learner], publish=False)
        with pytest.raises(Exam.DoesNotExist):
            attempt_start_or_resume(user=learner, exam_id=draft.pk)


def test_not_before_it_opens_nor_after_it_closes(exam, learner):
    with (
        time_machine.travel(exam.opens_at - dt.timedelta(seconds=1), tick=False),
        pytest.raises(Conflict) as early,
    ):
        attempt_start_or_resume(user=learner, exam_id=exam.pk)
    assert early.value.code == "not_open"
    with time_machine.travel(exam.closes_at, tick=False), pytest.raises(Conflict) as late:
        attempt_start_or_resume(user=learner, exam_id=exam.pk)
    assert late.value.code == "closed"


def test_attempts_allowed(exam, learner):
    # given one attempt allowed, submitted
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        attempt_submit(attempt=attempt)
        # when starting again / then refused
        with pytest.raises(Conflict) as exc:
            attempt_start_or_resume(user=learner, exam_id=exam.pk)
    assert exc.value.code == "no_attempts_left"


def test_a_second_attempt_when_allowed_gets_its_own_seed(bank, learner, branch_officer):
    with time_machine.travel(START, tick=False):
        exam = make_exam(
            by=branch_officer, questions=list(bank.values()), candidates=[learner], attempts_allowed=2
        )
        first, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        attempt_submit(attempt=first)
        second, created = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    assert created and second.number == 2 and second.seed != first.seed


def test_the_paper_is_reproducible_from_the_stored_seed(exam, learner):
    from xiaobao.exams.drawing import paper_for

    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    stored = [(i.question_id, i.option_order) for i in attempt.items.order_by("position")]
    assert [(d.question_id, d.option_order) for d in paper_for(exam, attempt.seed)] == stored


def test_an_edited_question_keeps_the_version_the_attempt_showed(exam, learner, bank):
    from xiaobao.exams.models import QuestionVersion

    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    # when the bank makes a new version of the single-choice question with another key
    q = bank["single"]
    v2 = QuestionVersion.objects.create(
        question=q, number=2, kind="single", stem="改过的题干", options=["甲", "乙", "丙", "丁"], answer=[3]
    )
    q.current_version = v2
    q.answer = [3]
    q.save()
    with time_machine.travel(START, tick=False):
        answer_save(user=learner, attempt_id=attempt.pk, question_id=q.pk, answer=_display(attempt, q, [1]))
        payload = attempt_payload(attempt)
        done = attempt_submit(attempt=attempt)
    # then the attempt shows and grades the first version
    assert "改过的题干" not in str(payload)
    item = AttemptItem.objects.get(attempt=attempt, question=q)
    assert item.correct is True and done.points == Decimal("1")


def test_a_question_without_a_version_gets_its_first_when_drawn(org, hq_officer, learner, branch_officer):
    from xiaobao.exams.models import Question

    # given a question whose current version is not set (a row written by something else than the bank)
    bare = make_question(unit=org.ho, by=hq_officer, kind="true_false", answer=[1])
    Question.objects.filter(pk=bare.pk).update(current_version=None)
    bare.versions.all().delete()
    with time_machine.travel(START, tick=False):
        exam = make_exam(by=branch_officer, questions=[bare], candidates=[learner])
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    bare.refresh_from_db()
    item = attempt.items.get()
    assert bare.current_version is not None and bare.current_version.number == 1
    assert item.version_id == bare.current_version_id and bare.current_version.answer == [1]


# --- saving -------------------------------------------------------------------------------------------


def test_save_stores_original_indexes_and_counts_answered(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        item = AttemptItem.objects.get(attempt=attempt, question=bank["multiple"])
        out = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["multiple"].pk, answer=[3, 1])
        out2 = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["blank"].pk, answer=" 十五 ")
        # re-saving the same question does not count it twice; clearing it uncounts it
        out3 = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["blank"].pk, answer="15")
        out4 = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["multiple"].pk, answer=[])
    item.refresh_from_db()
    assert out == {"saved": True, "answered": 1, "remaining_seconds": 1800}
    assert (out2["answered"], out3["answered"], out4["answered"]) == (2, 2, 1)
    assert item.answer is None
    blank = AttemptItem.objects.get(attempt=attempt, question=bank["blank"])
    assert blank.answer == "15" and blank.answered_at == T0
    assert blank.correct is None and blank.earned is None  # graded when submitted


def test_saved_display_indexes_map_to_the_shown_options(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        item = AttemptItem.objects.get(attempt=attempt, question=bank["multiple"])
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["multiple"].pk, answer=[0, 3])
        payload = attempt_payload(attempt)
    item.refresh_from_db()
    assert item.answer == sorted([item.option_order[0], item.option_order[3]])
    shown = next(q for q in payload["questions"] if q["id"] == bank["multiple"].pk)
    assert shown["saved"] == [0, 3]
    assert shown["options"] == [bank["multiple"].options[i] for i in item.option_order]


def test_save_makes_at_most_three_queries(exam, learner, bank, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        with django_assert_max_num_queries(3):
            answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[2])


@pytest.mark.parametrize(
    ("key", "answer", "field_problem"),
    [("single", [9], True), ("single", [0, 1], True), ("blank", [1], True), ("multiple", "A", True)],
)
def test_an_answer_that_does_not_fit_is_a_field_error(exam, learner, bank, key, answer, field_problem):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        with pytest.raises(DomainError) as exc:
            answer_save(user=learner, attempt_id=attempt.pk, question_id=bank[key].pk, answer=answer)
    assert exc.value.status == 422 and "answer" in exc.value.fields


def test_nobody_else_saves_into_an_attempt(exam, learner, other, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        with pytest.raises(AttemptItem.DoesNotExist):
            answer_save(user=other, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
        with pytest.raises(Attempt.DoesNotExist):
            attempt_for(other, attempt.pk)
    assert AttemptItem.objects.get(attempt=attempt, question=bank["tf"]).answer is None


def test_a_question_not_on_the_paper_is_not_found(org, exam, learner, hq_officer):
    stray = make_question(unit=org.ho, by=hq_officer)
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        with pytest.raises(AttemptItem.DoesNotExist):
            answer_save(user=learner, attempt_id=attempt.pk, question_id=stray.pk, answer=[0])


# --- the server's clock ---------------------------------------------------------------------------------


def test_an_answer_after_the_end_is_refused_and_the_attempt_graded_with_what_was_saved(exam, learner, bank):
    # given an attempt with the true/false question answered right at 10:05
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
    # when an answer arrives one second after the end (whatever the browser's clock said)
    late = T0 + dt.timedelta(minutes=30, seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(Conflict) as exc:
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[0])
    # then it is refused, and the attempt is graded with the saved answer only
    assert exc.value.status == 409 and exc.value.code == "ended"
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.auto_submitted
    assert attempt.submitted_at == attempt.ends_at
    assert attempt.points == Decimal("1") and attempt.score == Decimal("25.00") and attempt.passed is False
    assert AttemptItem.objects.get(attempt=attempt, question=bank["single"]).answer is None


def test_an_answer_at_the_last_second_is_kept(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=29, seconds=59), tick=False):
        out = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
    assert out["remaining_seconds"] == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False), pytest.raises(Conflict):
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[1])
    attempt.refresh_from_db()
    assert attempt.points == Decimal("1")


def test_reading_an_attempt_past_its_end_grades_it(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        payload = attempt_payload(attempt_for(learner, attempt.pk))
    assert payload["status"] == "submitted" and payload["score"] == 25.0
    assert payload["remaining_seconds"] == 0


def test_the_periodic_job_submits_attempts_whose_time_is_up(exam, learner, other, bank):
    with time_machine.travel(START, tick=False):
        a, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        _answer_right(a, learner, bank)
    with time_machine.travel(T0 + dt.timedelta(minutes=20), tick=False):
        b, _ = attempt_start_or_resume(user=other, exam_id=exam.pk)
    # when the sweep runs at 10:31: the first attempt's time is up, the second's is not
    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        report = submit_expired()
    a.refresh_from_db()
    b.refresh_from_db()
    assert report.submitted == 1 and report.closed == 0
    assert a.status == "submitted" and a.auto_submitted and a.score == Decimal("100.00") and a.passed
    assert b.status == "in_progress"


def test_the_periodic_job_closes_exams_past_their_closing_time_and_books_wrong_answers(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        a, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(user=learner, attempt_id=a.pk, question_id=bank["tf"].pk, answer=[1])  # wrong
        answer_save(user=learner, attempt_id=a.pk, question_id=bank["blank"].pk, answer="15")  # right
        attempt_submit(attempt=a)
    # an exam's wrong answers are not booked before it closes (its key is not shown yet)
    assert not WrongAnswer.objects.exists()
    with time_machine.travel(exam.closes_at + dt.timedelta(minutes=1), tick=False):
        report = submit_expired()
    exam.refresh_from_db()
    assert report.closed == 1 and exam.status == "closed"
    # then the wrong answer is booked — not the right one, nor the unanswered ones
    assert list(WrongAnswer.objects.values_list("user__username", "question_id", "times_wrong")) == [
        ("lrn_a", bank["tf"].pk, 1)
    ]


# --- submitting -----------------------------------------------------------------------------------------


def test_submit_grades_everything_and_twice_is_the_same(exam, learner, bank, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        _answer_right(attempt, learner, bank)
    # bulk grading: not one query per question
    with time_machine.travel(T0 + dt.timedelta(minutes=12), tick=False), django_assert_max_num_queries(6):
        first = attempt_submit(attempt=attempt)
    with time_machine.travel(T0 + dt.timedelta(minutes=14), tick=False):
        second = attempt_submit(attempt=attempt)
    assert first.score == second.score == Decimal("100.00")
    assert first.passed and second.passed
    assert second.submitted_at == T0 + dt.timedelta(minutes=12)
    assert not second.auto_submitted
    assert set(attempt.items.values_list("correct", flat=True)) == {True}


def test_partial_scoring_setting_of_the_paper(bank, learner, branch_officer):
    with time_machine.travel(START, tick=False):
        exam = make_exam(
            by=branch_officer,
            questions=[bank["multiple"], bank["single"]],
            candidates=[learner],
            multiple_choice_scoring="partial",
            points=[4, 1],
        )
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(
            user=learner,
            attempt_id=attempt.pk,
            question_id=bank["multiple"].pk,
            answer=_display(attempt, bank["multiple"], [2]),
        )
        done = attempt_submit(attempt=attempt)
    assert done.max_points == Decimal("5")
    assert done.points == Decimal("2.00")
    assert done.score == Decimal("40.00")


def test_exam_close_submits_attempts_in_progress(exam, learner, bank, branch_officer):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[1])
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        exam_close(actor=branch_officer, exam=exam)
        with pytest.raises(Conflict):
            answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[0])
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.auto_submitted and attempt.points == 0
    assert WrongAnswer.objects.filter(user=learner, question=bank["tf"]).exists()


# --- the candidate's payload ---------------------------------------------------------------------------


def test_the_payload_never_carries_the_key_or_the_explanation_of_an_exam(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        _answer_right(attempt, learner, bank)
        running = attempt_payload(attempt)
        submitted = attempt_payload(attempt_submit(attempt=attempt))
    for payload in (running, submitted):
        for q in payload["questions"]:
            assert set(q) == {"id", "kind", "stem", "options", "points", "saved", "saved_at"}
        assert "依据《金融消费者权益保护实施办法》" not in str(payload)
        assert "十五" not in str(payload)  # the blank's key ("十五|15"); the candidate wrote "１５"
    assert submitted["score"] == 100.0 and submitted["passed"] is True


def test_once_the_exam_has_closed_the_key_is_shown(exam, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[1])
        attempt_submit(attempt=attempt)
    with time_machine.travel(exam.closes_at, tick=False):
        payload = attempt_payload(attempt_for(learner, attempt.pk))
    tf = next(q for q in payload["questions"] if q["id"] == bank["tf"].pk)
    assert tf["answer"] == [0] and tf["correct"] is False and tf["earned"] == 0
    assert tf["explanation"].startswith("依据")


# --- practice and the wrong-answer book -------------------------------------------------------------------


@pytest.fixture
def practice(bank, learner, branch_officer):
    with time_machine.travel(START, tick=False):
        return make_exam(
            by=branch_officer,
            questions=list(bank.values()),
            candidates=[learner],
            kind="practice",
            shuffle_options=False,
        )


def test_practice_answers_with_the_verdict_key_and_explanation(practice, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=practice.pk)
        wrong = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[0])
        right = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["blank"].pk, answer="十五")
        payload = attempt_payload(attempt)
    assert wrong["correct"] is False and wrong["answer"] == [1] and wrong["explanation"].startswith("依据")
    assert wrong["earned"] == 0
    assert right["correct"] is True and right["answer"] == "十五|15" and right["earned"] == 1
    shown = {q["id"]: q for q in payload["questions"]}
    assert shown[bank["single"].pk]["correct"] is False and shown[bank["single"].pk]["answer"] == [1]
    assert "answer" not in shown[bank["tf"].pk]  # not answered yet: no key


def test_practice_keeps_the_first_answer(practice, learner, bank):
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=practice.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[0])
        # the same answer again (a retry after a dropped connection) is fine
        again = answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[0])
        with pytest.raises(Conflict) as exc:
            answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[1])
    assert again["correct"] is False and exc.value.code == "answered"


def test_practice_books_wrong_answers_and_practising_them_right_masters_them(practice, learner, bank):
    # given a practice with two wrong answers, submitted
    with time_machine.travel(START, tick=False):
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=practice.pk)
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["single"].pk, answer=[0])
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["tf"].pk, answer=[1])
        answer_save(user=learner, attempt_id=attempt.pk, question_id=bank["blank"].pk, answer="15")
        attempt_submit(attempt=attempt)
    assert set(WrongAnswer.objects.filter(user=learner).values_list("question_id", flat=True)) == {
        bank["single"].pk,
        bank["tf"].pk,
    }
    # when the learner practises the wrong-answer book: right on one, wrong again on the other
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        drill, created = practice_from_wrong_answers(user=learner)
        assert created and drill.exam.kind == "practice" and drill.exam.seed == -learner.pk
        assert set(drill.items.values_list("question_id", flat=True)) == {bank["single"].pk, bank["tf"].pk}
        resumed, created_again = practice_from_wrong_answers(user=learner)
        assert resumed.pk == drill.pk and not created_again
        answer_save(
            user=learner,
            attempt_id=drill.pk,
            question_id=bank["single"].pk,
            answer=_display(drill, bank["single"], [1]),
        )
        answer_save(user=learner, attempt_id=drill.pk, question_id=bank["tf"].pk, answer=[1])
        attempt_submit(attempt=drill)
    book = {w.question_id: w for w in WrongAnswer.objects.filter(user=learner)}
    assert book[bank["single"].pk].mastered and book[bank["single"].pk].times_wrong == 1
    assert not book[bank["tf"].pk].mastered and book[bank["tf"].pk].times_wrong == 2
    # the next practice holds only what is not mastered
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        nxt, _ = practice_from_wrong_answers(user=learner)
    assert list(nxt.items.values_list("question_id", flat=True)) == [bank["tf"].pk]
    assert nxt.exam_id == drill.exam_id and nxt.number == 2


def test_an_empty_wrong_answer_book_has_nothing_to_practise(learner):
    with time_machine.travel(START, tick=False), pytest.raises(NotFound):
        practice_from_wrong_answers(user=learner)


# --- my exams ----------------------------------------------------------------------------------------


def test_my_exams_open_upcoming_and_past(bank, learner, branch_officer, exam):
    with time_machine.travel(START, tick=False):
        later = make_exam(
            by=branch_officer,
            questions=[bank["tf"]],
            candidates=[learner],
            title="下周考试",
            opens_at=T0 + dt.timedelta(days=7),
            closes_at=T0 + dt.timedelta(days=8),
        )
        done = make_exam(by=branch_officer, questions=[bank["tf"]], candidates=[learner], title="已考")
        a, _ = attempt_start_or_resume(user=learner, exam_id=done.pk)
        attempt_submit(attempt=a)
        b, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        mine = my_exams(learner)
    assert [e["id"] for e in mine["open"]] == [exam.pk]
    assert mine["open"][0]["attempt"] == {"id": b.pk, "ends_at": b.ends_at, "remaining_seconds": 25 * 60}
    assert mine["open"][0]["can_start"]
    assert [e["id"] for e in mine["upcoming"]] == [later.pk] and not mine["upcoming"][0]["can_start"]
    assert [e["id"] for e in mine["past"]] == [done.pk]
    assert mine["past"][0]["best"] == {"attempt_id": a.pk, "score": 0.0, "passed": False}
