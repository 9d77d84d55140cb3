"""The organisers' pages in the browser: a head-office officer sets an exam (questions picked from the bank
with their points, candidates by unit, layer and a list of names), publishes it; a contest taken by 30
learners shows its progress, results per candidate / unit / layer / branch, item analysis and ranking — at
the desk (1366 px) and on a 360 px phone (nothing wider than the screen). Time pinned (ticking) on the
contest's opening day. Screenshots: var/screenshots/organiser_*--NN-*.png.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from xiaobao.exams.tests.test_organiser_fixtures import make_contest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _layers(_presets):
    """The transactional tests before flushed the training app's preset position layers."""
    from xiaobao.training.models import PositionLayer

    for order, (code, name) in enumerate(
        [
            ("senior_management", "高级管理人员"),
            ("middle_management", "中层管理人员"),
            ("front_line", "一线员工"),
            ("new_hire", "新入职员工"),
        ]
    ):
        PositionLayer.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


@pytest.fixture
def at_noon():
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=SH), tick=True):
        yield


def _page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_organiser_sets_and_publishes_an_exam(at_noon, page, login, shot, org, hq_officer):
    data = make_contest(org, hq_officer)
    login(page, hq_officer.username)

    # the list: the contest with its figures
    page.goto("/exams/")
    row = page.get_by_test_id("exam-row").filter(has_text="知识竞赛")
    expect(row).to_contain_text("32")
    shot(page, "01-list")

    # a new exam: search the bank by tag, tick three questions, add them at 2 points each
    page.get_by_test_id("new-exam").click()
    page.locator("#id_title").fill("2026年一季度投诉处理知识测试")
    page.locator("#id_time_limit_minutes").fill("20")
    page.locator("#id_bank_tag").select_option(label="投诉处理")
    page.get_by_test_id("bank-search").click()
    results = page.get_by_test_id("bank-results").locator("tbody tr")
    expect(results).to_have_count(4)
    for i in range(3):
        results.nth(i).locator("input[type=checkbox]").check()
    page.locator("#add-points").fill("2")
    page.get_by_test_id("bank-add").click()
    expect(page.get_by_test_id("picked-row")).to_have_count(3)
    assert page.locator("#id_title").input_value() == "2026年一季度投诉处理知识测试"  # kept by the re-render
    # one more from a free-text search, worth 4
    page.locator("#id_bank_tag").select_option("")
    page.locator("#id_bank_q").fill("保本")
    page.get_by_test_id("bank-search").click()
    found = page.get_by_test_id("bank-results").locator("tbody tr")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("保本")  # the new search's answer, not the list before it
    found.locator("input[type=checkbox]").check()
    page.get_by_test_id("bank-add").click()
    expect(page.get_by_test_id("picked-row")).to_have_count(4)
    page.get_by_test_id("picked-row").nth(3).locator("input.ex-points").fill("4")
    # candidates: branch 1's front-line staff, plus two people by username and employee number
    page.get_by_label("北京分行").check()
    page.get_by_label("一线员工").check()
    page.locator("#id_candidate_list").fill("learner20\n100021")
    shot(page, "02-new-exam")
    page.get_by_test_id("save").click()
    shot(page, "02b-after-save")

    # the draft: its paper and candidates, then published
    expect(page.get_by_test_id("status")).to_contain_text("草稿")
    expect(page.get_by_test_id("paper")).to_contain_text("10")  # 3 × 2 + 4 points
    shot(page, "03-draft")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("status")).to_contain_text("已发布")
    from xiaobao.exams.models import Exam

    exam = Exam.objects.get(title="2026年一季度投诉处理知识测试")
    names = set(exam.candidates.values_list("user__username", flat=True))
    front_line_b1 = {u.username for u in data["learners"][:14] if u.staff_member.layer.code == "front_line"}
    assert names == front_line_b1 | {"learner20", "learner21"}
    assert list(exam.questions.values_list("points", flat=True)) == [2, 2, 2, 4]


