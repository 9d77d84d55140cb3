"""Question bank services: checking a question per kind, versions kept for the attempts that used them, tags
by name, a regulation revised flags its questions, who may write where."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.models import AuditEvent
from xiaobao.exams.models import Attempt, AttemptItem, Exam, Question, QuestionVersion, Tag
from xiaobao.exams.questions import (
    answer_letters,
    clean_question,
    question_create,
    question_mark_reviewed,
    question_update,
    regulation_revised,
    regulation_tag,
    tag_create,
)

pytestmark = pytest.mark.django_db

SINGLE = {
    "kind": "single",
    "stem": "金融消费者投诉，银行业金融机构原则上应在多少日内作出处理决定？",
    "options": ["7日", "15日", "30日", "60日"],
    "answer": [1],
    "explanation": "《银行保险机构消费投诉处理管理办法》：15日内作出处理决定。",
    "tags": ["投诉处理"],
    "difficulty": 2,
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def _errors(data: dict) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        clean_question(data)
    return info.value.message_dict


def _used(question: Question, user) -> AttemptItem:
    """An attempt showed the question's current version (as the engine records it)."""
    exam = Exam.objects.create(
        title="季度考试",
        org_unit=question.org_unit,
        opens_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        time_limit_minutes=30,
        created_by=user,
    )
    attempt = Attempt.objects.create(
        exam=exam,
        user=user,
        seed=1,
        started_at=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC),
        org_unit=user.org_unit,
    )
    return AttemptItem.objects.create(
        attempt=attempt,
        question=question,
        version_id=question.current_version_id,
        position=0,
        points=1,
        answer=[1],
    )


# --- checking a question ------------------------------------------------------------------------------------


def test_a_single_choice_question_is_kept_as_given():
    # given / when
    clean = clean_question(SINGLE)
    # then
    assert clean["options"] == SINGLE["options"] and clean["answer"] == [1] and clean["difficulty"] == 2


def test_single_choice_needs_exactly_one_correct_option():
    assert "answer" in _errors({**SINGLE, "answer": [0, 1]})
    assert "answer" in _errors({**SINGLE, "answer": []})


def test_multiple_choice_takes_several_sorted_and_at_least_one():
    # given a multiple-choice question with its key out of order
    clean = clean_question({**SINGLE, "kind": "multiple", "answer": [3, 0]})
    # then the key is sorted; an empty key is refused
    assert clean["answer"] == [0, 3]
    assert "answer" in _errors({**SINGLE, "kind": "multiple", "answer": []})


def test_answer_indexes_must_be_in_range():
    errors = _errors({**SINGLE, "answer": [4]})
    assert "4" in errors["answer"][0]


def test_two_to_eight_options_none_empty_none_twice():
    assert "options" in _errors({**SINGLE, "options": ["只有一个"], "answer": [0]})
    assert "options" in _errors({**SINGLE, "options": [f"选项{i}" for i in range(9)], "answer": [0]})
    assert "options" in _errors({**SINGLE, "options": ["甲", "", "丙"], "answer": [0]})
    assert "options" in _errors({**SINGLE, "options": ["甲", "乙", "甲"], "answer": [0]})


def test_true_false_gets_the_default_options():
    clean = clean_question({"kind": "true_false", "stem": "银行可以拒绝消费者的投诉。", "answer": [1]})
    assert clean["options"] == ["正确", "错误"] and clean["answer"] == [1]
    assert "answer" in _errors({"kind": "true_false", "stem": "x", "answer": [0, 1]})


def test_a_blank_takes_a_text_with_alternatives_and_no_options():
    clean = clean_question({"kind": "blank", "stem": "投诉处理时限为____日。", "answer": " 15 | 十五 "})
    assert clean["answer"] == "15|十五" and clean["options"] == []
    assert "answer" in _errors({"kind": "blank", "stem": "x", "answer": [0]})
    assert "answer" in _errors({"kind": "blank", "stem": "x", "answer": "15||"})
    assert "options" in _errors({"kind": "blank", "stem": "x", "answer": "15", "options": ["a", "b"]})


def test_kind_stem_and_difficulty_are_checked():
    errors = _errors({**SINGLE, "kind": "essay", "stem": "  ", "difficulty": 6})
    assert {"kind", "stem", "difficulty"} <= set(errors)


def test_messages_are_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        errors = _errors({**SINGLE, "options": ["甲", "", "丙"], "answer": [0]})
    assert "选项" in errors["options"][0]


