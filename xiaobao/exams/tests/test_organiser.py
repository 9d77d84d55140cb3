"""The organisers' exam pages: the list with each exam's progress, a new exam and a draft's edit (the
question picker, rules with what the bank holds, candidates by unit / layer / names, field errors with
nothing written), publishing and closing, the progress block, results per candidate / unit / layer / branch
with the Excel export, item analysis and the contest ranking; each through the engine's services and
results, within the user's subtree."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from xiaobao.exams.models import Attempt, AttemptItem, Exam, ExamCandidate, ExamQuestion, ExamRule
from xiaobao.exams.tests.test_organiser_fixtures import (
    EASY_ITEM,
    LATER,
    NEGATIVE_ITEM,
    make_bank,
    make_contest,
    make_learners,
)

pytestmark = pytest.mark.django_db

OPENS, CLOSES = "2026-03-02T14:00", "2026-03-09T18:00"


def _form(**overrides):
    """The new-exam form as a browser posts it (fixed paper, head office's consumer-protection department)."""
    data = {
        "action": "save",
        "title": "投诉处理知识测试",
        "org_unit": "HO-CPD",
        "kind": "exam",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "time_limit_minutes": "20",
        "pass_mark": "60",
        "attempts_allowed": "1",
        "multiple_choice_scoring": "all_or_nothing",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "selection": "fixed",
    }
    data.update(overrides)
    return data


@pytest.fixture
def contest(org, hq_officer):
    """Head office's contest taken by 30 of its 32 candidates (see test_organiser_fixtures)."""
    return make_contest(org, hq_officer)


@pytest.fixture
def bank(org, hq_officer):
    return make_bank(org.ho, hq_officer)


@pytest.fixture
def learners(org):
    return make_learners(org)


@pytest.fixture
def at_noon():
    with time_machine.travel("2026-03-02 12:00 +0800", tick=False):
        yield


# --- the list --------------------------------------------------------------------------------------------


def test_list_shows_each_exam_with_its_progress(
    client_for, hq_officer, contest, django_assert_max_num_queries
):
    # given the contest (32 candidates, 30 started, 28 submitted) and a draft
    exam = contest["exam"]
    submitted = Attempt.objects.filter(exam=exam, status="submitted")
    passed = submitted.filter(passed=True).count()
    c = client_for(hq_officer)
    with time_machine.travel(LATER, tick=False):
        c.post(
            reverse("exams:exam_create"),
            _form(question=[contest["questions"][0].pk], candidate_list="learner01"),
        )
        # when the organiser opens the list
        with django_assert_max_num_queries(14):
            response = c.get(reverse("exams:list"))
    # then each exam shows its window, candidates, started, submitted and pass rate
    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index(exam.title) :][:2500]
    assert "32" in row and "30" in row and "28" in row
    assert f"{100 * passed / 28:.1f}".removesuffix(".0") + "%" in row
    assert "投诉处理知识测试" in page and "草稿" in page


def test_list_query_count_does_not_grow_with_exams(
    client_for, hq_officer, contest, django_assert_max_num_queries
):
    # given 12 more exams beside the contest
    from xiaobao.exams.services import exam_create

    q = contest["questions"][0]
    for i in range(12):
        exam_create(
            actor=hq_officer,
            data={
                "title": f"考试{i}",
                "question_ids": [q.pk],
                "opens_at": "2026-03-02T09:00:00+08:00",
                "closes_at": "2026-03-03T09:00:00+08:00",
                "time_limit_minutes": 10,
                "candidates": ["learner00"],
            },
        )
    c = client_for(hq_officer)
    # when / then the same number of queries as for one
    with time_machine.travel(LATER, tick=False), django_assert_max_num_queries(14):
        response = c.get(reverse("exams:list"))
    assert response.content.decode().count('data-testid="exam-row"') == 13


