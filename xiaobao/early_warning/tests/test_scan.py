"""`warning_scan` on real complaints registered through the services: each rule, dedupe, who is told."""

from __future__ import annotations

import datetime as dt
from unittest.mock import ANY

import pytest

from conftest import make_user
from xiaobao.complaints.models import Complaint, Notification
from xiaobao.complaints.services import complaint_transition
from xiaobao.early_warning.models import EarlyWarning, WarningScanRun, WatchWord
from xiaobao.early_warning.scan import _floors, warning_scan

from .conftest import DAY, NOW, at, travel

pytestmark = pytest.mark.django_db


def scan(moment=NOW, today=None):
    with travel(moment):
        return warning_scan(today=today)


def _told(warning: EarlyWarning) -> list[str]:
    """Who was notified of the warning (notification keys are "ew:<warning id>:<user id>")."""
    qs = Notification.objects.filter(kind="early_warning", dedupe_key__startswith=f"ew:{warning.pk}:")
    return sorted(qs.values_list("user__username", flat=True))


# --- spikes -----------------------------------------------------------------------------------------------


def test_flat_history_raises_no_spike(flat_history):
    # given one card complaint a day for four weeks and one today / when
    report = scan()
    # then
    assert report.created["spike"] == 0
    assert not EarlyWarning.objects.filter(kind="spike").exists()


def test_planted_spike_is_warned_once_at_its_unit(
    flat_history, register, b1_handler, org, branch_officer, hq_cp
):
    # given 7 more card complaints today at the sub-branch (8 against a baseline of 1 a working day)
    with travel(NOW):
        register(b1_handler, DAY, n=7, hour=14, complainant={"name": "某客户"})
    # when
    report = scan()
    # then one warning, at the sub-branch (its branch and head office are explained by it)
    assert report.created["spike"] == 1
    w = EarlyWarning.objects.get(kind="spike")
    assert (w.org_unit, w.category_code, w.period_end, w.count, w.threshold) == (org.b1s, "B03", DAY, 8, 6)
    assert w.baseline == pytest.approx(1.0)
    assert len(w.complaint_ids) == 8
    assert w.drill_down == {
        "unit": "B1-S1",
        "business_type": "B03",
        "received_from": "2026-03-02",
        "received_to": "2026-03-02",
    }
    assert "8" in w.summary() and "海淀支行" in w.summary() and "2026-03-02" in w.summary()
    # and the branch's and head office's consumer-protection officers are told
    assert _told(w) == ["branch1_cp", "ew_hq_cp"]


def test_spike_count_grows_on_the_same_warning(flat_history, register, b1_handler):
    with travel(NOW):
        register(b1_handler, DAY, n=7, hour=14, complainant={"name": "某客户"})
    scan()
    # given two more complaints the same day after the first scan
    later = NOW + dt.timedelta(minutes=30)
    with travel(later):
        register(b1_handler, DAY, n=2, hour=18, complainant={"name": "另一客户"})
    # when scanned again
    report = scan(later + dt.timedelta(minutes=1))
    # then the same warning shows the new count; nobody is told twice
    assert report.created["spike"] == 0 and report.updated == 1
    assert list(EarlyWarning.objects.filter(kind="spike").values_list("count", flat=True)) == [10]


def test_scan_twice_gives_the_same_warnings(flat_history, register, b1_handler, branch_officer):
    with travel(NOW):
        register(b1_handler, DAY, n=7, hour=14, complainant={"name": "某客户"}, description="要向媒体曝光")
    scan()
    counts = (EarlyWarning.objects.count(), Notification.objects.filter(kind="early_warning").count())
    # when the scan runs again (a retry, or the next interval)
    report = scan(NOW + dt.timedelta(minutes=5))
    # then nothing new
    assert sum(report.created.values()) == 0
    assert (EarlyWarning.objects.count(), Notification.objects.filter(kind="early_warning").count()) == counts
    assert WarningScanRun.objects.filter(finished_at__isnull=False).count() == 2


# --- watch words ------------------------------------------------------------------------------------------


