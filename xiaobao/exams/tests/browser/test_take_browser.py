"""Taking an exam in a real Chromium, on a 360 px phone and on a desk: each answer saved as it is given, the
saved/unsaved state per question, answers given while the connection is down kept on the phone and sent when
it is back, reopening returns to the same attempt, the countdown re-synced from the server on each save and
the attempt submitted at zero, practice feedback, the wrong-answer book. Screenshots:
var/screenshots/<test>--*.png."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from xiaobao.exams.tests.test_candidate_fixtures import QUESTIONS, RIGHT, bank, learner, paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _phone(browser, live_server):
    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    ctx.set_default_timeout(10_000)
    return ctx


def _fits(page) -> None:
    """Nothing wider than the phone, and every control a thumb taps is at least 44 px high and wide enough."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small = page.evaluate(
        """() => [...document.querySelectorAll('main .option > span, main .q-nav a, main .btn, '
              + 'main button, main .blank-input, main .result-row, main summary')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 20), el.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([t, r]) => t + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
    )
    assert small == [], small


def _screen(page, request, name: str) -> None:
    """What the phone shows (the viewport): a full-page shot draws the sticky header where it was scrolled
    to."""
    from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

    test = request.node.name.removeprefix("test_")
    page.screenshot(path=str(SCREENSHOT_DIR / f"{test}--{name}.png"))


def _card(page, item):
    return page.locator(f'[data-q="{item.question_id}"]')


def _tap_right(page, item) -> None:
    """Give the right answer to an attempt item as the candidate sees it (options possibly shuffled)."""
    i = [q["stem"] for q in QUESTIONS].index(item.version.stem)
    card = _card(page, item)
    if isinstance(RIGHT[i], str):
        card.locator("[data-blank]").fill(RIGHT[i])
        card.locator("[data-blank]").blur()
        return
    for original in RIGHT[i]:
        card.locator(f'input[data-option][value="{item.option_order.index(original)}"]').locator("..").tap()


def test_take_an_exam_on_a_phone_through_a_dropped_connection(
    org, hq_officer, browser, live_server, login, shot, request
):
    from xiaobao.exams.models import Attempt, AttemptItem

    # given a learner of a Haidian sub-branch and a published exam of six questions, shuffled
    candidate = learner(org)
    exam = paper(hq_officer, bank(hq_officer), [candidate], now=NOW, shuffle=True)
    ctx = _phone(browser, live_server)
    page = ctx.new_page()
    try:
        login(page, candidate.username)
        # the learner's only module: my learning, with the exam open now
        page.goto("/exams/my/")
        expect(page.get_by_test_id(f"exam-{exam.pk}")).to_be_visible()
        _fits(page)
        shot(page, "00-my-learning")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("question-count")).to_have_text("6")
        _fits(page)
        shot(page, "01-start-page")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("clock")).to_be_visible()
        attempt = Attempt.objects.get(exam=exam, user=candidate)
        assert page.url.endswith(f"/exams/my/attempts/{attempt.pk}/")
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        _fits(page)
        shot(page, "02-taking")

        # when the first two questions are answered, each is saved at once
        for item in items[:2]:
            _tap_right(page, item)
            expect(_card(page, item).locator("[data-state]")).to_have_text("已保存")
        expect(page.get_by_test_id("answered")).to_have_text("2")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 2
        shot(page, "03-two-saved")

        # and the connection drops while three more are given
        ctx.set_offline(True)
        for item in items[2:5]:
            _tap_right(page, item)
            expect(_card(page, item).locator("[data-state]")).to_have_text("未保存：等待发送")
        expect(page.get_by_test_id("conn")).to_contain_text("(3)")
        expect(page.get_by_test_id("answered")).to_have_text("5")
        expect(page.locator(f'.q-nav a[data-nav="{items[2].question_id}"]')).to_have_class("is-pending")
        kept = json.loads(page.evaluate(f"localStorage.getItem('xb-attempt-{attempt.pk}')"))
        assert sorted(kept) == sorted(str(item.question_id) for item in items[2:5])
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 2
        page.locator(f'[data-q="{items[3].question_id}"]').scroll_into_view_if_needed()
        shot(page, "04-offline-kept-on-the-phone")
        _screen(page, request, "04b-offline-screen")

        # then back online and the page opened again: the same attempt, nothing lost
        ctx.set_offline(False)
        page.reload()
        for item in items[:5]:
            expect(_card(page, item).locator("[data-state]")).to_have_text("已保存")
        expect(page.get_by_test_id("conn")).to_have_text("")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 5
        assert page.evaluate(f"localStorage.getItem('xb-attempt-{attempt.pk}')") == "{}"
        assert page.get_by_test_id("clock").text_content() < "30:00"
        shot(page, "05-back-online-reopened")
        _screen(page, request, "05b-reopened-screen")

        # when the last question is answered and the attempt submitted
        _tap_right(page, items[5])
        expect(_card(page, items[5]).locator("[data-state]")).to_have_text("已保存")
        page.get_by_test_id("submit").tap()
        expect(page.get_by_test_id("score")).to_have_text("100")
        expect(page.get_by_test_id("passed")).to_have_text("通过")
        _fits(page)
        shot(page, "06-result")
        # then every answer is graded in the database, all right
        attempt.refresh_from_db()
        assert attempt.status == "submitted" and not attempt.auto_submitted
        graded = AttemptItem.objects.filter(attempt=attempt)
        assert graded.count() == 6 and all(i.correct and i.earned == i.points for i in graded)
        assert float(attempt.score) == 100.0 and attempt.passed
        # and the phone forgets the attempt's kept answers
        assert page.evaluate(f"localStorage.getItem('xb-attempt-{attempt.pk}')") is None
        page.goto("/exams/my/")
        expect(page.get_by_test_id(f"result-{attempt.pk}")).to_be_visible()
        _fits(page)
        shot(page, "07-my-results")
    finally:
        ctx.close()


def test_the_countdown_follows_the_server_and_submits_at_zero(
    org, hq_officer, browser, live_server, login, shot, pinned, request
):
    from xiaobao.exams.models import Attempt, AttemptItem

    candidate = learner(org)
    exam = paper(hq_officer, bank(hq_officer), [candidate], now=NOW, minutes=20)
    ctx = _phone(browser, live_server)
    page = ctx.new_page()
    try:
        login(page, candidate.username)
        page.goto(f"/exams/my/{exam.pk}/")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("clock")).to_contain_text("19:5")
        attempt = Attempt.objects.get(exam=exam, user=candidate)
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        _tap_right(page, items[0])
        expect(_card(page, items[0]).locator("[data-state]")).to_have_text("已保存")
        # when the server's clock is 19 min 56 s further than the page believes (a phone slept, a bad clock)
        pinned.shift(dt.timedelta(minutes=19, seconds=56))
        _tap_right(page, items[1])
        # then the save brings the server's remaining time: the countdown jumps to it and turns red
        expect(page.get_by_test_id("clock")).to_have_class("clock bad", timeout=3000)
        _screen(page, request, "01-last-seconds")
        # and at zero the attempt is submitted with what was saved, and the result shown
        expect(page.get_by_test_id("score")).to_be_visible(timeout=15_000)
        shot(page, "02-submitted-at-zero")
        attempt.refresh_from_db()
        assert attempt.status == "submitted"
        assert attempt.ends_at == attempt.started_at + dt.timedelta(minutes=20)
        answered = AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count()
        assert answered == 2 and float(attempt.points) == 2.0
    finally:
        ctx.close()


def test_practice_on_a_phone_then_the_wrong_answer_book(
    org, hq_officer, browser, live_server, login, shot, request
):
    from xiaobao.exams.models import Attempt, AttemptItem, WrongAnswer

    candidate = learner(org)
    questions = bank(hq_officer)
    exam = paper(hq_officer, questions[:4], [candidate], now=NOW, kind="practice", title="消保知识练习")
    ctx = _phone(browser, live_server)
    page = ctx.new_page()
    try:
        login(page, candidate.username)
        page.goto(f"/exams/my/{exam.pk}/")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("clock")).to_be_visible()
        attempt = Attempt.objects.get(exam=exam, user=candidate)
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        # when a single choice is answered wrongly: the verdict, the key and the explanation at once
        wrong = next(i for i in items if i.version.kind == "single")
        right_shown = wrong.option_order.index(1)
        _card(page, wrong).locator(f'input[data-option][value="{(right_shown + 1) % 4}"]').locator("..").tap()
        feedback = _card(page, wrong).locator("[data-feedback]")
        expect(feedback).to_contain_text("回答错误")
        expect(feedback).to_contain_text("正确答案：" + "ABCD"[right_shown])
        expect(feedback).to_contain_text("15日内")
        # a multiple choice waits for "check"
        multiple = next(i for i in items if i.version.kind == "multiple")
        _tap_right(page, multiple)
        expect(_card(page, multiple).locator("[data-feedback]")).to_be_hidden()
        _card(page, multiple).locator("[data-check]").tap()
        expect(_card(page, multiple).locator("[data-feedback]")).to_contain_text("回答正确")
        _fits(page)
        _card(page, wrong).scroll_into_view_if_needed()
        shot(page, "01-practice-feedback")
        _screen(page, request, "01b-feedback-screen")
        # the rest answered, the practice finished (nothing unanswered to confirm)
        for item in items:
            if item not in (wrong, multiple):
                _tap_right(page, item)
                if item.version.kind == "blank":
                    _card(page, item).locator("[data-check]").tap()
                expect(_card(page, item).locator("[data-feedback]")).to_contain_text("回答正确")
        page.get_by_test_id("submit").tap()
        expect(page.get_by_test_id("score")).to_have_text("75")
        expect(page.get_by_test_id("answer-1")).to_be_visible()
        _fits(page)
        shot(page, "02-practice-result")
        assert WrongAnswer.objects.filter(user=candidate, mastered=False).count() == 1
        # then the wrong-answer book holds the question; "practise again" gives a practice of it
        page.goto("/exams/my/")
        page.get_by_test_id("open-book").tap()
        expect(page.get_by_test_id(f"wrong-{wrong.question_id}")).to_be_visible()
        page.get_by_test_id(f"wrong-{wrong.question_id}").locator("summary").tap()
        _fits(page)
        shot(page, "03-wrong-answer-book")
        page.get_by_test_id("practise").tap()
        expect(page.get_by_test_id("clock")).to_be_visible()
        again = Attempt.objects.filter(user=candidate, status="in_progress").get()
        item = again.items.select_related("version").get()
        _tap_right(page, item)
        expect(_card(page, item).locator("[data-feedback]")).to_contain_text("回答正确")
        shot(page, "04-practised-again")
        page.get_by_test_id("submit").tap()
        expect(page.get_by_test_id("score")).to_have_text("100")
        assert WrongAnswer.objects.filter(user=candidate, mastered=False).count() == 0
    finally:
        ctx.close()


def test_take_an_exam_on_a_desk(org, hq_officer, page, login, shot):
    from xiaobao.exams.models import Attempt

    candidate = learner(org)
    exam = paper(hq_officer, bank(hq_officer), [candidate], now=NOW)
    login(page, candidate.username)
    page.goto("/exams/my/")
    shot(page, "01-my-learning")
    page.get_by_test_id("start").click()
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("clock")).to_be_visible()
    attempt = Attempt.objects.get(exam=exam, user=candidate)
    first = attempt.items.order_by("position").first()
    page.locator(f'[data-q="{first.question_id}"] .option').first.click()
    expect(page.locator(f'[data-q="{first.question_id}"] [data-state]')).to_have_text("已保存")
    shot(page, "02-taking")
    # submitting with questions unanswered asks first
    page.get_by_test_id("submit").click()
    expect(page.locator("[data-confirm]")).to_be_visible()
    expect(page.locator("[data-unanswered]")).to_have_text("5")
    shot(page, "03-confirm")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    shot(page, "04-result")
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.items.filter(correct__isnull=False).count() == 6


def test_a_closed_tab_loses_nothing_and_submitting_offline_waits(
    org, hq_officer, browser, live_server, login, shot, request
):
    from xiaobao.exams.models import Attempt, AttemptItem

    candidate = learner(org)
    questions = bank(hq_officer)[:3]
    exam = paper(hq_officer, questions, [candidate], now=NOW)
    ctx = _phone(browser, live_server)
    page = ctx.new_page()
    try:
        login(page, candidate.username)
        page.goto(f"/exams/my/{exam.pk}/")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("clock")).to_be_visible()
        attempt = Attempt.objects.get(exam=exam, user=candidate)
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        _tap_right(page, items[0])
        expect(_card(page, items[0]).locator("[data-state]")).to_have_text("已保存")
        # when the connection drops, an answer is given and the tab is closed
        ctx.set_offline(True)
        _tap_right(page, items[1])
        expect(_card(page, items[1]).locator("[data-state]")).to_have_text("未保存：等待发送")
        page.close()
        # then, back online, the exam opened again from my learning sends the kept answer
        ctx.set_offline(False)
        page = ctx.new_page()
        page.goto("/exams/my/")
        page.get_by_test_id("continue").tap()
        expect(_card(page, items[1]).locator("[data-state]")).to_have_text("已保存")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 2
        # when the last answer is given and the attempt submitted while offline
        _tap_right(page, items[2])
        expect(_card(page, items[2]).locator("[data-state]")).to_have_text("已保存")
        ctx.set_offline(True)
        page.evaluate("window.dispatchEvent(new Event('offline'))")
        page.get_by_test_id("submit").tap()
        # then the page waits for the connection instead of losing the submission
        expect(page.get_by_test_id("conn")).to_contain_text("恢复连接后自动交卷")
        _screen(page, request, "01-submit-waits-offline")
        attempt.refresh_from_db()
        assert attempt.status == "in_progress"
        ctx.set_offline(False)
        # Chromium may already have fired "online" and the page submitted (and navigated) by itself
        with contextlib.suppress(PlaywrightError):
            page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.get_by_test_id("score")).to_have_text("100")
        shot(page, "02-submitted-when-back")
        attempt.refresh_from_db()
        assert attempt.status == "submitted" and attempt.items.filter(correct=True).count() == 3
    finally:
        ctx.close()


def test_reloading_at_once_when_back_online_shows_every_answer_saved(
    org, hq_officer, browser, live_server, login, shot
):
    """The resent answers and the reload go out together: the page may be rendered before one of them is
    stored and the old page may get its late reply after the new one opened. The new page still shows every
    answer saved (it takes the server's state on opening, and a late reply does not forget a kept answer)."""
    from xiaobao.exams.models import Attempt, AttemptItem

    # given a learner taking a six-question exam on a phone, two questions answered online
    candidate = learner(org)
    exam = paper(hq_officer, bank(hq_officer), [candidate], now=NOW)
    ctx = _phone(browser, live_server)
    page = ctx.new_page()
    try:
        login(page, candidate.username)
        page.goto(f"/exams/my/{exam.pk}/")
        page.get_by_test_id("start").tap()
        expect(page.get_by_test_id("clock")).to_be_visible()
        attempt = Attempt.objects.get(exam=exam, user=candidate)
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        for item in items[:2]:
            _tap_right(page, item)
            expect(_card(page, item).locator("[data-state]")).to_have_text("已保存")
        # when, three times, answers are given offline and the page is reloaded as soon as the connection
        # is back, without waiting for anything
        for given in (items[2:3], items[3:5], items[5:6]):
            ctx.set_offline(True)
            for item in given:
                _tap_right(page, item)
                expect(_card(page, item).locator("[data-state]")).to_have_text("未保存：等待发送")
            ctx.set_offline(False)
            page.reload()
            # then every answer given so far shows saved and the count is right
            done = items[: items.index(given[-1]) + 1]
            for item in done:
                expect(_card(page, item).locator("[data-state]")).to_have_text("已保存")
                expect(page.locator(f'.q-nav a[data-nav="{item.question_id}"]')).to_have_class("is-saved")
            expect(page.get_by_test_id("answered")).to_have_text(str(len(done)))
            expect(page.get_by_test_id("conn")).to_have_text("")
            assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == len(done)
            assert json.loads(page.evaluate(f"localStorage.getItem('xb-attempt-{attempt.pk}')")) == {}
        shot(page, "01-all-saved-after-reloads")
        # and the attempt submits with every answer right
        page.get_by_test_id("submit").tap()
        expect(page.get_by_test_id("score")).to_have_text("100")
    finally:
        ctx.close()
