"""Education figures equal the rows behind them, for every slice (period, campaign, edition, unit, segment),
within the user's scope, counting approved activities only; the summary API's exact shape and its errors;
plan vs actual; the figures page and its drill-down links; the statistics section and the report section."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from xiaobao.analytics.periods import Period
from xiaobao.core.services.org import org_unit_create
from xiaobao.education.figures import Slice, compute, plan_vs_actual, summary
from xiaobao.education.models import (
    SEGMENTS,
    Activity,
    Campaign,
    CampaignEdition,
    EditionTarget,
    Topic,
    Venue,
)

pytestmark = pytest.mark.django_db
KEYS = {
    "activities",
    "people_reached",
    "leaflets",
    "online_reads",
    "media_reports",
    "audience",
    "outlets_covered",
    "outlets_total",
}


@pytest.fixture
def codes():
    venue, _ = Venue.objects.get_or_create(code="community", defaults={"name": "进社区"})
    online, _ = Venue.objects.get_or_create(code="online", defaults={"name": "线上", "online": True})
    fraud, _ = Topic.objects.get_or_create(
        code="telecom_fraud", defaults={"name": "电信网络诈骗", "fraud": True}
    )
    credit, _ = Topic.objects.get_or_create(code="credit", defaults={"name": "征信/信用"})
    month, _ = Campaign.objects.get_or_create(code="finance_month", defaults={"name": "金融知识普及月"})
    week, _ = Campaign.objects.get_or_create(
        code="cp_week_315", defaults={"name": "3·15 消费者权益保护教育宣传周"}
    )
    return type(
        "Codes",
        (),
        {"venue": venue, "online": online, "fraud": fraud, "credit": credit, "month": month, "week": week},
    )


@pytest.fixture
def world(org, codes, hq_officer):
    """Approved, submitted and returned activities across both branches, two editions and no edition."""
    b1o2 = org_unit_create(actor=None, code="B1-S1-O2", name="五道口网点", kind="outlet", parent=org.b1s)
    b2o = org_unit_create(actor=None, code="B2-S1-O1", name="陆家嘴网点", kind="outlet", parent=org.b2s)
    org.b1o2, org.b2o = b1o2, b2o
    sept = CampaignEdition.objects.create(
        campaign=codes.month,
        year=2026,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 9, 30),
        report_by=dt.date(2026, 10, 10),
        org_unit=org.ho,
        created_by=hq_officer,
    )
    march = CampaignEdition.objects.create(
        campaign=codes.week,
        year=2026,
        starts_on=dt.date(2026, 3, 9),
        ends_on=dt.date(2026, 3, 15),
        report_by=dt.date(2026, 3, 25),
        org_unit=org.ho,
        created_by=hq_officer,
    )
    rnd = random.Random(16)
    units = [org.b1, org.b1s, org.b1o, b1o2, org.b2, org.b2s, b2o]
    days = [
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 31),
        dt.date(2026, 9, 5),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
        dt.date(2025, 12, 31),
    ]
    statuses = ["approved", "approved", "submitted", "returned"]
    for n, (unit, day, status) in enumerate(itertools.product(units, days, statuses), start=1):
        audience = {s: rnd.randint(0, 40) for s in SEGMENTS}
        edition = (
            sept
            if day.month == 9 and day.year == 2026
            else march
            if day.month == 3 and day.day < 20
            else None
        )
        a = Activity.objects.create(
            reference=f"EDT{n:05d}",
            status=status,
            org_unit=unit,
            edition=edition,
            title=f"活动{n}",
            held_on=day,
            venue=codes.online if n % 3 == 0 else codes.venue,
            reported_by=hq_officer,
            people_reached=sum(audience.values()),
            leaflets=rnd.randint(0, 500),
            online_articles=rnd.randint(0, 3),
            online_reads=rnd.randint(0, 900),
            videos=rnd.randint(0, 2),
            media_reports=rnd.randint(0, 2),
            staff_involved=rnd.randint(1, 6),
            **{f"audience_{s}": v for s, v in audience.items()},
        )
        a.topics.set([codes.fraud] if n % 2 else [codes.fraud, codes.credit])
    return type("World", (), {"sept": sept, "march": march})


def expected(units_prefix, *, start=None, end=None, edition=None, campaign=None):
    """The sums done by hand over the rows (Python, not SQL)."""
    rows = [
        a
        for a in Activity.objects.select_related("org_unit", "edition")
        if a.status == "approved"
        and a.org_unit.path.startswith(units_prefix)
        and (start is None or a.held_on >= start)
        and (end is None or a.held_on <= end)
        and (edition is None or a.edition_id == edition.pk)
        and (campaign is None or (a.edition is not None and a.edition.campaign_id == campaign.pk))
    ]
    return {
        "activities": len(rows),
        "people_reached": sum(a.people_reached for a in rows),
        "leaflets": sum(a.leaflets for a in rows),
        "online_reads": sum(a.online_reads for a in rows),
        "media_reports": sum(a.media_reports for a in rows),
        "audience": {s: sum(getattr(a, f"audience_{s}") for a in rows) for s in SEGMENTS},
        "outlets_covered": len({a.org_unit_id for a in rows if a.org_unit.kind == "outlet"}),
    }


SLICES = [
    {},
    {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)},
    {"start": dt.date(2026, 9, 1), "end": dt.date(2026, 9, 30)},
    {"start": dt.date(2026, 3, 31), "end": dt.date(2026, 3, 31)},
    {"edition": "sept"},
    {"edition": "march"},
    {"campaign": "month"},
    {"campaign": "week", "start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)},
]


@pytest.mark.parametrize("slc", SLICES)
@pytest.mark.parametrize("unit", ["ho", "b1", "b1s", "b1o", "b2"])
def test_summary_equals_the_rows_for_every_slice(org, codes, world, hq_officer, slc, unit):
    # given the slice's objects
    kw = dict(slc)
    if "edition" in kw:
        kw["edition"] = getattr(world, kw["edition"])
    if "campaign" in kw:
        kw["campaign"] = getattr(codes, kw["campaign"])
    u = getattr(org, unit)
    # when
    got = summary(hq_officer, unit=u, **kw)
    data = compute(user=hq_officer, unit=u, slc=Slice(**kw))
    # then the summary and the page's total are the hand sums of the approved rows
    want = expected(u.path, **kw)
    assert set(got) == KEYS
    assert {k: got[k] for k in want} == want
    assert sum(got["audience"].values()) == got["people_reached"]
    assert data.total.activities == want["activities"] and data.total.people_reached == want["people_reached"]
    assert data.total.audience == want["audience"] and data.total.outlets_covered == want["outlets_covered"]
    # and the rows by unit add up to the total, each child its own subtree
    assert sum(r.tally.activities for r in data.by_unit) == want["activities"]
    for r in data.by_unit:
        child = next(
            x
            for x in (org.ho, org.b1, org.b1s, org.b1o, org.b1o2, org.b2, org.b2s, org.b2o, org.cpd)
            if x.code == r.key
        )
        if not r.own:
            assert r.tally.people_reached == expected(child.path, **kw)["people_reached"]
    # and venues add up; each topic counts the activities that carry it
    assert sum(r.tally.activities for r in data.by_venue) == want["activities"]
    fraud = next((r for r in data.by_topic if r.key == "telecom_fraud"), None)
    assert (fraud.tally.activities if fraud else 0) == want["activities"]


def test_outlets_total_counts_active_outlets_in_scope(org, world, hq_officer):
    # given an outlet closed
    org.b2o.is_active = False
    org.b2o.save()
    # when / then
    assert summary(hq_officer)["outlets_total"] == 2
    assert summary(hq_officer, unit=org.b1)["outlets_total"] == 2
    assert summary(hq_officer, unit=org.b2)["outlets_total"] == 0


def test_branch_officer_sees_only_its_subtree(org, world, branch_officer, other_branch_officer):
    # when a branch officer asks for everything
    mine = summary(branch_officer)
    # then it is its branch's subtree, and another branch's unit gives nothing
    assert mine["activities"] == expected(org.b1.path)["activities"] > 0
    assert summary(branch_officer, unit=org.b2)["activities"] == 0
    assert summary(other_branch_officer)["people_reached"] == expected(org.b2.path)["people_reached"]


def test_unapproved_are_not_counted(org, codes, world, hq_officer):
    # given the figures, then a submitted activity approved
    before = summary(hq_officer)
    a = Activity.objects.filter(status="submitted").first()
    a.status = "approved"
    a.save()
    # when
    after = summary(hq_officer)
    # then it is counted from then on, returned ones never
    assert after["activities"] == before["activities"] + 1
    assert after["people_reached"] == before["people_reached"] + a.people_reached
    assert Activity.objects.filter(status="returned").exists()
    assert before["activities"] == Activity.objects.filter(status="approved").count() - 1


# --- the API ------------------------------------------------------------------------------------------------


def test_api_summary_shape_and_values(org, codes, world, api_for, branch_officer):
    # when
    r = api_for(branch_officer).get(
        "/api/v1/education/summary", {"campaign": "finance_month", "period": "2026-09", "unit": "B1-S1"}
    )
    # then exactly the shape, and the figures of the rows
    assert r.status_code == 200
    body = r.json()
    assert set(body) == KEYS and list(body["audience"]) == list(SEGMENTS)
    want = expected(org.b1s.path, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), campaign=codes.month)
    assert {k: body[k] for k in want} == want
    assert body["outlets_total"] == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "soon"}, "period"),
        ({"campaign": "nope"}, "campaign"),
        ({"edition": "x"}, "edition"),
    ],
)
def test_api_summary_bad_parameters_are_field_errors(org, world, api_for, branch_officer, params, field):
    r = api_for(branch_officer).get("/api/v1/education/summary", params)
    assert r.status_code == 422
    assert field in r.json()["fields"]


def test_api_summary_unit_outside_scope_is_404(org, world, api_for, branch_officer, no_role_user):
    assert api_for(branch_officer).get("/api/v1/education/summary", {"unit": "B2"}).status_code == 404
    assert api_for(branch_officer).get("/api/v1/education/summary", {"unit": "NOPE"}).status_code == 404
    assert api_for(no_role_user).get("/api/v1/education/summary").status_code == 403


# --- plan vs actual ---------------------------------------------------------------------------------------


def test_plan_vs_actual(org, world, hq_officer, branch_officer):
    # given targets for both branches
    EditionTarget.objects.create(
        edition=world.sept, org_unit=org.b1, activities=4, people_reached=100, leaflets=10
    )
    EditionTarget.objects.create(
        edition=world.sept, org_unit=org.b2, activities=100, people_reached=100000, leaflets=0
    )
    # when
    rows = plan_vs_actual(hq_officer, world.sept)
    mine = plan_vs_actual(branch_officer, world.sept)
    # then actuals are the approved activities of the edition in each branch's subtree
    assert [r.unit.code for r in rows] == ["B1", "B2"] and [r.unit.code for r in mine] == ["B1"]
    for r in rows:
        want = expected(r.unit.path, edition=world.sept)
        assert (r.activities, r.people_reached, r.leaflets) == (
            want["activities"],
            want["people_reached"],
            want["leaflets"],
        )
    assert rows[0].activities_pct == rows[0].activities / 4 and rows[1].leaflets_pct is None
    assert rows.total["activities"] == rows[0].activities + rows[1].activities


# --- pages --------------------------------------------------------------------------------------------------


def test_figures_page_with_drill_down(org, world, client_for, hq_officer, django_assert_max_num_queries):
    c = client_for(hq_officer)
    with django_assert_max_num_queries(30):
        r = c.get("/education/figures/", {"period": "2026"})
    assert r.status_code == 200
    html = r.content.decode()
    want = expected(org.ho.path, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert f'data-value="{want["people_reached"]}"' in html
    assert "unit=B1" in html and "figures/?unit=B1" in html  # drill-down to the branch
    assert "status=approved" in html and "from=2026-01-01" in html and "to=2026-12-31" in html
    # and the branch's page, in its subtree, with the way up
    r = c.get("/education/figures/", {"unit": "B1", "edition": world.sept.pk})
    assert r.status_code == 200 and 'data-testid="figures-up"' in r.content.decode()
    assert f"edition={world.sept.pk}" in r.content.decode()


def test_figures_page_bad_period_is_a_field_error_not_500(org, world, client_for, branch_officer):
    r = client_for(branch_officer).get("/education/figures/", {"period": "2026-99"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    assert client_for(branch_officer).get("/education/figures/", {"unit": "B2"}).status_code == 404


def test_figures_export(org, world, client_for, hq_officer):
    r = client_for(hq_officer).get("/education/figures/export.xlsx", {"period": "2026"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_stats_section_and_report_section(org, world, hq_officer, branch_officer):
    from xiaobao.education.report_sections import education_section
    from xiaobao.education.stats import stats_section

    period = Period.year(2026)
    section = stats_section(user=hq_officer, unit=org.ho, period=period)
    want = expected(org.ho.path, start=period.start, end=period.end)
    assert section["data"].total.people_reached == want["people_reached"]
    assert stats_section(user=branch_officer, unit=org.b2, period=period) is None
    ctx = type("Ctx", (), {"user": hq_officer, "unit": org.ho, "period": period})
    chapter = education_section(ctx)
    assert chapter is not None and f"{want['activities']:,}" in chapter.paragraphs[0]
    ctx.period = Period.year(2020)
    assert education_section(ctx) is None


def test_registry_figures(org, world, hq_officer):
    from xiaobao.education.figures import figures

    got = {f.key: f.value for f in figures(hq_officer, dt.date(2026, 1, 1), dt.date(2026, 12, 31))}
    assert (
        got["activities"]
        == expected(org.ho.path, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))["activities"]
    )


def test_statistics_section_query_count_is_bounded(org, world, hq_officer, django_assert_max_num_queries):
    from xiaobao.education.stats import stats_section

    # given / when the section over a year; then the units and the grouped activities, twice (the period and
    # the one before), whatever the number of activities
    with django_assert_max_num_queries(6):
        stats_section(user=hq_officer, unit=org.ho, period=Period.year(2026))