def test_watch_words_in_a_new_complaint(register, b1_handler, branch_officer):
    # given a complaint threatening the media (default list: 媒体, 曝光)
    with travel(NOW):
        (c,) = register(b1_handler, DAY, description="客户称如不解决将向媒体曝光。", request="退还年费")
    # when
    scan()
    # then one warning naming the complaint and the words, and no personal data
    w = EarlyWarning.objects.get(kind="watch_word")
    assert w.complaint_ids == [c.pk] and w.details["words"] == ["媒体", "曝光"]
    text = w.summary()
    assert c.reference in text and "媒体" in text
    assert "张伟" not in text and "110108" not in text
    assert _told(w) == ["branch1_cp"]


def test_watch_words_read_only_complaints_registered_since_the_last_scan(register, b1_handler, sysadmin):
    # given an old complaint mentioning 黑猫投诉, scanned before the word was on the list
    with travel(at(DAY, 9)):
        register(b1_handler, DAY, hour=8, description="已在黑猫投诉平台发帖")
    scan(at(DAY, 10))
    WatchWord.objects.create(word="黑猫投诉")
    # and a new complaint with the word after that scan
    with travel(at(DAY, 11)):
        (new,) = register(b1_handler, DAY, hour=11, description="准备到黑猫投诉反映")
    # when
    scan(at(DAY, 12))
    # then only the new complaint is warned about
    assert list(EarlyWarning.objects.filter(kind="watch_word").values_list("complaint_ids", flat=True)) == [
        [new.pk]
    ]


def test_edited_watch_word_list_takes_effect(register, b1_handler):
    # given the default word 律师 switched off and a new word added
    WatchWord.objects.filter(word="律师").update(is_active=False)
    WatchWord.objects.create(word="诉讼")
    with travel(NOW):
        register(b1_handler, DAY, description="已咨询律师")
        (c,) = register(b1_handler, DAY, description="将向法院诉讼")
    # when
    scan()
    # then only the active word warns
    assert [
        (w.complaint_ids, w.details["words"]) for w in EarlyWarning.objects.filter(kind="watch_word")
    ] == [([c.pk], ["诉讼"])]


# --- repeat complainants ------------------------------------------------------------------------------------


def test_three_complaints_by_one_id_number_in_30_days_is_one_warning(register, b1_handler, b2_handler):
    # given the same ID number three times in 30 days — twice in branch 1, once in branch 2, where the
    # registration creates a second consumer record (branch 2 cannot see branch 1's) with the same blind index
    with travel(NOW):
        a, b = (
            register(b1_handler, DAY - dt.timedelta(days=20)),
            register(b1_handler, DAY - dt.timedelta(days=3)),
        )
        c = register(b2_handler, DAY, org_unit="B2-S1")
    assert len({a[0].complainant_id, b[0].complainant_id, c[0].complainant_id}) == 2
    # when scanned twice, and again the next day
    scan()
    scan(NOW + dt.timedelta(minutes=5))
    scan(NOW + dt.timedelta(days=1), today=DAY + dt.timedelta(days=1))
    # then one warning with the three complaints, at the latest complaint's unit
    w = EarlyWarning.objects.get(kind="repeat_complainant")
    assert (w.count, w.org_unit.code, w.period_start) == (3, "B2-S1", DAY - dt.timedelta(days=29))
    assert sorted(w.complaint_ids) == sorted([a[0].pk, b[0].pk, c[0].pk])
    assert w.subject.startswith("consumer:") and "110108" not in w.summary()


def test_two_complaints_or_three_spread_over_more_than_30_days_raise_nothing(register, b1_handler):
    with travel(NOW):
        register(b1_handler, DAY - dt.timedelta(days=40))
        register(b1_handler, DAY - dt.timedelta(days=3))
        register(b1_handler, DAY)
    scan()
    assert not EarlyWarning.objects.filter(kind="repeat_complainant").exists()


# --- group and major complaints -------------------------------------------------------------------------


def test_major_group_and_sensitive_complaints(register, b1_handler, hq_cp):
    with travel(NOW):
        (major,) = register(
            b1_handler, DAY, is_major=True, major_reason="涉及多名客户", complainant={"name": "甲"}
        )
        (group,) = register(b1_handler, DAY, people_count=6, complainant={"name": "乙"})
        (tagged,) = register(b1_handler, DAY, sensitivity_tags=["public_opinion"], complainant={"name": "丙"})
        register(b1_handler, DAY, complainant={"name": "丁"})
    # when
    scan()
    # then one warning each, naming why
    found = {w.complaint_ids[0]: w.details for w in EarlyWarning.objects.filter(kind="group_or_major")}
    assert set(found) == {major.pk, group.pk, tagged.pk}
    assert found[major.pk]["major"] is True
    assert found[group.pk]["people"] == 6
    assert found[tagged.pk]["tags"] == ["public_opinion"]
    assert "6" in EarlyWarning.objects.get(complaint_ids=[group.pk]).summary()


