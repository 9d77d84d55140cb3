"""QR sign-in: the logged-in page (one tap for the user's own staff record) and the public page (employee
number and name, throttled), only while sign-in is open and on the session's day."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from conftest import make_user
from xiaobao.core.models import AuditEvent
from xiaobao.training import public_views
from xiaobao.training import services as svc
from xiaobao.training.models import Attendance
from xiaobao.training.tests.test_sessions_fixtures import person, pinned, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]


@pytest.fixture
def _pinned():
    cache.clear()  # throttle counters of other tests
    with pinned():
        yield
    cache.clear()


@pytest.fixture
def open_session(org, branch_officer):
    """Today's 2 h session of the Beijing branch, sign-in open."""
    s = session(org.b1, branch_officer, "2026-03-02", "2.0", title="三月消保培训", venue="三楼会议室")
    return svc.session_signin_open(actor=branch_officer, session=s, open=True)


@pytest.fixture
def learner(org):
    user = make_user("E1001", org.b1s, ["learner"])
    person("E1001", org.b1s, user=user)
    return user


def url(s, public: bool = False) -> str:
    return f"/public/training/sign-in/{s.signin_token}/" if public else f"/training/sign-in/{s.signin_token}/"


# --- logged in ----------------------------------------------------------------------------------------------


def test_one_tap_records_the_users_own_staff_record(client_for, open_session, learner):
    client = client_for(learner)
    page = client.get(url(open_session)).content.decode()
    assert "三月消保培训" in page and 'data-testid="signin-button"' in page and "员工E1001" in page
    response = client.post(url(open_session))
    assert response.status_code == 302 and response["Location"] == url(open_session)
    row = Attendance.objects.get()
    assert (row.staff.employee_no, row.method, row.hours, row.recorded_by) == (
        "E1001",
        "qr",
        Decimal("2.0"),
        learner,
    )
    done = client.get(url(open_session)).content.decode()
    assert 'data-testid="signin-done"' in done and "signin-button" not in done
    # a second tap changes nothing
    client.post(url(open_session))
    assert Attendance.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="training.attendance", action="create").count() == 1


def test_closed_or_another_day_is_refused(client_for, org, branch_officer, open_session, learner):
    client = client_for(learner)
    svc.session_signin_open(actor=branch_officer, session=open_session, open=False)
    closed = client.post(url(open_session))
    assert closed.status_code == 409 and "本场次签到已关闭" in closed.content.decode()
    svc.session_signin_open(actor=branch_officer, session=open_session, open=True)
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        client = client_for(learner)  # a new day, a new login
        late = client.post(url(open_session))
        assert late.status_code == 409 and "只能在培训当天（2026-03-02）签到" in late.content.decode()
        assert "signin-button" not in client.get(url(open_session)).content.decode()
    assert not Attendance.objects.exists()


def test_a_user_without_a_staff_record_is_told_and_pointed_to_the_public_page(client_for, org, open_session):
    user = make_user("nostaff", org.b1s, ["learner"])
    page = client_for(user).get(url(open_session)).content.decode()
    assert "您的账号未关联员工名册" in page and url(open_session, public=True) in page
    assert client_for(user).post(url(open_session)).status_code == 422
    assert not Attendance.objects.exists()


def test_a_session_of_another_branch_or_an_unknown_token_is_not_found(client_for, org, open_session):
    stranger = make_user("E2001", org.b2s, ["learner"])
    person("E2001", org.b2s, user=stranger)
    assert client_for(stranger).get(url(open_session)).status_code == 404
    assert client_for(stranger).post(url(open_session)).status_code == 404
    assert client_for(stranger).get("/training/sign-in/not-a-token/").status_code == 404
    assert not Attendance.objects.exists()


def test_signing_in_needs_a_login(client, open_session):
    response = client.get(url(open_session))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_left_person_cannot_sign_in(client_for, org, open_session):
    user = make_user("E1009", org.b1s, ["learner"])
    person("E1009", org.b1s, user=user, active=False)
    assert client_for(user).post(url(open_session)).status_code == 422
    assert not Attendance.objects.exists()


# --- public -------------------------------------------------------------------------------------------------