def test_list_filters_and_leaves_personal_practice_out(client_for, hq_officer, contest):
    # given a learner's personal practice from the wrong-answer book (an exam of kind practice, seed < 0)
    from xiaobao.exams.attempts import practice_from_wrong_answers

    learner = contest["learners"][0]
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        from xiaobao.exams.services import exam_close

        exam_close(actor=hq_officer, exam=contest["exam"])
        practice_from_wrong_answers(user=learner)
    assert Exam.objects.filter(seed__lt=0).exists()
    c = client_for(hq_officer)
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        # when / then: the list has the contest only; filters narrow it
        page = c.get(reverse("exams:list")).content.decode()
        assert page.count('data-testid="exam-row"') == 1
        assert "已结束" in page
        assert (
            c.get(reverse("exams:list") + "?status=published")
            .content.decode()
            .count('data-testid="exam-row"')
            == 0
        )
        assert (
            c.get(reverse("exams:list") + "?when=past&kind=contest")
            .content.decode()
            .count('data-testid="exam-row"')
            == 1
        )
        assert c.get(reverse("exams:list") + "?q=竞赛").content.decode().count('data-testid="exam-row"') == 1
        assert c.get(reverse("exams:list") + "?status=nonsense").status_code == 400


def test_branch_officer_sees_the_exams_of_the_own_subtree_only(client_for, org, contest, branch_officer):
    # given the head-office contest and a branch-1 exam
    from xiaobao.exams.services import exam_create

    mine = exam_create(
        actor=branch_officer,
        data={
            "title": "北京分行测试",
            "question_ids": [contest["questions"][0].pk],
            "opens_at": "2026-03-02T09:00:00+08:00",
            "closes_at": "2026-03-03T09:00:00+08:00",
            "time_limit_minutes": 10,
            "candidates": ["learner00"],
        },
    )
    c = client_for(branch_officer)
    # when / then
    page = c.get(reverse("exams:list")).content.decode()
    assert "北京分行测试" in page and contest["exam"].title not in page
    for name in ("exams:exam_detail", "exams:exam_results", "exams:exam_analysis", "exams:exam_ranking"):
        assert c.get(reverse(name, args=[contest["exam"].pk])).status_code == 404
    assert c.get(reverse("exams:exam_detail", args=[mine.pk])).status_code == 200


# --- new / edit -----------------------------------------------------------------------------------------


def test_new_exam_form_defaults(client_for, hq_officer, bank, at_noon):
    page = client_for(hq_officer).get(reverse("exams:exam_create")).content.decode()
    assert 'value="2026-03-02T13:00"' in page  # opens at the next full hour
    assert 'value="2026-03-09T13:00"' in page
    assert '<option value="HO-CPD" selected>' in page
    assert page.count('name="add"') == len(bank)  # the bank, newest first


def test_picker_adds_moves_and_removes_questions_without_saving(client_for, hq_officer, bank, at_noon):
    c = client_for(hq_officer)
    url = reverse("exams:exam_create")
    # when three questions are added at 2 points each
    response = c.post(url, _form(action="add", add=[bank[3].pk, bank[4].pk, bank[5].pk], add_points="2"))
    # then they are on the paper in that order, with the typed values kept, and nothing is saved
    page = response.content.decode()
    assert response.status_code == 200 and Exam.objects.count() == 0
    assert [int(x) for x in _picked(page)] == [bank[3].pk, bank[4].pk, bank[5].pk]
    assert f'name="points_{bank[4].pk}" value="2"' in page
    assert 'value="投诉处理知识测试"' in page
    assert "errorlist" not in page  # no errors while picking
    # and the bank no longer lists them
    assert f'name="add" value="{bank[4].pk}"' not in page
    # when the second moves up, then the first is removed
    paper = {"question": [bank[3].pk, bank[4].pk, bank[5].pk], f"points_{bank[4].pk}": "3"}
    page = c.post(url, _form(action=f"up:{bank[4].pk}", **paper)).content.decode()
    assert [int(x) for x in _picked(page)] == [bank[4].pk, bank[3].pk, bank[5].pk]
    assert f'name="points_{bank[4].pk}" value="3"' in page
    page = c.post(url, _form(action=f"remove:{bank[3].pk}", **paper)).content.decode()
    assert [int(x) for x in _picked(page)] == [bank[4].pk, bank[5].pk]
    assert Exam.objects.count() == 0


def _picked(page: str) -> list[str]:
    import re

    return re.findall(r'<input type="hidden" name="question" value="(\d+)">', page)