def test_complaint_marked_major_later_warns_again(register, b1_handler, branch_officer):
    with travel(NOW):
        (c,) = register(b1_handler, DAY, sensitivity_tags=["judicial"], complainant={"name": "甲"})
    scan()
    with travel(NOW + dt.timedelta(hours=1)):
        complaint_transition(actor=branch_officer, complaint=c, action="mark_major", data={"reason": "升级"})
    scan(NOW + dt.timedelta(hours=2))
    assert EarlyWarning.objects.filter(kind="group_or_major").count() == 2


# --- decisions about to be late --------------------------------------------------------------------------


def test_open_complaint_due_within_a_working_day_warns_the_units_officers(
    register, b1_handler, branch_officer, hq_cp, other_branch_officer
):
    # given an open complaint whose decision is due on the next working day
    with travel(NOW):
        (c,) = register(b1_handler, DAY, complainant={"name": "甲"})
    due = c.clocks.get(name="decision").due_date
    # when scanned two working days before: nothing; on the working day before: a warning
    from xiaobao.core.workdays import get_calendar

    cal = get_calendar()
    before = due - dt.timedelta(days=1)
    while not cal.is_workday(before):
        before -= dt.timedelta(days=1)
    earlier = before - dt.timedelta(days=1)
    while not cal.is_workday(earlier):
        earlier -= dt.timedelta(days=1)
    scan(at(earlier, 9), today=earlier)
    assert not EarlyWarning.objects.filter(kind="near_breach").exists()
    scan(at(before, 9), today=before)
    w = EarlyWarning.objects.get(kind="near_breach")
    assert w.complaint_ids == [c.pk] and w.period_end == due
    # then only the branch's consumer-protection officers are told (the handler hears from the SLA sweeper)
    assert _told(w) == ["branch1_cp"]


def test_closed_complaints_are_not_near_breach(register, b1_handler):
    with travel(NOW):
        (c,) = register(b1_handler, DAY, complainant={"name": "甲"})
    Complaint.objects.filter(pk=c.pk).update(status="withdrawn")
    due = c.clocks.get(name="decision").due_date
    scan(at(due, 9), today=due)
    assert not EarlyWarning.objects.filter(kind="near_breach").exists()


def test_head_office_unit_tells_head_office(register, org, hq_cp):
    # given a complaint with a watch word at the head office's department (no branch above it)
    clerk = make_user("ho_clerk", org.cpd, ["complaint_handler"])
    with travel(NOW):
        register(clerk, DAY, org_unit="HO-CPD", description="已联系记者")
    scan()
    assert _told(EarlyWarning.objects.get(kind="watch_word")) == ["ew_hq_cp"]


def test_new_complaints_are_read_from_the_id_marks_of_earlier_runs(register, b1_handler):
    # given a complaint, then scans every five minutes (each records the highest complaint id when it starts)
    start = at(DAY, 9)
    with travel(start - dt.timedelta(minutes=5)):
        (old,) = register(b1_handler, DAY, hour=8, description="已联系记者")
    for n in range(4):
        scan(start + dt.timedelta(minutes=5 * n))
    # and a complaint with a watch word registered after them
    with travel(start + dt.timedelta(minutes=17)):
        (c,) = register(b1_handler, DAY, hour=9, description="已联系记者")
    # when the next scan runs, reading from the marks of a run before its overlap window
    scan(start + dt.timedelta(minutes=20))
    # then the complaint is found, and the runs recorded their marks
    found = EarlyWarning.objects.filter(kind="watch_word").values_list("complaint_ids", flat=True)
    assert sorted(found) == [[old.pk], [c.pk]]
    assert WarningScanRun.objects.first().marks["complaint"] == c.pk
    # the last scan read ids above the mark of the run at 9:05 (the latest that started before 9:05)
    assert _floors(start + dt.timedelta(minutes=5)) == {"complaint": old.pk, "event": ANY}