# --- creating and versions ----------------------------------------------------------------------------------


def test_create_makes_version_one_and_tags_by_name(branch_officer, org):
    # given a topic tag that exists
    Tag.objects.create(kind="topic", name="投诉处理")
    # when a question is created with it and a new tag
    q = question_create(actor=branch_officer, data={**SINGLE, "tags": ["投诉处理", "时限"]})
    # then version 1 holds its content, the existing tag is reused and the new one is a topic
    q.refresh_from_db()
    assert q.org_unit == org.b1 and q.current_version.number == 1
    assert q.current_version.stem == SINGLE["stem"] and q.current_version.answer == [1]
    assert sorted(t.name for t in q.tags.all()) == ["投诉处理", "时限"]
    assert Tag.objects.get(name="时限").kind == "topic" and Tag.objects.filter(name="投诉处理").count() == 1
    assert AuditEvent.objects.filter(object_type="exams.question", object_id=str(q.pk)).exists()


def test_an_unused_version_is_updated_in_place(branch_officer):
    # given a question no attempt has shown
    q = question_create(actor=branch_officer, data=SINGLE)
    # when its stem changes
    q = question_update(actor=branch_officer, question=q, data={"stem": "投诉处理时限是多少日？"})
    # then there is still one version, holding the new stem
    assert list(q.versions.values_list("number", "stem")) == [(1, "投诉处理时限是多少日？")]


def test_a_used_version_is_kept_and_a_new_one_made(branch_officer):
    # given a question an attempt has shown (version 1)
    q = question_create(actor=branch_officer, data=SINGLE)
    item = _used(q, branch_officer)
    # when the key and the options change
    q = question_update(
        actor=branch_officer, question=q, data={"options": ["7日", "15日", "30日"], "answer": [2]}
    )
    # then version 2 is current and the attempt still points at version 1 with its old content
    q.refresh_from_db()
    assert q.current_version.number == 2 and q.current_version.answer == [2]
    item.refresh_from_db()
    assert item.version.number == 1 and item.version.answer == [1] and len(item.version.options) == 4
    # and a further edit (version 2 unused) changes version 2 in place
    question_update(actor=branch_officer, question=q, data={"explanation": "30日"})
    assert QuestionVersion.objects.filter(question=q).count() == 2
    assert QuestionVersion.objects.get(question=q, number=2).explanation == "30日"


def test_tags_and_active_are_not_content(branch_officer):
    # given a used question
    q = question_create(actor=branch_officer, data=SINGLE)
    _used(q, branch_officer)
    # when only its tags and use change
    q = question_update(actor=branch_officer, question=q, data={"tags": ["新标签"], "active": False})
    # then no new version
    assert q.versions.count() == 1 and not q.active
    assert [t.name for t in q.tags.all()] == ["新标签"]


def test_a_branch_cannot_edit_the_head_office_bank(hq_officer, branch_officer, other_branch_officer, org):
    # given a head-office question (the root unit: shared with every unit)
    q = question_create(actor=hq_officer, data=SINGLE)
    assert q.org_unit == org.ho
    # then a branch sees it but may not change it, nor put a question into another branch
    assert Question.objects.visible_to(branch_officer).filter(pk=q.pk).exists()
    with pytest.raises(PermissionDenied):
        question_update(actor=branch_officer, question=q, data={"stem": "改"})
    with pytest.raises(PermissionDenied):
        question_create(actor=branch_officer, data=SINGLE, unit=org.b2)
    # and a question of branch 1 is not seen by branch 2
    mine = question_create(actor=branch_officer, data=SINGLE)
    assert not Question.objects.visible_to(other_branch_officer).filter(pk=mine.pk).exists()


def test_nothing_is_written_when_the_content_is_refused(branch_officer):
    with pytest.raises(ValidationError):
        question_create(actor=branch_officer, data={**SINGLE, "answer": [9], "tags": ["不该建的标签"]})
    assert not Question.objects.exists() and not Tag.objects.filter(name="不该建的标签").exists()


def test_answer_letters():
    q = Question(kind="multiple", options=["a", "b", "c"], answer=[0, 2])
    assert answer_letters(q) == "A,C"
    assert answer_letters(Question(kind="true_false", options=["正确", "错误"], answer=[1])) == "错误"


# --- regulations revised ------------------------------------------------------------------------------------


