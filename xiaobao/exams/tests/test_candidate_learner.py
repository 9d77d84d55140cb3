"""The learner role (only exams.take_exam and training.view_own_training) uses every candidate page and the
candidate API, and reaches nothing else of exams and training: no organiser or bank page, no organiser API,
nothing but the own learning in the menu."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiaobao.exams.tests.test_candidate_fixtures import RIGHT, bank, learner, paper

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CANDIDATE_PAGES = {"my", "start", "take", "submit", "result", "wrong_answers", "wrong_practice"}
OWN_TRAINING = {"my_record", "my_record_export"}


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_learner_role_grants_taking_exams_and_the_own_record_only(org):
    user = learner(org)
    perms = {p for p in user.get_all_permissions() if p.split(".")[0] in ("exams", "training")}
    assert perms == {"exams.take_exam", "training.view_own_training"}


def test_a_learner_takes_an_exam_practises_and_uses_the_book_through_the_pages(client_for, org, hq_officer):
    from xiaobao.exams.models import Attempt, AttemptItem

    user = learner(org)
    questions = bank(hq_officer)
    exam = paper(hq_officer, questions, [user], now=NOW)
    practice = paper(hq_officer, questions[:2], [user], now=NOW, kind="practice", title="练习")
    client = client_for(user)
    assert client.get(reverse("exams:my")).status_code == 200
    assert client.get(reverse("exams:start", args=[exam.pk])).status_code == 200
    assert client.post(reverse("exams:start", args=[exam.pk])).status_code == 302
    attempt = Attempt.objects.get(exam=exam, user=user)
    assert client.get(reverse("exams:take", args=[attempt.pk])).status_code == 200
    # the page's own API calls, with the session and its CSRF token
    csrf_client = client_for(user)
    csrf_client.handler.enforce_csrf_checks = True
    page = csrf_client.get(reverse("exams:take", args=[attempt.pk])).content.decode()
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    refused = csrf_client.put(
        f"/api/v1/attempts/{attempt.pk}/answers/{questions[0].pk}",
        {"answer": RIGHT[0]},
        content_type="application/json",
    )
    assert refused.status_code == 403  # without the page's CSRF token the session cannot save
    for i, q in enumerate(questions):
        response = csrf_client.put(
            f"/api/v1/attempts/{attempt.pk}/answers/{q.pk}",
            {"answer": RIGHT[i]},
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200, response.content
    state = csrf_client.get(f"/api/v1/attempts/{attempt.pk}").json()
    assert state["answered"] == 6 and "answer" not in state["questions"][0]
    assert client.post(reverse("exams:submit", args=[attempt.pk])).status_code == 302
    assert AttemptItem.objects.filter(attempt=attempt, correct=True).count() == 6
    assert client.get(reverse("exams:result", args=[attempt.pk])).status_code == 200
    # a practice with a wrong answer, the book, practising again
    client.post(reverse("exams:start", args=[practice.pk]))
    done = Attempt.objects.get(exam=practice, user=user)
    client.put(
        f"/api/v1/attempts/{done.pk}/answers/{questions[0].pk}",
        {"answer": [0]},
        content_type="application/json",
    )
    assert client.post(reverse("exams:submit", args=[done.pk])).status_code == 302
    assert client.get(reverse("exams:wrong_answers")).status_code == 200
    response = client.post(reverse("exams:wrong_practice"))
    assert response.status_code == 302 and "/exams/my/attempts/" in response["Location"]


def test_the_learners_menu_holds_the_own_learning_and_nothing_of_the_organisers(org):
    from xiaobao.core.context_processors import nav_for

    user = learner(org)
    names = set()
    for entry in nav_for(user):
        names |= {c["url"] for c in entry.get("children", [entry])}
    assert "exams:my" in names
    # besides the own learning only core's pages open to every member of staff
    assert names - {"exams:my", "training:my_record"} <= {"core:home", "core:org_tree", "core:calendar"}


def _patterns(resolver, namespace):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == namespace:
                yield from ((namespace, q) for q in p.url_patterns if isinstance(q, URLPattern))
            elif p.namespace is None:
                yield from _patterns(p, namespace)


@pytest.mark.parametrize("namespace", ["exams", "training"])
def test_every_other_exams_and_training_page_refuses_a_learner(client_for, org, hq_officer, namespace):
    # given an exam the learner is a candidate of (its id fills every id in the URLs)
    user = learner(org)
    exam = paper(hq_officer, bank(hq_officer)[:1], [user], now=NOW)
    client = client_for(user)
    checked = 0
    for ns, pattern in _patterns(get_resolver(), namespace):
        if pattern.name in (CANDIDATE_PAGES if namespace == "exams" else OWN_TRAINING) or not pattern.name:
            continue
        kwargs = {
            name: (exam.pk if conv.__class__.__name__ == "IntConverter" else "ABCDEFGH")
            for name, conv in pattern.pattern.converters.items()
        }
        url = reverse(f"{ns}:{pattern.name}", kwargs=kwargs)
        response = client.get(url)
        # then nothing there is shown to the learner (a page answering POST only says 405)
        assert response.status_code in (403, 404, 405), (url, response.status_code)
        checked += 1
    assert checked >= (8 if namespace == "exams" else 3)


def test_the_organiser_and_bank_api_refuse_a_learner(api_for, org, hq_officer):
    from xiaobao.api import api

    user = learner(org)
    exam = paper(hq_officer, bank(hq_officer)[:1], [user], now=NOW)
    client = api_for(user)
    schema = api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations or "/me/" in path or path.startswith("/api/v1/attempts"):
            continue
        if not re.match(
            r"/api/v1/(exams|questions|question-tags|staff|training|sessions|plans|coverage)", path
        ):
            continue
        url = re.sub(r"\{[a-z_]+\}", str(exam.pk), path)
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        checked += 1
    assert checked >= 6