def test_public_signin_with_number_and_name(client, org, open_session):
    person("E1002", org.b1o)
    page = client.get(url(open_session, public=True))
    assert page.status_code == 200 and "三楼会议室" in page.content.decode()
    response = client.post(url(open_session, public=True), {"employee_no": " E1002 ", "name": "员工 E1002"})
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert (row.staff.employee_no, row.method, row.recorded_by) == ("E1002", "qr", None)
    shown = client.get(url(open_session, public=True)).content.decode()
    assert "签到成功：员工E1002" in shown
    client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "员工E1002"})
    assert Attendance.objects.count() == 1


def test_public_signin_tells_nothing_about_who_is_registered(client, org, open_session):
    person("E1002", org.b1s)
    person("E2002", org.b2s)
    wrong_name = client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "别人"})
    unknown = client.post(url(open_session, public=True), {"employee_no": "E9999", "name": "别人"})
    other_branch = client.post(url(open_session, public=True), {"employee_no": "E2002", "name": "员工E2002"})
    for response in (wrong_name, unknown, other_branch):
        assert response.status_code == 400
        assert "工号与姓名与本场次所属机构的员工名册不符" in response.content.decode()
    assert "员工E1002" not in wrong_name.content.decode()
    assert not Attendance.objects.exists()


def test_public_signin_only_while_open_and_on_the_day(client, org, branch_officer, open_session):
    person("E1002", org.b1s)
    svc.session_signin_open(actor=branch_officer, session=open_session, open=False)
    page = client.get(url(open_session, public=True)).content.decode()
    assert "本场次签到已关闭" in page and "public-signin-form" not in page
    assert (
        client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "员工E1002"}).status_code
        == 409
    )
    svc.session_signin_open(actor=branch_officer, session=open_session, open=True)
    with time_machine.travel("2026-03-01 18:00 +0800", tick=False):
        early = client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "员工E1002"})
        assert early.status_code == 409
    assert not Attendance.objects.exists()
    assert client.get("/public/training/sign-in/nope/").status_code == 404


def test_failed_attempts_are_capped_per_address_and_per_number(client, org, open_session, monkeypatch):
    monkeypatch.setattr(public_views, "FAILURES", 3)
    person("E1002", org.b1s)
    person("E1003", org.b1s)
    for _ in range(3):
        client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "猜"})
    # then even the right name is refused from that address for now, for any number
    blocked = client.post(url(open_session, public=True), {"employee_no": "E1003", "name": "员工E1003"})
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()
    # and guesses at E1002 from elsewhere are refused too (per number)
    other = client.post(
        url(open_session, public=True), {"employee_no": "E1002", "name": "员工E1002"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 429
    fine = client.post(
        url(open_session, public=True), {"employee_no": "E1003", "name": "员工E1003"}, REMOTE_ADDR="10.9.9.9"
    )
    assert fine.status_code == 302
    assert list(Attendance.objects.values_list("staff__employee_no", flat=True)) == ["E1003"]
    # ten minutes later the window has passed
    with time_machine.travel("2026-03-02 10:11 +0800", tick=False):
        later = client.post(url(open_session, public=True), {"employee_no": "E1002", "name": "员工E1002"})
        assert later.status_code == 302


def test_a_whole_room_behind_one_address_signs_in_but_a_flood_is_cut(client, org, open_session, monkeypatch):
    monkeypatch.setattr(public_views, "PER_MINUTE", 5)
    for i in range(5):
        person(f"R{i}", org.b1s)
        assert (
            client.post(
                url(open_session, public=True), {"employee_no": f"R{i}", "name": f"员工R{i}"}
            ).status_code
            == 302
        )
    person("R9", org.b1s)
    flood = client.post(url(open_session, public=True), {"employee_no": "R9", "name": "员工R9"})
    assert flood.status_code == 429 and Attendance.objects.count() == 5


def test_the_organiser_sees_qr_signins_in_the_attendance(
    client_for, org, branch_officer, open_session, learner
):
    client_for(learner).post(url(open_session))
    page = client_for(branch_officer).get(f"/training/sessions/{open_session.pk}/").content.decode()
    assert "员工E1001" in page and "扫码签到" in page
