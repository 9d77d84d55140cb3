"""Assisted classification with real scikit-learn on small synthetic Chinese data (≤ 500 rows): refusal below
the threshold, versions, the suggestion API, suggestions recorded on registration and import, acceptance,
similar complaints within scope, the training job and the commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from xiaobao.classification import selectors, services
from xiaobao.classification.models import ClassifierModel, Suggestion, TrainingJob
from xiaobao.classification.tests.conftest import synthetic
from xiaobao.core.errors import DomainError

pytestmark = pytest.mark.django_db

SUGGEST = "/api/v1/complaints/suggest"


def _post(client, body):
    return client.post(SUGGEST, json.dumps(body), content_type="application/json")


# --- too few complaints ---------------------------------------------------------------------------------


def test_training_refuses_below_the_threshold_and_suggestions_are_empty(
    settings, confirmed, api_for, b1_handler
):
    # given 99 closed complaints and open ones, with a threshold of 100
    settings.CLASSIFIER_MIN_COMPLAINTS = 100
    confirmed(synthetic(99))
    confirmed(synthetic(30, seed=2), status="in_progress")  # open: codes not confirmed yet
    # when / then training refuses with the reason
    with pytest.raises(DomainError) as exc:
        services.classifier_train(seed=1)
    assert exc.value.code == "not_enough_data"
    assert "99" in exc.value.message and "100" in exc.value.message
    assert not ClassifierModel.objects.exists()
    # and the API answers empty lists
    response = _post(api_for(b1_handler), {"request": "要求退还年费", "description": "信用卡多收年费"})
    assert response.status_code == 200
    assert response.json() == {"business_type": [], "cause": []}
    # and the command exits 1 with the reason
    with pytest.raises(CommandError) as cmd:
        call_command("classifier_train", stdout=io.StringIO(), stderr=io.StringIO())
    assert cmd.value.returncode == 1


def test_training_refuses_when_one_code_is_all_there_is(settings, confirmed):
    settings.CLASSIFIER_MIN_COMPLAINTS = 20
    confirmed([("要求退还", f"信用卡年费问题{i}", "B0303", "C07") for i in range(25)])
    ready, reason = services.readiness(services.training_rows())
    assert not ready and "两个分类" in reason


# --- versions ---------------------------------------------------------------------------------------------


def test_train_measures_stores_and_activates_a_version(trained, settings):
    # then version 1 is active with its figures measured on the held-out 20 %
    model = trained
    assert model.version == 1 and model.is_active
    assert model.n_train + model.n_test == 320  # the registered complaint the rows were copied from is open
    assert 60 <= model.n_test <= 70
    assert set(model.dimensions) == {"business_type", "cause"}
    bt = model.metrics["business_type"]
    assert {"top1", "top3", "macro_f1", "per_class"} <= set(bt)
    assert bt["top1"] >= 0.9 and bt["top3"] >= bt["top1"]
    assert sum(row["test"] for row in bt["per_class"].values()) == model.n_test
    # the file is the app's own, integrity-checked by its hash
    path = Path(settings.DATA_DIR) / "classification" / model.file
    assert path.is_file() and model.sha256 and model.size == path.stat().st_size


def test_a_new_version_can_wait_and_be_activated_later(trained):
    second = services.classifier_train(seed=8, activate=False)
    assert second.version == 2 and not second.is_active
    assert ClassifierModel.objects.get(is_active=True).version == 1
    assert services.active_model()[0] == 1
    services.classifier_activate(actor=None, model=second)
    assert list(ClassifierModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    assert services.active_model()[0] == 2  # the process reloads the new active version


def test_a_tampered_model_file_is_never_loaded(trained, settings):
    path = Path(settings.DATA_DIR) / "classification" / trained.file
    path.write_bytes(path.read_bytes() + b"x")
    services.forget_active()
    services._cache.sha = ""
    assert services.active_model() == (None, None)
    assert services.suggest(request="要求退还", description="信用卡年费").business_type == []


# --- the suggestion API ---------------------------------------------------------------------------------


def test_suggest_answers_at_most_three_best_first_with_names(trained, api_for, b1_handler):
    response = _post(
        api_for(b1_handler), {"request": "要求退还", "description": "客户来电称信用卡账单收取了年费，乱收费"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"business_type", "cause"}
    for dim in ("business_type", "cause"):
        items = body[dim]
        assert 1 <= len(items) <= 3
        assert set(items[0]) == {"code", "name", "confidence"}
        confidences = [i["confidence"] for i in items]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0 <= c <= 1 for c in confidences)
    assert body["business_type"][0] == {
        "code": "B0303",
        "name": "信用卡",
        "confidence": body["business_type"][0]["confidence"],
    }
    assert body["cause"][0]["code"] == "C07"


def test_suggest_validation_errors_have_the_project_shape(api_for, b1_handler):
    client = api_for(b1_handler)
    empty = _post(client, {"request": " ", "description": ""})
    assert empty.status_code == 422
    assert empty.json()["code"] == "invalid" and set(empty.json()["fields"]) == {"request", "description"}
    too_long = _post(client, {"request": "x" * 20001, "description": "y"})
    assert too_long.status_code == 422 and "request" in json.dumps(too_long.json()["fields"])
    wrong_type = _post(client, {"request": ["a"], "description": "y"})
    assert wrong_type.status_code == 422


def test_suggest_needs_the_register_permission(api_for, auditor):
    assert _post(api_for(auditor), {"request": "a", "description": "b"}).status_code == 403


# --- suggestion and choice stored -------------------------------------------------------------------------


def test_registration_records_the_suggestion_and_the_codes_chosen(trained, api_for, b1_handler, org):
    # when a complaint is registered through the API with codes other than the suggested ones
    response = api_for(b1_handler).post(
        "/api/v1/complaints",
        json.dumps(
            {
                "received_at": "2026-03-02T10:30:00+08:00",
                "channel": "A0302",
                "business_type": "B01",
                "cause": "C07",
                "org_unit": org.b1s.code,
                "complainant": {"name": "李娜"},
                "request": "要求退还",
                "description": "客户来电称信用卡账单收取了年费，乱收费",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # then the suggestion of version 1 and the choice are stored with it
    s = Suggestion.objects.get(complaint_id=response.json()["id"])
    assert s.model_version == 1 and s.origin == "registered"
    assert s.top("business_type")[0] == "B0303" and len(s.business_type) == 3
    assert s.chosen_business_type == "B01" and s.chosen_cause == "C07"


def test_no_suggestion_is_recorded_without_a_model(register, b1_handler):
    services.active_model()  # the look-up is cached: registering costs no query for it
    complaint = register(b1_handler)
    assert not Suggestion.objects.filter(complaint=complaint).exists()


def test_an_import_records_the_suggestions_of_its_complaints(
    trained, power_b1, org, django_capture_on_commit_callbacks
):
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create, import_job_run, import_job_start

    rows = ["Date received,Product,Consumer complaint narrative"]
    rows += [f"2025-03-0{i + 1},Credit card,{d}" for i, (_, d, _, _) in enumerate(synthetic(5, seed=9))]
    job = import_job_create(
        actor=power_b1,
        fileobj=io.BytesIO("\n".join(rows).encode()),
        name="cfpb.csv",
        preset=ImportPreset.objects.get(name="cfpb"),
        org_unit=org.b1,
        language="zh-hans",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_run(job=import_job_start(actor=power_b1, job=job, stage="import"))
    assert job.state == "done" and job.created == 5
    recorded = Suggestion.objects.filter(origin="imported")
    assert recorded.count() == 5
    assert {s.chosen_business_type for s in recorded} == {"B0303"}
    assert all(len(s.business_type) == 3 and s.model_version == 1 for s in recorded)


def test_acceptance_by_code_counts_registrations_only(trained, register, b1_handler, client_for, hq_officer):
    # given three registrations: one as suggested, one among the three, one elsewhere
    text = "客户来电称信用卡账单收取了年费，乱收费"
    register(b1_handler, business_type="B0303", description=text)  # the first suggestion
    s = Suggestion.objects.get(complaint__description=text, chosen_business_type="B0303")
    second = s.top("business_type")[1]
    register(b1_handler, business_type=second, description=text)  # among the three
    register(b1_handler, business_type="B99", description=text)  # none of them
    # and one counted as imported, which is not counted (its codes came from a file)
    other = register(b1_handler, business_type="B13", description="催收电话骚扰家人")
    Suggestion.objects.filter(complaint=other).update(origin="imported")
    rows, total = selectors.acceptance("business_type")
    by_code = {r.code: r for r in rows}
    assert by_code["B0303"].suggested >= 1 and by_code["B0303"].top1 >= 1
    assert by_code[second].top1 == 0 and by_code[second].top3 == 1
    assert by_code["B99"].top3 == 0
    assert "B13" not in by_code
    assert total.suggested == sum(r.suggested for r in rows) == 3
    # and the administrators' page shows the rates and the active version
    page = client_for(hq_officer).get(reverse("classification:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="active-badge"' in html and 'data-testid="acceptance-row-B99"' in html


def test_the_import_preview_shows_the_suggestion_where_the_row_has_none_or_differs(
    trained, power_b1, org, client_for
):
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create, import_job_run

    rows = ["Date received,Product,Consumer complaint narrative"]
    rows.append("2025-03-01,Credit card,客户来电称信用卡账单收取了年费，乱收费")  # agrees: no hint
    rows.append("2025-03-02,Mortgage,催收人员一天打十几个电话，骚扰家人和同事")  # differs
    rows.append("2025-03-03,,客户来电称信用卡账单收取了年费")  # none in the file
    job = import_job_create(
        actor=power_b1,
        fileobj=io.BytesIO("\n".join(rows).encode()),
        name="cfpb.csv",
        preset=ImportPreset.objects.get(name="cfpb"),
        org_unit=org.b1,
        language="zh-hans",
    )
    import_job_run(job=job)  # reads the file: the mapping screen is next
    html = client_for(power_b1).get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "建议分类" in html
    hints = html.split('data-testid="import-hint"')[1:]
    assert len(hints) == 3
    assert "B13" in hints[1] and "文件中：B0201" in hints[1]
    assert "B0303" in hints[2] and "文件中未填" in hints[2]
    assert "业务类型" not in hints[0].split("</td>")[0]  # the first row's code agrees with the suggestion


# --- similar complaints -----------------------------------------------------------------------------------


def test_similar_complaints_stay_within_the_users_scope(
    confirmed, register, b1_handler, b2_handler, org, api_for
):
    # given near-identical complaints in branch 1 and branch 2, and unrelated ones
    text = "催收人员一天打十几个电话，骚扰家人和同事，要求停止催收骚扰"
    b1_ids = confirmed([("要求停止", text, "B13", "C12")] * 2 + synthetic(20, seed=4), unit=org.b1s)
    b2_ids = confirmed([("要求停止", text, "B13", "C12")] * 2, unit=org.b2s, actor=b2_handler)
    target = register(b1_handler, business_type="B13", cause="C12", request="要求停止骚扰", description=text)
    # when a branch-1 handler asks
    found = selectors.similar(user=b1_handler, complaint=target)
    # then at most five, best first, only branch 1's, the copies first
    assert 1 <= len(found) <= 5
    assert [s.complaint.pk for s in found[:2]] == sorted(b1_ids[:2], reverse=True) or set(
        s.complaint.pk for s in found[:2]
    ) == set(b1_ids[:2])
    assert not {s.complaint.pk for s in found} & set(b2_ids)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    # the API answers the same
    body = api_for(b1_handler).get(f"/api/v1/complaints/{target.pk}/similar").json()
    assert [r["id"] for r in body] == [s.complaint.pk for s in found]
    assert set(body[0]) == {"id", "reference", "score", "business_type", "status"}
    assert body[0]["business_type"] == "B13"
    # and branch 2 cannot ask about branch 1's complaint
    assert api_for(b2_handler).get(f"/api/v1/complaints/{target.pk}/similar").status_code == 404


def test_the_similar_panel_loads_lazily_on_the_complaint_page(register, b1_handler, client_for):
    complaint = register(b1_handler)
    client = client_for(b1_handler)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="similar-panel"' in page
    assert reverse("classification:similar", args=[complaint.pk]) in page
    partial = client.get(reverse("classification:similar", args=[complaint.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'data-testid="similar-none"' in partial.content.decode()


# --- training as a job, and the commands ---------------------------------------------------------------


def test_train_now_runs_a_job_with_progress(
    settings, confirmed, client_for, hq_officer, django_capture_on_commit_callbacks
):
    settings.CLASSIFIER_MIN_COMPLAINTS = 100
    confirmed(synthetic(200))
    client = client_for(hq_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("classification:train"))
    assert response.status_code == 302
    job = TrainingJob.objects.get()
    assert job.state == "done", job.error
    assert job.progress_done == job.progress_total == 100
    assert job.model is not None and job.model.is_active
    progress = client.get(reverse("classification:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and 'data-state="done"' in progress.content.decode()


def test_train_now_refuses_with_the_reason(client_for, hq_officer):
    response = client_for(hq_officer).post(reverse("classification:train"), follow=True)
    assert not TrainingJob.objects.exists()
    assert "200" in response.content.decode()  # "… 0 of the 200 needed"


def test_the_train_command_prints_the_figures(settings, confirmed):
    settings.CLASSIFIER_MIN_COMPLAINTS = 100
    confirmed(synthetic(200))
    out = io.StringIO()
    call_command("classifier_train", "--seed", "3", "--baseline", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "version 1 (active)" in text and "business_type: top-1" in text and "baseline top-1" in text


def test_the_evaluate_command_reads_the_zh_file_shape(tmp_path):
    path = tmp_path / "zh.csv"
    lines = ["request,description,business_type,cause"]
    lines += [f'{r},"{d}",{bt},{c}' for r, d, bt, c in synthetic(150, seed=5)]
    path.write_text("\n".join(lines), encoding="utf-8")
    out = io.StringIO()
    call_command("classifier_evaluate", "--csv", str(path), "--seeds", "1,2", stdout=out)
    text = out.getvalue()
    assert "150 complaints" in text
    assert "business_type: top1" in text and "cause: top1" in text and "business_type baseline: top1" in text


def test_the_demo_trains_the_first_version_once(confirmed):
    from types import SimpleNamespace

    from xiaobao.classification.demo import load

    command = SimpleNamespace(stdout=io.StringIO())
    load(command)
    assert "not trained" in command.stdout.getvalue()  # the demo bank is not there yet
    confirmed(synthetic(210))
    load(command)
    load(command)
    assert ClassifierModel.objects.get().is_active
    assert "already trained" in command.stdout.getvalue()


def test_large_training_sets_use_the_sgd_fitted_svm_with_the_same_suggestions_shape(monkeypatch):
    from xiaobao.classification import ml

    monkeypatch.setattr(ml, "LARGE", 100)  # as if 20,000 complaints: SGD instead of liblinear
    rows = synthetic(300, seed=3)
    texts = [ml.complaint_text(r, d) for r, d, _, _ in rows]
    outcome = ml.train(texts, {"business_type": [r[2] for r in rows], "cause": [r[3] for r in rows]}, seed=2)
    clf = outcome.trained.classifiers["business_type"]
    assert type(clf.calibrated_classifiers_[0].estimator).__name__ == "SGDClassifier"
    assert clf.fast_checked_  # the direct computation equals predict_proba
    assert outcome.metrics["business_type"]["top1"] >= 0.9
    (best, *_), *_ = outcome.trained.suggest(["客户来电称信用卡账单收取了年费"])["business_type"]
    assert best[0] == "B0303"
