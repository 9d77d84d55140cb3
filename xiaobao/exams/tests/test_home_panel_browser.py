"""A learner's home page on a phone (360 px): the exam open now is in the to-do card and its link opens the
exam's start page. Screenshots: var/screenshots/."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from playwright.sync_api import expect

from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _layers(_presets):
    from django.apps import apps

    importlib.import_module("xiaobao.training.migrations.0002_position_layers").load(apps, None)


def test_learner_sees_the_open_exam_on_a_phone(page, login, shot, org):
    # given the learner, a candidate of E3 (open now), on a 360 px phone
    s = build_training_set(org)
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, s.learner.username)
    # when
    page.goto("/")
    # then the exam is listed in the to-do card, and nothing is wider than the screen
    item = page.get_by_test_id("exam-open")
    expect(item).to_contain_text("E3 四月考试")
    expect(item).to_contain_text("限时 30 分钟")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "01-home")
    # and the link leads to the exam's start page
    item.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('/exams')[0]}/exams/my/{s.e3.pk}/")