def test_bank_search_by_text_tag_kind_and_difficulty(client_for, hq_officer, bank, at_noon):
    from xiaobao.exams.models import Tag

    c = client_for(hq_officer)
    url = reverse("exams:exam_create")
    tag = Tag.objects.get(name="投诉处理")

    def found(**search):
        import re

        page = c.post(url, _form(action="search", **search)).content.decode()
        return {int(x) for x in re.findall(r'name="add" value="(\d+)"', page)}

    assert found(bank_tag=tag.pk) == {q.pk for q in bank if tag in q.tags.all()}
    assert found(bank_kind="true_false") == {q.pk for q in bank if q.kind == "true_false"}
    assert found(bank_difficulty="1") == {q.pk for q in bank if q.difficulty == 1}
    assert found(bank_q="保本") == {bank[5].pk}
    # a question of another branch's bank is not offered
    other = make_bank_question_elsewhere(bank[0])
    assert other.pk not in found()


def make_bank_question_elsewhere(template):
    from xiaobao.core.models import OrgUnit
    from xiaobao.exams.models import Question

    return Question.objects.create(
        org_unit=OrgUnit.objects.get(code="B2"),
        kind=template.kind,
        stem="上海分行自编题",
        options=template.options,
        answer=template.answer,
        created_by=template.created_by,
    )


def test_new_fixed_exam_saved_as_draft_with_points_and_candidates(
    client_for, org, hq_officer, bank, learners, at_noon
):
    # given the form with three questions (2, 2 and 4.5 points), branch 1's front-line staff and two named
    # people (a username and an employee number)
    c = client_for(hq_officer)
    picked = [bank[2], bank[4], bank[8]]
    data = _form(
        question=[q.pk for q in picked],
        **{f"points_{picked[0].pk}": "2", f"points_{picked[1].pk}": "2", f"points_{picked[2].pk}": "4.5"},
        candidate_units=["B1"],
        candidate_layers=["front_line"],
        candidate_list="learner20，100021",
    )
    # when saved
    response = c.post(reverse("exams:exam_create"), data)
    # then a draft exists with that paper and those candidates, and the page goes to it
    exam = Exam.objects.get(title="投诉处理知识测试")
    assert response.status_code == 302 and response["Location"] == reverse(
        "exams:exam_detail", args=[exam.pk]
    )
    assert exam.status == "draft" and exam.org_unit.code == "HO-CPD" and exam.time_limit_minutes == 20
    assert exam.opens_at == dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert list(ExamQuestion.objects.filter(exam=exam).values_list("question_id", "points")) == [
        (picked[0].pk, Decimal("2")),
        (picked[1].pk, Decimal("2")),
        (picked[2].pk, Decimal("4.5")),
    ]
    front_line_b1 = {u.username for u in learners[:14] if u.staff_member.layer.code == "front_line"}
    assert set(exam.candidates.values_list("user__username", flat=True)) == front_line_b1 | {
        "learner20",
        "learner21",
    }
    # and its page shows the paper's total and the candidates
    page = c.get(response["Location"]).content.decode()
    assert "8.5" in page and "北京分行" in page and "一线员工" in page


def test_rules_paper_counts_the_bank_and_refuses_more_than_it_holds(
    client_for, hq_officer, bank, learners, at_noon
):
    from xiaobao.exams.models import Tag

    c = client_for(hq_officer)
    tag = Tag.objects.get(name="投诉处理")
    holds = sum(1 for q in bank if tag in q.tags.all())
    rules = {
        "selection": "rules",
        "rule_tag": [tag.pk, ""],
        "rule_kind": ["", "true_false"],
        "rule_difficulty": ["", ""],
        "rule_count": [str(holds + 1), "2"],
        "rule_points": ["2", "1"],
        "candidate_units": ["B2"],
    }
    # when a rule asks for more questions than the bank holds
    response = c.post(reverse("exams:exam_create"), _form(**rules))
    # then the row says so, with what the bank holds, and nothing is saved
    page = response.content.decode()
    assert response.status_code == 400 and Exam.objects.count() == 0
    assert f"题库中只有 {holds} 道题符合条件" in page
    # when the count fits
    rules["rule_count"] = [str(holds), "2"]
    response = c.post(reverse("exams:exam_create"), _form(**rules))
    # then the rules are saved
    exam = Exam.objects.get()
    assert response.status_code == 302 and exam.selection == "rules"
    assert list(ExamRule.objects.filter(exam=exam).values_list("tag_id", "kind", "count", "points")) == [
        (tag.pk, "", holds, Decimal("2")),
        (None, "true_false", 2, Decimal("1")),
    ]
    assert exam.candidates.count() == 16


