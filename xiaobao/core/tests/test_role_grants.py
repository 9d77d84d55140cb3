"""Four eyes on roles (issue 12, item 5): nobody grants themselves a role, and a role that reveals personal
data takes effect only when a second administrator approves the request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import make_user
from xiaobao.core.models import AuditEvent, User
from xiaobao.core.services import accounts as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin2(org):
    return make_user("admin2", org.ho, ["sysadmin"])


def _user_events(user: User, key: str) -> list[dict]:
    rows = AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk), changes__has_key=key)
    return [e.changes[key] for e in rows.order_by("id")]


def _reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_nobody_grants_a_role_to_themselves_on_the_page(client_for, sysadmin, org):
    # when an administrator ticks a consumer-protection role on their own user
    response = client_for(sysadmin).post(
        f"/users/{sysadmin.pk}/",
        {
            "full_name": "admin",
            "org_unit": org.ho.pk,
            "roles": ["sysadmin", "hq_cp_officer"],
            "is_active": "on",
        },
    )
    # then the form answers with a message on the roles field, and nothing changed
    assert response.status_code == 400
    assert response.context["form"].errors["roles"]
    assert _reload(sysadmin).role_codes == ["sysadmin"]
    assert svc.role_requests(_reload(sysadmin)) == []
    assert not _user_events(sysadmin, "roles") or _user_events(sysadmin, "roles") == [[None, ["sysadmin"]]]


def test_nobody_grants_a_role_to_themselves_through_the_api(api_for, sysadmin):
    response = api_for(sysadmin).patch(
        f"/api/v1/users/{sysadmin.pk}", {"roles": ["sysadmin", "auditor"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"]["roles"]
    assert _reload(sysadmin).role_codes == ["sysadmin"]


def test_a_role_revealing_personal_data_waits_for_a_second_administrator(
    client_for, sysadmin, admin2, branch_officer, org
):
    # given a user without a consumer-protection role
    target = make_user("plain", org.b1, ["approver"])
    # when one administrator gives it the complaint-handler role (which reveals personal data)
    response = client_for(sysadmin).post(
        f"/users/{target.pk}/",
        {
            "full_name": "plain",
            "org_unit": org.b1.pk,
            "roles": ["approver", "complaint_handler"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    # then the role is only requested: no permission yet
    target = _reload(target)
    assert target.role_codes == ["approver"]
    assert not target.has_perm("core.reveal_personal_data")
    assert [(r.role, r.requested_by.username) for r in svc.role_requests(target)] == [
        ("complaint_handler", "admin")
    ]
    assert _user_events(target, "role_requested")[-1] == [None, "complaint_handler"]
    # and the requester cannot approve its own request
    own = client_for(sysadmin).post(f"/users/{target.pk}/roles/complaint_handler/approve/")
    assert own.status_code == 400
    assert _reload(target).role_codes == ["approver"]
    # when a second administrator approves it (the page shows the request)
    page = client_for(admin2).get(f"/users/{target.pk}/")
    assert "complaint_handler" in page.content.decode()
    approved = client_for(admin2).post(f"/users/{target.pk}/roles/complaint_handler/approve/")
    assert approved.status_code == 302
    # then the role is in effect, the request is gone, and the audit trail names both administrators
    target = _reload(target)
    assert target.role_codes == ["approver", "complaint_handler"]
    assert target.has_perm("core.reveal_personal_data")
    assert svc.role_requests(target) == []
    event = AuditEvent.objects.filter(object_id=str(target.pk), changes__has_key="role_approved").last()
    assert event.actor_id == admin2.pk
    assert event.changes["roles"] == [["approver"], ["approver", "complaint_handler"]]
    assert event.changes["role_approved"] == ["admin", "complaint_handler"]


def test_a_new_user_with_a_personal_data_role_starts_without_it(api_for, sysadmin, admin2, org):
    response = api_for(sysadmin).post(
        "/api/v1/users",
        {
            "username": "sock",
            "full_name": "马甲",
            "unit": "HO",
            "roles": ["hq_cp_officer", "auditor"],
            "password": "Api-pass-2026-ok",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["roles"] == ["auditor"]
    assert body["pending_roles"] == [{"role": "hq_cp_officer", "requested_by": "admin"}]
    user = User.objects.get(username="sock")
    # the requester cannot approve through the API either; a second administrator can
    own = api_for(sysadmin).post(f"/api/v1/users/{user.pk}/pending-roles/hq_cp_officer/approve")
    assert own.status_code == 422 and own.json()["fields"]["roles"]
    ok = api_for(admin2).post(f"/api/v1/users/{user.pk}/pending-roles/hq_cp_officer/approve")
    assert ok.status_code == 200 and ok.json()["roles"] == ["auditor", "hq_cp_officer"]
    assert ok.json()["pending_roles"] == []


def test_the_person_concerned_cannot_approve_a_request_for_themselves(sysadmin, admin2):
    svc.user_update(actor=sysadmin, user=admin2, roles=["sysadmin", "branch_cp_officer"])
    with pytest.raises(ValidationError) as exc:
        svc.role_request_approve(actor=admin2, user=admin2, role="branch_cp_officer")
    assert "roles" in exc.value.message_dict
    assert _reload(admin2).role_codes == ["sysadmin"]


def test_a_request_can_be_rejected_and_saving_the_form_keeps_it(client_for, sysadmin, admin2, org):
    target = make_user("plain", org.b1, [])
    svc.user_update(actor=sysadmin, user=target, roles=["complaint_handler"])
    # saving the user again (the role not ticked: it is not in effect) keeps the request
    svc.user_update(actor=admin2, user=target, full_name="改名", roles=[])
    assert [r.role for r in svc.role_requests(_reload(target))] == ["complaint_handler"]
    response = client_for(admin2).post(f"/users/{target.pk}/roles/complaint_handler/reject/")
    assert response.status_code == 302
    assert svc.role_requests(_reload(target)) == [] and _reload(target).role_codes == []
    assert _user_events(target, "role_rejected")[-1] == ["admin", "complaint_handler"]


def test_roles_without_personal_data_and_removals_take_effect_at_once(sysadmin, branch_officer):
    svc.user_update(actor=sysadmin, user=branch_officer, roles=["approver"])
    assert _reload(branch_officer).role_codes == ["approver"]
    assert svc.role_requests(_reload(branch_officer)) == []


def test_the_waiting_request_shows_names_not_codes(client_for, sysadmin, admin2, branch_officer):
    # given a role request made by an administrator with a full name
    User.objects.filter(pk=admin2.pk).update(full_name="王二")
    svc.user_update(
        actor=_reload(admin2), user=branch_officer, roles=[*branch_officer.role_codes, "complaint_handler"]
    )
    # when another administrator opens the user's page
    html = client_for(sysadmin).get(f"/users/{branch_officer.pk}/", headers={"accept-language": "zh-hans"})
    text = html.content.decode()
    # then the request names the role and the requester, never the role code or the login
    assert "投诉处理员" in text and "王二" in text
    assert "(complaint_handler)" not in text and "申请人 admin2" not in text
