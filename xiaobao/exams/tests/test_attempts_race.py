"""Saves racing the submission on PostgreSQL (real concurrent connections): every save that was answered
"saved" is graded, every other one was refused (409) — nothing is lost in between."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xiaobao.core.errors import Conflict
from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit
from xiaobao.exams.models import Attempt, AttemptItem
from xiaobao.exams.tests.factories import make_exam, make_learner, make_question

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]


def test_saves_racing_the_submission_are_graded_or_refused(org, hq_officer, branch_officer):
    from django.utils import timezone

    now = timezone.now()
    questions = [make_question(unit=org.ho, by=hq_officer, kind="true_false", answer=[0]) for _ in range(12)]
    learner = make_learner("racer", org.b1s)
    exam = make_exam(
        by=branch_officer,
        questions=questions,
        candidates=[learner],
        opens_at=now - timezone.timedelta(hours=1),
        closes_at=now + timezone.timedelta(hours=2),
        shuffle_options=False,
    )
    for _round in range(5):
        Attempt.objects.filter(exam=exam).update(status="submitted")  # earlier rounds: out of the way
        exam.attempts_allowed += 1
        exam.save(update_fields=["attempts_allowed"])
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        acknowledged: dict[int, int] = {}
        refused: list[int] = []
        go = threading.Barrier(len(questions) + 1)

        def save(q, attempt=attempt, acknowledged=acknowledged, refused=refused, go=go):
            try:
                go.wait()
                for value in (1, 0, 1, 0):
                    try:
                        answer_save(user=learner, attempt_id=attempt.pk, question_id=q.pk, answer=[value])
                        acknowledged[q.pk] = value
                    except Conflict:
                        refused.append(q.pk)
                        return
            finally:
                connections.close_all()

        def submit(attempt=attempt, go=go):
            try:
                go.wait()
                attempt_submit(attempt=attempt)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(q,)) for q in questions]
        threads.append(threading.Thread(target=submit))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        attempt.refresh_from_db()
        assert attempt.status == "submitted"
        items = {i.question_id: i for i in AttemptItem.objects.filter(attempt=attempt)}
        # every acknowledged save is what was graded: the item holds it and its grade matches it
        for qid, value in acknowledged.items():
            item = items[qid]
            assert item.answer == [value], (qid, value, item.answer)
            assert item.correct is (value == 0) and item.earned == (1 if value == 0 else 0)
        assert attempt.points == sum(i.earned for i in items.values())