def test_picker_adds_and_removes_rule_rows(client_for, hq_officer, bank, at_noon):
    c = client_for(hq_officer)
    url = reverse("exams:exam_create")
    rows = {"selection": "rules", "rule_kind": ["single"], "rule_count": ["2"], "rule_points": ["1"]}
    page = c.post(url, _form(action="add_rule", **rows)).content.decode()
    assert page.count('data-testid="rule-row"') == 2
    singles = sum(1 for q in bank if q.kind == "single")
    assert f'data-testid="available">{singles}<' in page  # what the bank holds for the first rule
    page = c.post(url, _form(action="remove_rule:0", **rows)).content.decode()
    assert page.count('data-testid="rule-row"') == 1  # a blank row in place of the one removed
    assert 'name="rule_count" value=""' in page


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"title": "\u200b\u200b"}, "请填写考试名称"),
        ({"title": ""}, "此项必填"),
        ({"closes_at": "2026-03-01T09:00"}, "考试结束时间须晚于开始时间"),
        ({"time_limit_minutes": "0"}, "大于或等于"),
        ({"question": []}, "请从题库中至少选择一道题"),
        ({"points": "bad"}, "分值须大于 0"),
        ({"candidate_list": "nobody_here"}, "nobody_here"),
        ({"org_unit": "NOPE"}, "有效的选项"),
    ],
)
def test_a_wrong_form_says_what_is_wrong_and_writes_nothing(
    client_for, hq_officer, bank, learners, at_noon, change, field_message
):
    c = client_for(hq_officer)
    data = _form(question=[bank[0].pk], candidate_list="learner00")
    if "points" in change:
        data[f"points_{bank[0].pk}"] = change.pop("points")
    data.update(change)
    response = c.post(reverse("exams:exam_create"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert Exam.objects.count() == 0 and ExamCandidate.objects.count() == 0
    assert 'data-testid="form-errors"' in page
    assert field_message in page


def test_edit_a_draft_prefilled_and_saved(client_for, hq_officer, bank, learners, at_noon):
    # given a draft for branch 2's sub-branch plus one named person from branch 1
    c = client_for(hq_officer)
    c.post(
        reverse("exams:exam_create"),
        _form(
            question=[bank[0].pk, bank[1].pk],
            **{f"points_{bank[1].pk}": "3"},
            candidate_units=["B2-S1"],
            candidate_list="learner02",
        ),
    )
    exam = Exam.objects.get()
    # when the edit page opens
    page = c.get(reverse("exams:exam_edit", args=[exam.pk])).content.decode()
    # then it has the paper with the points, the units and the named candidate alone
    assert [int(x) for x in _picked(page)] == [bank[0].pk, bank[1].pk]
    assert f'name="points_{bank[1].pk}" value="3"' in page
    import re

    assert re.search(r'name="candidate_units" value="B2-S1"[^>]*checked', page)
    assert not re.search(r'name="candidate_units" value="B2"[^>]*checked', page)
    textarea = page.split('name="candidate_list"')[1].split("</textarea>")[0]
    assert textarea.strip().endswith("learner02")
    # when saved with another title and one question less
    response = c.post(
        reverse("exams:exam_edit", args=[exam.pk]),
        _form(
            title="改过的标题",
            question=[bank[1].pk],
            **{f"points_{bank[1].pk}": "5"},
            candidate_units=["B2-S1"],
            candidate_list="learner02",
        ),
    )
    exam.refresh_from_db()
    assert response.status_code == 302 and exam.title == "改过的标题"
    assert list(exam.questions.values_list("question_id", "points")) == [(bank[1].pk, Decimal("5"))]
    assert exam.candidates.count() == 9  # 8 in the sub-branch and the named one


def test_a_published_exam_cannot_be_edited(client_for, hq_officer, contest):
    exam = contest["exam"]
    c = client_for(hq_officer)
    response = c.get(reverse("exams:exam_edit", args=[exam.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "exams:exam_detail", args=[exam.pk]
    )
    response = c.post(
        reverse("exams:exam_edit", args=[exam.pk]),
        _form(title="不许改", question=[contest["questions"][0].pk]),
    )
    exam.refresh_from_db()
    assert response.status_code == 302 and exam.title != "不许改"
    assert "只有草稿可以修改" in c.get(response["Location"]).content.decode()


def test_auditor_reads_but_cannot_set_or_change(client_for, auditor, contest, bank):
    c = client_for(auditor)
    exam = contest["exam"]
    assert c.get(reverse("exams:exam_results", args=[exam.pk])).status_code == 200
    page = c.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert 'data-testid="close"' not in page and 'data-testid="new-exam"' not in page
    assert c.get(reverse("exams:exam_create")).status_code == 403
    assert c.post(reverse("exams:exam_close", args=[exam.pk])).status_code == 403
    assert Exam.objects.get(pk=exam.pk).status == "published"


# --- publish, close, progress ---------------------------------------------------------------------------


def test_publish_a_draft_then_close_it(client_for, hq_officer, contest):
    c = client_for(hq_officer)
    with time_machine.travel(LATER, tick=False):
        c.post(
            reverse("exams:exam_create"),
            _form(question=[contest["questions"][0].pk], candidate_list="learner00"),
        )
        draft = Exam.objects.get(status="draft")
        page = c.get(reverse("exams:exam_detail", args=[draft.pk])).content.decode()
        assert 'data-testid="publish"' in page and 'data-testid="edit"' in page
        response = c.post(reverse("exams:exam_publish", args=[draft.pk]))
        assert response.status_code == 302
        assert Exam.objects.get(pk=draft.pk).status == "published"
        assert "考试已发布" in c.get(response["Location"]).content.decode()
        # publishing twice: the engine's refusal is shown, nothing changes
        response = c.post(reverse("exams:exam_publish", args=[draft.pk]), follow=True)
        assert "msg-error" in response.content.decode()
    # closing the contest submits the two attempts still open, graded with what they saved
    running = list(Attempt.objects.filter(exam=contest["exam"], status="in_progress"))
    assert len(running) == 2
    with time_machine.travel("2026-03-02 10:40 +0800", tick=False):
        response = c.post(reverse("exams:exam_close", args=[contest["exam"].pk]))
    assert response.status_code == 302
    assert Exam.objects.get(pk=contest["exam"].pk).status == "closed"
    for a in running:
        a.refresh_from_db()
        assert a.status == "submitted" and a.points is not None


def test_publishing_a_draft_without_candidates_says_why(client_for, hq_officer, bank, at_noon):
    from xiaobao.exams.services import exam_create

    draft = exam_create(
        actor=hq_officer,
        data={
            "title": "无人考试",
            "question_ids": [bank[0].pk],
            "opens_at": "2026-03-02T13:00:00+08:00",
            "closes_at": "2026-03-03T09:00:00+08:00",
            "time_limit_minutes": 10,
        },
    )
    response = client_for(hq_officer).post(reverse("exams:exam_publish", args=[draft.pk]), follow=True)
    assert 'class="msg-error"' in response.content.decode()
    assert Exam.objects.get(pk=draft.pk).status == "draft"


def test_progress_block_refreshes_itself_while_the_exam_is_open(client_for, hq_officer, contest):
    url = reverse("exams:exam_progress", args=[contest["exam"].pk])
    # while open: two taking it at 10:30, the block polls
    with time_machine.travel("2026-03-02 10:30 +0800", tick=False):
        block = client_for(hq_officer).get(url).content.decode()
    assert 'hx-trigger="every 15s"' in block
    assert 'data-testid="n-candidates">32<' in block
    # after the window: no polling
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        block = client_for(hq_officer).get(url).content.decode()
    assert "hx-trigger" not in block
    assert 'data-testid="n-submitted">28<' in block and 'data-testid="n-not-started">2<' in block


def test_progress_counts_attempts_running_now(client_for, hq_officer, contest):
    # at 10:30 learners 28 and 29 (started 10:28 and 10:29) are taking it; the others have submitted
    with time_machine.travel("2026-03-02 10:30 +0800", tick=False):
        block = (
            client_for(hq_officer)
            .get(reverse("exams:exam_progress", args=[contest["exam"].pk]))
            .content.decode()
        )
    assert 'data-testid="n-running">2<' in block


# --- results, export, analysis, ranking ---------------------------------------------------------------


def test_results_per_candidate_unit_layer_and_branch(client_for, hq_officer, contest):
    c = client_for(hq_officer)
    url = reverse("exams:exam_results", args=[contest["exam"].pk])
    with time_machine.travel(LATER, tick=False):
        page = c.get(url).content.decode()
        assert page.count('data-testid="candidate-row"') == 32
        assert page.count("未开考") >= 2
        only = c.get(url + "?status=not_started").content.decode()
        assert only.count('data-testid="candidate-row"') == 2 and "learner30" in only
        best = c.get(url + "?sort=score").content.decode()
        top = Attempt.objects.filter(exam=contest["exam"], status="submitted").order_by("-score").first()
        assert best.index(top.user.username) < best.index("learner30")
        named = c.get(url + "?q=learner05").content.decode()
        assert named.count('data-testid="candidate-row"') == 1
        units = c.get(url + "?by=units").content.decode()
        assert units.count('data-testid="group-row"') == 6
        assert units.index("北京分行") < units.index("海淀支行") < units.index("上海分行")  # tree order
        layers = c.get(url + "?by=layers").content.decode()
        assert layers.count('data-testid="group-row"') == 4
        teams = c.get(url + "?by=teams").content.decode()
        assert teams.count('data-testid="group-row"') == 3


def test_results_export_workbook(client_for, hq_officer, contest):
    from openpyxl import load_workbook

    from xiaobao.core.models import AuditEvent

    with time_machine.travel(LATER, tick=False):
        response = client_for(hq_officer).get(reverse("exams:exam_results_export", args=[contest["exam"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "考生", "机构", "岗位层级", "分行"]
    rows = list(book["考生"].iter_rows(values_only=True))
    assert len(rows) == 33  # header + 32 candidates
    by_name = {r[1]: r for r in rows[1:]}
    best = Attempt.objects.get(exam=contest["exam"], user__username="learner05")
    assert by_name["learner05"][7] == pytest.approx(float(best.score))
    assert by_name["learner30"][5] == "未开考"
    summary = dict(book["汇总"].iter_rows(values_only=True))
    assert summary["考生"] == 32 and summary["已交卷"] == 28
    assert AuditEvent.objects.filter(
        action="export", object_type="exams.exam", object_id=str(contest["exam"].pk)
    ).exists()


def test_item_analysis_flags_and_links_to_the_question(client_for, hq_officer, contest):
    c = client_for(hq_officer)
    url = reverse("exams:exam_analysis", args=[contest["exam"].pk])
    with time_machine.travel(LATER, tick=False):
        page = c.get(url).content.decode()
        flagged = c.get(url + "?flagged=1").content.decode()
    items = page.split('data-testid="item"')[1:]
    assert len(items) == 12
    assert 'data-testid="flag-too_easy"' in items[EASY_ITEM]
    assert 'data-testid="flag-negative_discrimination"' in items[NEGATIVE_ITEM]
    easy = contest["questions"][EASY_ITEM]
    assert reverse("exams:question_edit", args=[easy.pk]) in items[EASY_ITEM]
    # the difficulty index is the share of points earned over the submitted attempts
    earned = AttemptItem.objects.filter(
        attempt__exam=contest["exam"], attempt__status="submitted", question=easy
    )
    p = sum(float(i.earned / i.points) for i in earned) / earned.count()
    assert f'data-testid="p">{p:.2f}<' in items[EASY_ITEM]
    # only flagged items: fewer, and each with a flag other than "few answers"
    shown = flagged.split('data-testid="item"')[1:]
    assert 0 < len(shown) < 12 and all("flag-too" in s or "discrimination" in s for s in shown)


def test_item_analysis_without_the_bank_permission_has_no_edit_link(client_for, auditor, contest):
    with time_machine.travel(LATER, tick=False):
        page = (
            client_for(auditor)
            .get(reverse("exams:exam_analysis", args=[contest["exam"].pk]))
            .content.decode()
        )
    assert 'data-testid="edit-question"' not in page


def test_contest_ranking_of_people_and_branches(client_for, hq_officer, contest):
    with time_machine.travel(LATER, tick=False):
        page = (
            client_for(hq_officer)
            .get(reverse("exams:exam_ranking", args=[contest["exam"].pk]))
            .content.decode()
        )
    people = page.split('data-testid="person-row"')[1:]
    assert len(people) == 28
    scores = [float(p.split('<td class="num">')[2].split("<")[0]) for p in people]
    assert scores == sorted(scores, reverse=True)
    teams = page.split('data-testid="team-row"')[1:]
    assert len(teams) == 3
    assert "总行" in teams[-1] and 'data-testid="below-minimum"' in teams[-1]  # 2 members < 3


def test_results_pages_of_an_exam_nobody_took(client_for, hq_officer, bank, learners, at_noon):
    c = client_for(hq_officer)
    c.post(reverse("exams:exam_create"), _form(question=[bank[0].pk], candidate_list="learner00"))
    exam = Exam.objects.get()
    for name in (
        "exams:exam_detail",
        "exams:exam_results",
        "exams:exam_analysis",
        "exams:exam_ranking",
        "exams:exam_results_export",
    ):
        assert c.get(reverse(name, args=[exam.pk])).status_code == 200, name
    assert "还没有人交卷" in c.get(reverse("exams:exam_analysis", args=[exam.pk])).content.decode()


def test_a_learner_has_no_organiser_page(client_for, org, contest):
    learner = contest["learners"][0]
    c = client_for(learner)
    assert c.get(reverse("exams:list")).status_code == 403
    assert c.get(reverse("exams:exam_results", args=[contest["exam"].pk])).status_code == 403


def test_other_branch_organiser_cannot_reach_an_exam_by_its_number(client_for, org, contest):
    other = make_user("b2_organiser", org.b2, ["branch_cp_officer"])
    c = client_for(other)
    exam = contest["exam"]
    assert c.post(reverse("exams:exam_close", args=[exam.pk])).status_code == 404
    assert c.get(reverse("exams:exam_results_export", args=[exam.pk])).status_code == 404
    assert Exam.objects.get(pk=exam.pk).status == "published"


@pytest.mark.parametrize(
    "hostile",
    [
        {"title": "考试\x00名称"},
        {"question": ["1e9", "-3", "abc", "\x00"]},
        {"points": "99999999999999999999"},
        {"points": "NaN"},
        {"points": "1.005"},
        {"selection": "rules", "rule_count": ["9" * 30], "rule_tag": ["x"], "rule_points": ["-1"]},
        {"selection": "rules", "rule_kind": ["nope"], "rule_difficulty": ["0"], "rule_count": ["1"]},
        {"candidate_units": ["NOPE"], "candidate_layers": ["nope"]},
        {"candidate_list": "a" * 151},
        {"opens_at": "2026-02-30T25:00", "closes_at": "junk"},
        {"time_limit_minutes": "10" * 20, "pass_mark": "-5", "attempts_allowed": "x"},
        {"kind": "<script>alert(1)</script>", "multiple_choice_scoring": "none"},
    ],
)
def test_hostile_input_to_the_save_is_refused_field_by_field(
    client_for, hq_officer, bank, learners, at_noon, hostile
):
    # given the form with one good question, spoilt by one kind of hostile input
    data = _form(question=[bank[0].pk], candidate_list="learner00")
    if "points" in hostile:
        data[f"points_{bank[0].pk}"] = hostile.pop("points")
    if hostile.get("question"):
        data["question"] = hostile.pop("question")
    data.update(hostile)
    # when saved / then refused with the reason on the page, nothing written, nothing unescaped
    response = client_for(hq_officer).post(reverse("exams:exam_create"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert Exam.objects.count() == 0 and ExamQuestion.objects.count() == 0
    assert 'data-testid="form-errors"' in page and "<script>alert(1)</script>" not in page