def test_a_revised_regulation_flags_its_questions_not_reviewed_since(branch_officer):
    # given questions written in February on two articles of one regulation and on another regulation
    art12 = regulation_tag("《银行保险机构消费者权益保护管理办法》", "第十二条")
    art13 = regulation_tag("《银行保险机构消费者权益保护管理办法》", "第十三条")
    other = regulation_tag("《金融消费者权益保护实施办法》", "第二十条")
    with time_machine.travel("2026-02-01 10:00 +0800", tick=False):
        q12 = question_create(actor=branch_officer, data={**SINGLE, "tags": [art12]})
        q13 = question_create(actor=branch_officer, data={**SINGLE, "stem": "第十三条", "tags": [art13]})
        q_other = question_create(actor=branch_officer, data={**SINGLE, "stem": "实施办法", "tags": [other]})
    # when article 12 is marked revised on 1 March
    flagged = regulation_revised(art12, on=dt.date(2026, 3, 1), actor=branch_officer)
    # then only its question is flagged, with the reason
    assert flagged == 1
    q12.refresh_from_db()
    assert q12.needs_review and "第十二条" in q12.review_reason
    assert not Question.objects.get(pk=q13.pk).needs_review
    assert Tag.objects.get(pk=art12.pk).revised_on == dt.date(2026, 3, 1)
    # when the whole regulation is marked revised
    regulation_revised(art13, on=dt.date(2026, 3, 1), actor=branch_officer, whole_regulation=True)
    # then the other article's question is flagged too, the other regulation's is not
    assert Question.objects.get(pk=q13.pk).needs_review
    assert not Question.objects.get(pk=q_other.pk).needs_review
    # when the question is checked, the flag clears and a revision of an earlier day does not flag it again
    question_mark_reviewed(actor=branch_officer, question=q12)
    q12.refresh_from_db()
    assert not q12.needs_review and q12.reviewed_on == dt.date(2026, 3, 2)
    assert regulation_revised(art12, on=dt.date(2026, 3, 1)) == 0


def test_a_question_written_after_the_revision_is_not_flagged(branch_officer):
    # given a question written on 2 March and one on 5 March
    tag = regulation_tag("《金融消费者权益保护实施办法》", "第二十条")
    old = question_create(actor=branch_officer, data={**SINGLE, "tags": [tag]})
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        new = question_create(actor=branch_officer, data={**SINGLE, "stem": "新写的", "tags": [tag]})
        # when the regulation is recorded as revised on 3 March
        flagged = regulation_revised(tag, on=dt.date(2026, 3, 3))
    # then only the older question is flagged
    assert flagged == 1
    assert Question.objects.get(pk=old.pk).needs_review and not Question.objects.get(pk=new.pk).needs_review


def test_only_regulation_tags_are_revised(branch_officer):
    topic = tag_create(actor=branch_officer, data={"kind": "topic", "name": "适当性"})
    with pytest.raises(ValidationError):
        regulation_revised(topic, on=dt.date(2026, 3, 1))


def test_tag_create_names_a_regulation_tag_and_refuses_clashes(branch_officer):
    tag = tag_create(
        actor=branch_officer,
        data={"kind": "regulation", "regulation": "《金融消费者权益保护实施办法》", "article": "第二十条"},
    )
    assert tag.name == "《金融消费者权益保护实施办法》 第二十条"
    with pytest.raises(ValidationError) as info:
        tag_create(actor=branch_officer, data={"kind": "regulation", "name": tag.name, "regulation": "x"})
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError):
        tag_create(actor=branch_officer, data={"kind": "topic", "name": "x", "article": "第一条"})


def test_changing_the_kind_drops_options_that_do_not_fit(branch_officer):
    # given a single-choice question
    q = question_create(actor=branch_officer, data=SINGLE)
    # when it becomes a blank with only the kind and the answer given
    q = question_update(actor=branch_officer, question=q, data={"kind": "blank", "answer": "15|十五"})
    # then its options are gone; back to true or false it gets the default options
    assert (q.kind, q.options, q.answer) == ("blank", [], "15|十五")
    q = question_update(actor=branch_officer, question=q, data={"kind": "true_false", "answer": [0]})
    assert q.options == ["正确", "错误"]
    # and a choice kind without options is refused
    with pytest.raises(ValidationError) as info:
        question_update(actor=branch_officer, question=q, data={"kind": "single", "answer": [0]})
    assert "options" in info.value.message_dict
