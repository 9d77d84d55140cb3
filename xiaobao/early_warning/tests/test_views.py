"""Pages: list (filters, export), detail, HTMX acknowledgement, watch-word admin, and the home panel."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.core.models import AuditEvent
from xiaobao.early_warning.models import EarlyWarning, WatchWord

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _warning(unit, kind="spike", key=None, **over) -> EarlyWarning:
    fields = {
        "kind": kind,
        "org_unit": unit,
        "category_code": "B03",
        "category_label": "银行卡",
        "count": 7,
        "baseline": 1.3,
        "threshold": 6,
        "period_start": DAY,
        "period_end": DAY,
        "drill_down": {"unit": unit.code, "business_type": "B03", "received_from": "2026-03-02"},
        "dedupe_key": key or f"{kind}:{unit.code}:{DAY}",
    }
    fields.update(over)
    return EarlyWarning.objects.create(**fields)


@pytest.fixture
def warnings(org):
    return type(
        "W",
        (),
        {
            "b1": _warning(org.b1s),
            "b2": _warning(org.b2s, category_code="B02", category_label="贷款"),
            "ho": _warning(org.ho, kind="near_breach", details={"reference": "TS2026", "due": "2026-03-03"}),
        },
    )


# --- list, detail, export ---------------------------------------------------------------------------------


def test_list_shows_only_the_branch_and_filters(client_for, branch_officer, warnings):
    client = client_for(branch_officer)
    html = client.get(reverse("early_warning:list")).content.decode()
    assert "海淀支行" in html and "浦东支行" not in html
    assert reverse("early_warning:detail", args=[warnings.ho.pk]) not in html
    # filters: kind, state, unit, dates (HTMX gets the results partial only)
    r = client.get(reverse("early_warning:list"), {"kind": "near_breach"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<h1>" not in r.content.decode() and "海淀支行" not in r.content.decode()
    r = client.get(reverse("early_warning:list"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert r.status_code == 400


def test_list_query_count_does_not_grow_with_rows(client_for, hq_officer, org, django_assert_max_num_queries):
    for i in range(30):
        _warning(org.b1s, key=f"k{i}")
    client = client_for(hq_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("early_warning:list")).status_code == 200


def test_detail_explains_the_rule_and_links_to_the_complaints(client_for, branch_officer, warnings):
    html = (
        client_for(branch_officer)
        .get(reverse("early_warning:detail", args=[warnings.b1.pk]))
        .content.decode()
    )
    assert "7" in html and "1.3" in html and "海淀支行" in html
    assert "/complaints/?unit=B1-S1&amp;business_type=B03" in html
    assert 'data-testid="warning-rule"' in html and 'data-testid="ack-form"' in html


def test_export_is_masked_and_audited(client_for, hq_officer, warnings, register, b1_handler):
    # given a warning acknowledged with a note, and a complaint with personal data behind a warning
    from xiaobao.early_warning.services import warning_acknowledge

    warning_acknowledge(actor=hq_officer, warning=warnings.b1, note="内部备注：已处理")
    # when
    r = client_for(hq_officer).get(reverse("early_warning:export"), {"state": "acknowledged"})
    # then a workbook of figures, no note, no personal data
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("银行卡" in c for c in cells) and "hq_cp" in cells
    assert not any("内部备注" in c for c in cells)
    assert ws.max_row == 2
    assert AuditEvent.objects.filter(action="export", object_type="early_warning.earlywarning").exists()


# --- acknowledgement ---------------------------------------------------------------------------------------


def test_acknowledge_inline_with_htmx_is_audited(client_for, branch_officer, warnings):
    url = reverse("early_warning:acknowledge", args=[warnings.b1.pk])
    r = client_for(branch_officer).post(url, {"note": "网点系统故障，已修复"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="ack-done"' in html and "<h1>" not in html
    assert f'id="w-state-{warnings.b1.pk}"' in html and 'hx-swap-oob="true"' in html  # the page's state badge
    w = EarlyWarning.objects.get(pk=warnings.b1.pk)
    assert w.acknowledged_by == branch_officer and w.acknowledgement_note == "网点系统故障，已修复"
    event = AuditEvent.objects.get(object_type="early_warning.earlywarning", object_id=str(w.pk))
    assert event.actor == branch_officer and "acknowledged_at" in event.changes


def test_acknowledge_refuses_personal_data_and_a_second_time(client_for, branch_officer, warnings):
    url = reverse("early_warning:acknowledge", args=[warnings.b1.pk])
    client = client_for(branch_officer)
    r = client.post(url, {"note": "客户电话13812345678"}, headers={"HX-Request": "true"})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert EarlyWarning.objects.get(pk=warnings.b1.pk).acknowledged_at is None
    assert client.post(url, {"note": ""}, headers={"HX-Request": "true"}).status_code == 200
    assert client.post(url, {"note": ""}, headers={"HX-Request": "true"}).status_code == 409


def test_acknowledge_needs_the_permission_and_the_scope(client_for, auditor, other_branch_officer, warnings):
    url = reverse("early_warning:acknowledge", args=[warnings.b1.pk])
    # an auditor sees every warning but may not acknowledge
    assert client_for(auditor).get(reverse("early_warning:detail", args=[warnings.b1.pk])).status_code == 200
    assert client_for(auditor).post(url, {"note": "x"}).status_code == 403
    # another branch's officer does not see it at all
    assert client_for(other_branch_officer).post(url, {"note": "x"}).status_code == 404
    assert EarlyWarning.objects.get(pk=warnings.b1.pk).acknowledged_at is None


# --- watch words ------------------------------------------------------------------------------------------


def test_sysadmin_edits_watch_words(client_for, sysadmin):
    client = client_for(sysadmin)
    url = reverse("early_warning:watch_words")
    assert client.post(url, {"word": " 黑猫 投诉 ", "is_active": "1"}).status_code == 302
    word = WatchWord.objects.get(word="黑猫 投诉")
    r = client.post(url, {"word": "黑猫 投诉", "is_active": "1"})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    client.post(reverse("early_warning:watch_word_edit", args=[word.pk]), {"is_active": "0"})
    assert WatchWord.objects.get(pk=word.pk).is_active is False
    client.post(reverse("early_warning:watch_word_delete", args=[word.pk]))
    assert not WatchWord.objects.filter(pk=word.pk).exists()
    assert AuditEvent.objects.filter(object_type="early_warning.watchword").count() == 3


def test_branch_officer_reads_the_watch_words_but_cannot_edit(client_for, branch_officer):
    client = client_for(branch_officer)
    html = client.get(reverse("early_warning:watch_words")).content.decode()
    assert "媒体" in html and 'data-testid="watch-word-form"' not in html
    assert client.post(reverse("early_warning:watch_words"), {"word": "新词"}).status_code == 403


# --- the home panel ----------------------------------------------------------------------------------------


def test_home_panel_shows_open_warnings_in_scope(
    client_for, org, branch_officer, other_branch_officer, warnings
):
    # given an acknowledged warning in branch 1 besides the open one
    done = _warning(
        org.b1o, key="done", acknowledged_by=branch_officer, acknowledged_at=dt.datetime.now(dt.UTC)
    )
    # when
    html = client_for(branch_officer).get(reverse("core:home")).content.decode()
    # then branch 1's open warning only
    assert 'data-testid="early-warnings"' in html
    assert reverse("early_warning:detail", args=[warnings.b1.pk]) in html
    assert reverse("early_warning:detail", args=[done.pk]) not in html
    assert reverse("early_warning:detail", args=[warnings.b2.pk]) not in html
    assert reverse("early_warning:detail", args=[warnings.ho.pk]) not in html
    other = client_for(other_branch_officer).get(reverse("core:home")).content.decode()
    assert reverse("early_warning:detail", args=[warnings.b2.pk]) in other
    assert reverse("early_warning:detail", args=[warnings.b1.pk]) not in other


def test_home_panel_is_limited_and_absent_without_permission(client_for, org, hq_officer):
    for i in range(12):
        _warning(org.b1s, key=f"k{i}")
    html = client_for(hq_officer).get(reverse("core:home")).content.decode()
    assert html.count('data-testid="early-warning"') == 8
    responder = make_user("responder", org.b1, ["business_responder"])
    assert (
        'data-testid="early-warnings"' not in client_for(responder).get(reverse("core:home")).content.decode()
    )