def test_organiser_rules_paper(at_noon, page, login, shot, org, hq_officer):
    from xiaobao.exams.tests.test_organiser_fixtures import make_bank

    make_bank(org.ho, hq_officer)
    login(page, hq_officer.username)
    page.goto("/exams/new/")
    page.locator("#id_title").fill("随机抽题练习")
    page.locator("#id_kind").select_option("practice")
    page.get_by_label("按规则抽题").check()
    expect(page.get_by_test_id("rules")).to_be_visible()
    expect(page.get_by_test_id("fixed")).to_be_hidden()
    row = page.get_by_test_id("rule-row").first
    row.locator("select[name=rule_tag]").select_option(label="投诉处理")
    row.locator("input[name=rule_count]").fill("9")
    page.get_by_test_id("add-rule").click()
    expect(page.get_by_test_id("rule-row")).to_have_count(2)
    first = page.get_by_test_id("rule-row").first
    expect(first.get_by_test_id("available")).to_have_text("4")
    second = page.get_by_test_id("rule-row").nth(1)
    second.locator("select[name=rule_kind]").select_option("true_false")
    second.locator("input[name=rule_count]").fill("2")
    page.get_by_label("消费者权益保护部").check()
    page.get_by_test_id("save").click()
    # the first rule asks for more questions than the bank holds: said on its row, nothing saved
    expect(page.get_by_test_id("rule-row").first).to_contain_text("4")
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    shot(page, "01-rule-too-many")
    page.get_by_test_id("paper").screenshot(
        path=str(shot(page, "01b-rules").with_name("organiser_rules_paper--01b-rules.png"))
    )
    page.get_by_test_id("rule-row").first.locator("input[name=rule_count]").fill("3")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("status")).to_contain_text("草稿")
    expect(page.get_by_test_id("paper")).to_contain_text("5")  # 3 + 2 questions for each candidate
    shot(page, "02-rules-draft")


def test_organiser_results_desk_and_phone(at_noon, new_context, login, shot, org, hq_officer):
    exam = make_contest(org, hq_officer)["exam"]
    desk = new_context().new_page()
    login(desk, hq_officer.username)
    desk.goto(f"/exams/{exam.pk}/")
    expect(desk.get_by_test_id("n-candidates")).to_have_text("32")
    expect(desk.get_by_test_id("n-submitted")).to_have_text("28")
    shot(desk, "01-detail")
    desk.get_by_test_id("results-link").first.click()
    expect(desk.get_by_test_id("candidate-row")).to_have_count(32)
    shot(desk, "02-results-candidates")
    desk.get_by_test_id("tab-units").click()
    expect(desk.get_by_test_id("group-row").first).to_be_visible()
    shot(desk, "03-results-units")
    desk.get_by_test_id("analysis-link").first.click()
    expect(desk.get_by_test_id("flag-too_easy")).to_have_count(1)
    expect(desk.get_by_test_id("flag-negative_discrimination")).to_have_count(1)
    shot(desk, "04-analysis")
    desk.get_by_test_id("ranking-link").first.click()
    expect(desk.get_by_test_id("person-row")).to_have_count(28)
    expect(desk.get_by_test_id("below-minimum")).to_have_count(1)  # head office: 2 people
    shot(desk, "05-ranking")

    ctx = new_context()
    ctx.set_default_timeout(10_000)
    phone = ctx.new_page()
    phone.set_viewport_size(PHONE)
    login(phone, hq_officer.username)
    pages = [
        ("list", "/exams/"),
        ("detail", f"/exams/{exam.pk}/"),
        ("results", f"/exams/{exam.pk}/results/"),
        ("results-layers", f"/exams/{exam.pk}/results/?by=layers"),
        ("analysis", f"/exams/{exam.pk}/analysis/"),
        ("ranking", f"/exams/{exam.pk}/ranking/"),
        ("new", "/exams/new/"),
    ]
    for n, (name, path) in enumerate(pages, start=6):
        phone.goto(path)
        assert _page_width(phone) <= PHONE["width"], (path, _page_width(phone))
        shot(phone, f"{n:02d}-phone-{name}")
