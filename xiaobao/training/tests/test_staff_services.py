"""The staff register's services: create, update, deactivate, scope and permission, audit, and keeping the
register in step with user accounts (link by employee number = username; a linked account's unit change
moves the person)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from xiaobao.core.models import AuditEvent, User
from xiaobao.core.services.accounts import user_update
from xiaobao.training.models import StaffMember
from xiaobao.training.staff import link_accounts, staff_create, staff_deactivate, staff_update
from xiaobao.training.tests.test_staff_fixtures import NOW, person

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def data(**over):
    base = {
        "employee_no": "100001",
        "name": "王芳",
        "org_unit": "B1-S1-O1",
        "layer": "front_line",
        "position": "柜员",
        "hire_date": "2020-07-01",
    }
    base.update(over)
    return base


def test_create_registers_and_audits(org, branch_officer):
    # when a branch officer registers a person of an outlet under the branch
    staff = staff_create(actor=branch_officer, data=data())
    # then
    staff.refresh_from_db()
    assert (staff.org_unit, staff.layer.code, staff.active, staff.user) == (org.b1o, "front_line", True, None)
    assert str(staff.hire_date) == "2020-07-01"
    event = AuditEvent.objects.get(object_type="training.staffmember", object_id=str(staff.pk))
    assert event.action == "create" and event.actor == branch_officer


def test_create_refuses_other_subtree_duplicates_and_empty_fields(org, branch_officer):
    staff_create(actor=branch_officer, data=data())
    # when: another branch's unit, the same number again, no name, an unknown layer, a bad date
    with pytest.raises(ValidationError) as exc:
        staff_create(
            actor=branch_officer,
            data=data(org_unit="B2-S1", name=" ", layer="astronaut", hire_date="2020-13-01"),
        )
    # then every field says why, at once
    assert set(exc.value.message_dict) == {"org_unit", "employee_no", "name", "layer", "hire_date"}
    assert StaffMember.objects.count() == 1


def test_only_managers_write(org, auditor, no_role_user):
    for user in (auditor, no_role_user):
        with pytest.raises(PermissionDenied):
            staff_create(actor=user, data=data())


def test_update_and_deactivate_stay_in_scope(org, branch_officer, other_branch_officer):
    staff = staff_create(actor=branch_officer, data=data())
    # when the other branch tries to edit or deactivate
    with pytest.raises(PermissionDenied):
        staff_update(actor=other_branch_officer, staff=staff, data={"name": "改名"})
    with pytest.raises(PermissionDenied):
        staff_deactivate(actor=other_branch_officer, staff=staff)
    # and Beijing cannot move its person to Shanghai
    with pytest.raises(ValidationError) as exc:
        staff_update(actor=branch_officer, staff=staff, data={"org_unit": org.b2s})
    assert "org_unit" in exc.value.message_dict
    # when Beijing edits and marks the person as left
    staff_update(
        actor=branch_officer, staff=staff, data={"layer": "middle_management", "position": "网点主任"}
    )
    staff_deactivate(actor=branch_officer, staff=staff)
    staff.refresh_from_db()
    # then
    assert (staff.layer.code, staff.position, staff.active) == ("middle_management", "网点主任", False)
    changes = list(
        AuditEvent.objects.filter(object_id=str(staff.pk), action="update").values_list("changes", flat=True)
    )
    assert any("layer" in c for c in changes) and any(c.get("active") == [True, False] for c in changes)


def test_a_new_person_is_linked_to_the_account_named_by_the_employee_number(org, branch_officer):
    # given an account whose username is the employee number
    account = make_user("100001", org.b1o, ["learner"])
    # when the person is registered
    staff = staff_create(actor=branch_officer, data=data())
    # then they are linked
    assert staff.user == account


def test_an_account_created_later_links_the_person(org, branch_officer):
    # given a registered person without an account
    staff = staff_create(actor=branch_officer, data=data())
    # when an account with that username is created
    account = make_user("100001", org.b1, ["learner"])
    # then the person is linked to it, and keeps the register's unit (only a later move moves them)
    staff.refresh_from_db()
    assert staff.user == account and staff.org_unit == org.b1o


def test_a_renamed_account_links_the_person(org, branch_officer, sysadmin):
    staff = staff_create(actor=branch_officer, data=data())
    account = make_user("wangfang", org.b1o, ["learner"])
    assert StaffMember.objects.get(pk=staff.pk).user is None
    # when the administrator renames the account to the employee number
    account.username = "100001"
    account.save()
    # then
    assert StaffMember.objects.get(pk=staff.pk).user_id == account.pk


def test_a_linked_accounts_unit_change_moves_the_person(org, branch_officer, sysadmin):
    # given a linked person at the outlet
    account = make_user("100001", org.b1o, ["learner"])
    staff = staff_create(actor=branch_officer, data=data())
    assert staff.user == account
    # when the administrator moves the account to the Shanghai sub-branch
    user_update(actor=sysadmin, user=User.objects.get(pk=account.pk), org_unit=org.b2s)
    # then the person moves too, and the audit trail says why
    staff.refresh_from_db()
    assert staff.org_unit == org.b2s
    event = AuditEvent.objects.filter(object_id=str(staff.pk), action="update").latest("pk")
    assert event.changes["reason"] == "the linked account moved"


def test_saving_an_account_without_moving_it_leaves_the_person(org, branch_officer):
    account = make_user("100001", org.b1, ["learner"])
    staff = staff_create(actor=branch_officer, data=data(org_unit="B1-S1-O1"))
    # when the account is saved for another reason (name), or logs in
    account.full_name = "王芳芳"
    account.save()
    account.save(update_fields=["last_login"])
    # then the register's unit stays
    staff.refresh_from_db()
    assert staff.org_unit == org.b1o


def test_explicit_link_and_unlink(org, branch_officer):
    other = make_user("wang.fang", org.b1o, ["learner"])
    stranger = make_user("someone_b2", org.b2, ["learner"])
    staff = staff_create(actor=branch_officer, data=data(username="wang.fang"))
    assert staff.user == other
    # an account outside the officer's units, and an account linked to someone else, are refused
    with pytest.raises(ValidationError):
        staff_update(actor=branch_officer, staff=staff, data={"username": stranger.username})
    second = staff_create(actor=branch_officer, data=data(employee_no="100002"))
    with pytest.raises(ValidationError) as exc:
        staff_update(actor=branch_officer, staff=second, data={"username": "wang.fang"})
    assert "100001" in exc.value.message_dict["username"][0]
    # "" unlinks
    staff_update(actor=branch_officer, staff=staff, data={"username": ""})
    assert StaffMember.objects.get(pk=staff.pk).user is None


def test_link_accounts_in_bulk(org):
    a = person("200001", org.b1)
    b = person("200002", org.b1)
    person("200003", org.b1)
    ua = make_user("200001", org.b1, ["learner"])
    # an account created before the person exists: linked by the bulk pass
    StaffMember.objects.filter(pk=a.pk).update(user=None)
    ub = User.objects.create(username="200002", org_unit=org.b1)
    StaffMember.objects.filter(pk=b.pk).update(user=None)
    # when
    linked = link_accounts()
    # then
    assert linked == 2
    assert StaffMember.objects.get(pk=a.pk).user == ua and StaffMember.objects.get(pk=b.pk).user == ub
    assert link_accounts() == 0
