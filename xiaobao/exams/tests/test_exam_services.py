"""Exam services: candidates by unit, layer and list (with their team), drafts, publishing, closing, audit."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from conftest import make_user
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import AuditEvent
from xiaobao.exams.services import exam_close, exam_create, exam_publish, exam_update, organised
from xiaobao.exams.tests.factories import exam_data, make_exam, make_learner, make_question

pytestmark = pytest.mark.django_db
START = "2026-03-02 10:00 +0800"


@pytest.fixture
def question(org, hq_officer):
    return make_question(unit=org.ho, by=hq_officer)


@pytest.fixture
def people(org):
    return {
        "b1_front": make_learner("p_b1_front", org.b1),
        "b1s_front": make_learner("p_b1s_front", org.b1s),
        "b1o_new": make_learner("p_b1o_new", org.b1o, layer="new_hire"),
        "b1s_nostaff": make_learner("p_b1s_nostaff", org.b1s, layer=None),
        "b2_front": make_learner("p_b2_front", org.b2),
        "ho_senior": make_learner("p_ho_senior", org.cpd, layer="senior_management"),
    }


def _candidates(exam):
    return sorted(exam.candidates.values_list("user__username", flat=True))


def test_candidates_by_unit_are_everybody_in_its_subtree(question, people, branch_officer):
    with time_machine.travel(START, tick=False):
        exam = make_exam(by=branch_officer, questions=[question], candidates=[], candidate_units=["B1-S1"])
    assert _candidates(exam) == ["p_b1o_new", "p_b1s_front", "p_b1s_nostaff"]


def test_candidates_by_layer_within_the_organising_unit(question, people, branch_officer):
    with time_machine.travel(START, tick=False):
        exam = make_exam(
            by=branch_officer, questions=[question], candidates=[], candidate_layers=["front_line"]
        )
    # branch 1's front line only — not branch 2's, not those without a staff entry
    assert _candidates(exam) == ["p_b1_front", "p_b1s_front"]


def test_candidates_by_unit_and_layer_plus_a_list(question, people, hq_officer, org):
    with time_machine.travel(START, tick=False):
        exam = make_exam(
            by=hq_officer,
            questions=[question],
            candidates=["p_ho_senior", "Ep_b2_front"],  # a username and an employee number
            candidate_units=["B1"],
            candidate_layers=["new_hire"],
        )
    assert _candidates(exam) == ["p_b1o_new", "p_b2_front", "p_ho_senior"]
    teams = dict(exam.candidates.values_list("user__username", "team__code"))
    # each candidate's team is their branch (head-office staff: the head office)
    assert teams == {"p_b1o_new": "B1", "p_b2_front": "B2", "p_ho_senior": "HO"}


def test_a_branch_organiser_cannot_name_other_branches(question, people, branch_officer):
    with time_machine.travel(START, tick=False), pytest.raises(DomainError) as exc:
        exam_create(
            actor=branch_officer,
            data=exam_data([question], [people["b2_front"]], candidate_units=["B2"]),
        )
    assert set(exc.value.fields) == {"candidates.0", "candidate_units.0"}


def test_a_questions_of_an_other_branch_is_unknown_even_to_head_office_for_a_branch_exam(
    org, hq_officer, people
):
    # given a head-office organiser setting branch 1's exam with a question of branch 2's bank
    theirs = make_question(unit=org.b2, by=hq_officer)
    with time_machine.travel(START, tick=False), pytest.raises(DomainError) as exc:
        exam_create(actor=hq_officer, data=exam_data([theirs], [people["b1_front"]], org_unit="B1"))
    assert set(exc.value.fields) == {"question_ids.0"}


def test_only_organisers(question, people, org):
    learner = people["b1_front"]
    with time_machine.travel(START, tick=False), pytest.raises(PermissionDenied):
        exam_create(actor=learner, data=exam_data([question], [learner]))


def test_draft_update_publish_close_and_audit(question, people, branch_officer, org, hq_officer):
    other = make_question(unit=org.b1, by=hq_officer)
    with time_machine.travel(START, tick=False):
        exam = exam_create(actor=branch_officer, data=exam_data([question], [people["b1_front"]]))
        assert exam.status == "draft"
        exam = exam_update(
            actor=branch_officer,
            exam=exam,
            data=exam_data([question, other], [people["b1s_front"]], points=[2, 3], title="改名"),
        )
        assert exam.title == "改名" and _candidates(exam) == ["p_b1s_front"]
        assert [(q.question_id, float(q.points)) for q in exam.questions.all()] == [
            (question.pk, 2.0),
            (other.pk, 3.0),
        ]
        exam = exam_publish(actor=branch_officer, exam=exam)
        with pytest.raises(Conflict):
            exam_update(actor=branch_officer, exam=exam, data=exam_data([question], [people["b1_front"]]))
        with pytest.raises(Conflict):
            exam_publish(actor=branch_officer, exam=exam)
        exam = exam_close(actor=branch_officer, exam=exam)
        assert exam.status == "closed"
        assert exam_close(actor=branch_officer, exam=exam).status == "closed"  # again: nothing more
    actions = list(
        AuditEvent.objects.filter(object_type="exams.exam").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "publish", "close"]


def test_publishing_needs_candidates(question, branch_officer, org):
    make_user("nobody_yet", org.b2, [])
    with time_machine.travel(START, tick=False):
        exam = exam_create(actor=branch_officer, data=exam_data([question], [], candidate_units=["B1-S1-O1"]))
        with pytest.raises(DomainError) as exc:
            exam_publish(actor=branch_officer, exam=exam)
    assert "candidates" in exc.value.fields


def test_the_seed_is_kept_when_a_draft_is_edited_and_random_when_not_given(question, people, branch_officer):
    with time_machine.travel(START, tick=False):
        data = exam_data([question], [people["b1_front"]])
        del data["seed"]
        exam = exam_create(actor=branch_officer, data=data)
        seed = exam.seed
        exam = exam_update(actor=branch_officer, exam=exam, data=data)
    assert seed > 0 and exam.seed == seed


def test_organised_leaves_out_personal_practice(question, people, branch_officer):
    from xiaobao.exams.attempts import personal_practice_exam
    from xiaobao.exams.models import Exam

    with time_machine.travel(START, tick=False):
        exam = make_exam(by=branch_officer, questions=[question], candidates=[people["b1_front"]])
        personal = personal_practice_exam(people["b1_front"], [question.pk], exam.opens_at)
    assert personal.seed < 0
    assert list(organised(Exam.objects.all())) == [exam]
