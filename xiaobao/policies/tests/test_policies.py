"""The policy catalogue: versions frozen on approval (model, service, API), revise/repeal, the coverage report
equals the mapping, the yearly 废改立 list equals the versions approved that year, review reminders once per
due date, bad input refused with field errors and nothing stored, the demo loader."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.policies.models import (
    ClauseArticle,
    FrozenVersion,
    Policy,
    PolicyClause,
    PolicyVersion,
    RegulationArticle,
)
from xiaobao.policies.services import (
    mapping_add,
    repeal_draft,
    revision_draft,
    version_approve,
    version_update,
)
from xiaobao.policies.tests.routes import approver_for, make_policy

pytestmark = pytest.mark.django_db
NOW = "2026-06-17 10:00 +0800"


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def _article(number: str = "第十八条") -> RegulationArticle:
    return RegulationArticle.objects.get(regulation__code="nfra-complaints-2020", number=number)


def test_an_approved_version_is_frozen_in_the_model(hq_officer, org):
    # given a policy whose first version is approved
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    v1 = policy.current_version
    clause = v1.clauses.first()
    # when / then: saving, deleting, bulk-updating the version or its clauses is refused
    v1.reason = "改"
    with pytest.raises(FrozenVersion):
        v1.save()
    with pytest.raises(FrozenVersion):
        v1.delete()
    with pytest.raises(FrozenVersion):
        PolicyVersion.objects.filter(pk=v1.pk).update(reason="改")
    clause.text = "改"
    with pytest.raises(FrozenVersion):
        clause.save()
    with pytest.raises(FrozenVersion):
        PolicyClause.objects.filter(version=v1).update(text="改")
    with pytest.raises(FrozenVersion):
        PolicyClause.objects.filter(version=v1).delete()
    with pytest.raises(FrozenVersion):
        version_update(actor=hq_officer, version=v1, data={"reason": "改"})
    # and nothing changed
    v1.refresh_from_db()
    assert v1.reason == "依据监管要求制定"
    assert v1.clauses.values_list("text", flat=True).first() == "为规范消费投诉处理工作，制定本办法。"


def test_the_api_refuses_to_change_an_approved_version(hq_officer, api_for, org):
    # given an approved version
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    v1 = policy.current_version
    client = api_for(hq_officer)
    # when it is patched, approved again or discarded
    patched = client.patch(
        f"/api/v1/policy-versions/{v1.pk}", json.dumps({"reason": "改"}), content_type="application/json"
    )
    again = client.post(f"/api/v1/policy-versions/{v1.pk}/approve", "{}", content_type="application/json")
    deleted = client.delete(f"/api/v1/policy-versions/{v1.pk}")
    # then 409 in the error shape, and the version is as approved
    assert patched.status_code == again.status_code == deleted.status_code == 409
    assert patched.json()["code"] == "frozen"
    v1.refresh_from_db()
    assert v1.reason == "依据监管要求制定" and v1.approved_on == dt.date(2025, 6, 1)


def test_revise_makes_a_new_version_and_the_old_stays(hq_officer, org):
    # given a policy in force
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    v1 = policy.current_version
    # when a revision changing one clause is drafted and approved
    draft = revision_draft(
        actor=hq_officer,
        policy=policy,
        data={
            "reason": "监管新规",
            "effective_on": "2026-07-01",
            "clauses": [
                {"number": "第一条", "text": "为规范消费投诉处理工作，制定本办法。"},
                {"number": "第二条", "text": "投诉自受理之日起10日内处理完毕。"},
            ],
        },
    )
    version_approve(actor=approver_for("HO"), version=draft, approved_on=dt.date(2026, 6, 10))
    # then the policy is in force (revised) at v2, v1 is unchanged
    policy.refresh_from_db()
    assert policy.status == "revised" and policy.current_version_id == draft.pk
    assert v1.clauses.get(number="第二条").text == "投诉自受理之日起15日内处理完毕。"
    assert draft.clauses.get(number="第二条").text == "投诉自受理之日起10日内处理完毕。"
    # and a second draft while one waits is refused
    revision_draft(actor=hq_officer, policy=policy, data={"reason": "再修订", "effective_on": "2026-08-01"})
    with pytest.raises(Exception) as exc:
        revision_draft(
            actor=hq_officer, policy=policy, data={"reason": "又一次", "effective_on": "2026-08-01"}
        )
    assert getattr(exc.value, "status", None) == 409


def test_repeal_sets_the_policy_repealed(hq_officer, org):
    # given a policy in force; when its repeal is approved
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    draft = repeal_draft(
        actor=hq_officer, policy=policy, data={"reason": "并入新办法", "effective_on": "2026-06-01"}
    )
    version_approve(actor=approver_for("HO"), version=draft, approved_on=dt.date(2026, 6, 1))
    # then it is repealed, and cannot be revised any more
    policy.refresh_from_db()
    assert policy.status == "repealed" and draft.kind == "repeal"
    with pytest.raises(Exception) as exc:
        revision_draft(actor=hq_officer, policy=policy, data={"reason": "x", "effective_on": "2026-07-01"})
    assert getattr(exc.value, "status", None) == 409


def test_coverage_equals_the_mapping_of_clauses_in_force(hq_officer, client_for, org):
    # given three policies: one in force with a mapped clause, one whose mapped clause was revised away,
    # one repealed with a mapped clause
    a = make_policy(hq_officer, "HO", "P-A", "甲办法")
    b = make_policy(hq_officer, "HO", "P-B", "乙办法")
    c = make_policy(hq_officer, "HO", "P-C", "丙办法")
    mapping_add(
        actor=hq_officer, clause=a.current_version.clauses.get(number="第二条"), article_id=_article().pk
    )
    mapping_add(
        actor=hq_officer,
        clause=b.current_version.clauses.get(number="第一条"),
        article_id=_article("第八条").pk,
    )
    draft = revision_draft(
        actor=hq_officer,
        policy=b,
        data={
            "reason": "删去",
            "effective_on": "2026-06-01",
            "clauses": [{"number": "第一条", "text": "新文本"}],
        },
    )
    ClauseArticle.objects.filter(clause__version=draft).delete()  # the revision drops the mapping
    version_approve(actor=approver_for("HO"), version=draft, approved_on=dt.date(2026, 6, 1))
    mapping_add(
        actor=hq_officer,
        clause=c.current_version.clauses.get(number="第一条"),
        article_id=_article("第十九条").pk,
    )
    rep = repeal_draft(actor=hq_officer, policy=c, data={"reason": "废止", "effective_on": "2026-06-01"})
    version_approve(actor=approver_for("HO"), version=rep, approved_on=dt.date(2026, 6, 1))
    # when the coverage report is read (page and API)
    client = client_for(hq_officer)
    page = client.get(reverse("policies:coverage"))
    api = client.get("/api/v1/policy-coverage")
    # then exactly the articles mapped from current versions of policies in force are covered
    expected = set(
        ClauseArticle.objects.filter(
            clause__version__policy__status__in=["in_force", "revised"],
            clause__version__policy__current_version_id__isnull=False,
        )
        .filter(clause__version_id__in=Policy.objects.values("current_version_id"))
        .values_list("article_id", flat=True)
    )
    assert expected == {_article().pk}
    covered = {a["id"] for r in api.json() for a in r["articles"] if a["covered"]}
    assert covered == expected
    total = RegulationArticle.objects.filter(regulation__active=True).count()
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="article-uncovered"') == total - 1
    # and the Excel lists the same uncovered articles
    wb = load_workbook(BytesIO(client.get(reverse("policies:coverage_export")).content))
    assert wb.worksheets[1].max_row - 3 == total - 1
    assert wb.worksheets[0].page_setup.paperSize in (9, "9")  # A4


def test_the_yearly_list_equals_the_versions_approved_that_year(
    hq_officer, branch_officer, other_branch_officer, client_for, settings, org
):
    # given versions approved in 2025 and 2026 (an enactment, a revision, a repeal) and a draft
    settings.INSTITUTION_NAME = "晓宝银行"
    a = make_policy(hq_officer, "HO", "P-A", "甲办法", approved_on=dt.date(2025, 3, 1))
    b = make_policy(hq_officer, "HO", "P-B", "乙办法", approved_on=dt.date(2026, 2, 1))
    r = revision_draft(
        actor=hq_officer, policy=a, data={"reason": "按新规修订", "effective_on": "2026-05-01"}
    )
    version_approve(actor=approver_for("HO"), version=r, approved_on=dt.date(2026, 4, 20))
    x = repeal_draft(actor=hq_officer, policy=b, data={"reason": "并入甲办法", "effective_on": "2026-06-01"})
    version_approve(actor=approver_for("HO"), version=x, approved_on=dt.date(2026, 5, 30))
    revision_draft(actor=hq_officer, policy=a, data={"reason": "草稿", "effective_on": "2026-09-01"})
    make_policy(
        other_branch_officer, "B2", "B2-X", "上海分行细则", approved_on=dt.date(2026, 3, 1)
    )  # not B1's
    expected = list(
        PolicyVersion.objects.filter(approved_on__year=2026, policy__org_unit__code__in=["HO"]).order_by(
            "approved_on"
        )
    )
    # when head office reads 2026's list (page, API, Excel)
    client = client_for(hq_officer)
    page = client.get(reverse("policies:changes") + "?year=2026")
    api = client.get("/api/v1/policy-changes?year=2026").json()
    xlsx = load_workbook(BytesIO(client.get(reverse("policies:changes_export", args=[2026])).content)).active
    # then each shows exactly the versions approved that year that it may see
    hq_expected = list(
        PolicyVersion.objects.filter(approved_on__year=2026).order_by("approved_on", "policy__number")
    )
    assert [v["id"] for v in api["versions"]] == [v.pk for v in hq_expected]
    assert api["counts"] == {"enact": 2, "revise": 1, "repeal": 1}
    assert page.content.decode().count('data-testid="change-row"') == len(hq_expected)
    assert "并入甲办法" in page.content.decode()
    assert xlsx.max_row - 3 == len(hq_expected)
    assert "晓宝银行" in xlsx["A1"].value
    assert xlsx.page_setup.paperSize in (9, "9")
    # and a branch officer sees head office's and its own, not another branch's
    b1 = client_for(branch_officer).get("/api/v1/policy-changes?year=2026").json()
    assert [v["id"] for v in b1["versions"]] == [v.pk for v in expected]


def test_bad_input_is_refused_with_field_errors_and_nothing_stored(hq_officer, api_for, client_for, org):
    # given the counts before
    before = (Policy.objects.count(), PolicyVersion.objects.count(), PolicyClause.objects.count())
    # when the API gets bad input
    resp = api_for(hq_officer).post(
        "/api/v1/policies",
        json.dumps(
            {
                "org_unit": "NOPE",
                "number": "P-1",
                "title": "",
                "owner_department": "部",
                "effective_on": "2026-01-01",
                "reason": "r",
                "clauses": [{"number": "第一条", "text": ""}],
            }
        ),
        content_type="application/json",
    )
    # then 422 with field errors, nothing stored
    assert resp.status_code == 422
    fields = resp.json()["fields"]
    assert {"org_unit", "title", "clauses"} <= set(fields)
    # and the page form too
    page = client_for(hq_officer).post(
        reverse("policies:create"), {"org_unit": "HO", "number": "", "title": "x"}
    )
    assert page.status_code == 400
    assert "errorlist" in page.content.decode()
    assert (Policy.objects.count(), PolicyVersion.objects.count(), PolicyClause.objects.count()) == before


def test_a_branch_may_not_change_head_office_policies(hq_officer, branch_officer, api_for, org):
    # given a head-office policy the branch officer sees
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    client = api_for(branch_officer)
    assert client.get(f"/api/v1/policies/{policy.pk}").status_code == 200
    # when the branch tries to revise it: 403, nothing stored
    resp = client.post(
        f"/api/v1/policies/{policy.pk}/revisions",
        json.dumps({"reason": "x", "effective_on": "2026-07-01"}),
        content_type="application/json",
    )
    assert resp.status_code == 403
    assert policy.versions.count() == 1


def test_review_reminders_tell_the_owner_unit_once(hq_officer, org):
    from xiaobao.casework.models import Notification
    from xiaobao.policies.reminders import review_reminders
    from xiaobao.policies.services import policy_mark_reviewed

    # given a policy approved 2025-06-01 (period 12 months): due 2026-06-01
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    # when the reminder runs twice after the due date
    first = review_reminders(now=dt.datetime(2026, 6, 17, 9, tzinfo=dt.UTC))
    second = review_reminders(now=dt.datetime(2026, 6, 18, 9, tzinfo=dt.UTC))
    # then the officer is told once
    assert first.due == 1 and first.told == 1 and second.told == 0
    assert Notification.objects.filter(user=hq_officer, kind="policy_review").count() == 1
    # and after a review it is no longer due
    policy_mark_reviewed(actor=hq_officer, policy=policy, data={"reviewed_on": "2026-06-17"})
    assert review_reminders(now=dt.datetime(2026, 6, 19, 9, tzinfo=dt.UTC)).due == 0


def test_the_catalogue_page_query_count(hq_officer, client_for, django_assert_max_num_queries, org):
    # given ten policies
    for i in range(10):
        make_policy(hq_officer, "HO", f"P-{i}", f"办法{i}")
    client = client_for(hq_officer)
    client.get(reverse("policies:home"))
    # when / then the list does not grow with the rows
    with django_assert_max_num_queries(25):
        resp = client.get(reverse("policies:home"))
    assert resp.content.decode().count('data-testid="policy-row"') == 10


def test_the_demo_loader(db):
    from django.core.management.base import OutputWrapper

    from xiaobao.core.demo import demo_load
    from xiaobao.policies.demo import policies_demo_load

    # given the demo bank; when the policy demo loads
    demo_load(consumers=0)
    counts = policies_demo_load()
    # then a catalogue with history: revisions, repeals, a draft, some uncovered articles
    assert counts["policies"] == 25
    kinds = set(PolicyVersion.objects.values_list("kind", flat=True))
    assert kinds == {"enact", "revise", "repeal"}
    assert PolicyVersion.objects.filter(approved_at__isnull=True).count() == 1
    assert Policy.objects.filter(status="repealed").count() == 2
    mapped = set(ClauseArticle.objects.values_list("article_id", flat=True))
    assert 0 < len(mapped) < RegulationArticle.objects.count()
    assert OutputWrapper  # the command wrapper the loader writes to


def test_the_four_eyes_rule_the_drafter_never_approves(hq_officer, api_for, client_for, org):
    from conftest import make_user
    from xiaobao.policies.models import SelfApproval

    # given a revision drafted by one officer and changed by a second one (both may approve)
    policy = make_policy(hq_officer, "HO", "P-1", "消费投诉处理管理办法")
    editor = make_user("hq_cp_editor", org.cpd, ["hq_cp_officer"])
    data = {"reason": "改", "effective_on": "2026-07-01"}
    draft = revision_draft(actor=hq_officer, policy=policy, data=data)
    version_update(actor=editor, version=draft, data={"reason": "按新规修订"})
    # when the drafter approves it (service, API, page)
    with pytest.raises(SelfApproval):
        version_approve(actor=hq_officer, version=draft)
    api = api_for(hq_officer).post(
        f"/api/v1/policy-versions/{draft.pk}/approve", "{}", content_type="application/json"
    )
    page = client_for(hq_officer).post(
        reverse("policies:version_approve", args=[draft.pk]), {"approved_on": "2026-06-17"}, follow=True
    )
    # then each refuses with the reason, and so it does for the officer who changed the draft
    assert api.status_code == 403 and api.json()["code"] == "self_approval"
    assert page.status_code == 403 and api.json()["message"] in page.content.decode()
    with pytest.raises(SelfApproval):
        version_approve(actor=editor, version=draft)
    # and the version page offers them no approve button but says why
    shown = client_for(editor).get(reverse("policies:version", args=[draft.pk])).content.decode()
    assert 'data-testid="four-eyes"' in shown and 'data-testid="approve-form"' not in shown
    draft.refresh_from_db()
    assert not draft.frozen
    # when an approver who wrote none of it approves, it is in force
    version_approve(actor=approver_for("HO"), version=draft, approved_on=dt.date(2026, 6, 17))
    draft.refresh_from_db()
    assert draft.frozen and draft.approved_by == approver_for("HO")
