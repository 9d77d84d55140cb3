"""The group → role mapping (pages and API): validation (DN syntax, role, unit), the permission (system
administrators only), the configuration shown without the bind password; settings and the app without a
directory."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from xiaobao.core.models import AuditEvent
from xiaobao.directory import conf
from xiaobao.directory import dn as dnlib
from xiaobao.directory.models import GroupRoleMapping

pytestmark = pytest.mark.django_db

URL = "/api/v1/directory/group-mappings"


def test_dn_syntax_and_normal_form():
    assert dnlib.normalize("CN=Staff, OU=Groups,DC=Bank") == "cn=staff,ou=groups,dc=bank"
    assert dnlib.normalize(r"cn=Smith\, J,ou=x") == r"cn=smith\, j,ou=x"
    for bad in ("", "staff", "cn=", "=x", "cn=a,,dc=b", "c n=a", "cn=a\\"):
        assert not dnlib.is_dn(bad), bad


def test_conf_without_uri_keeps_model_backend_and_never_exposes_the_password():
    built = conf.build({"XIAOBAO_LDAP_BIND_PASSWORD": "s3cret"})
    assert built == {"DIRECTORY": built["DIRECTORY"]} and not built["DIRECTORY"]["enabled"]
    assert settings.AUTHENTICATION_BACKENDS == ["django.contrib.auth.backends.ModelBackend"]
    summary = conf.summary({"XIAOBAO_LDAP_URI": "ldaps://dc1", "XIAOBAO_LDAP_BIND_PASSWORD": "s3cret"})
    assert "s3cret" not in repr(summary) and summary["bind_password_set"]
    assert summary["user_filter"] == "(uid=%(user)s)"


def test_api_create_list_patch_delete_with_audit(sysadmin, api_for, org):
    api = api_for(sysadmin)
    # when an administrator maps a group to a role with a unit override
    r = api.post(
        URL,
        {"group_dn": "CN=CP, OU=Groups,DC=bank,DC=cn", "role": "branch_cp_officer", "org_unit": "B1"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert r.json()["org_unit"] == "B1"
    assert [m["id"] for m in api.get(URL).json()] == [mid]
    # then the same group and role again is refused with a field message
    again = api.post(
        URL,
        {"group_dn": "cn=cp,ou=groups,dc=bank,dc=cn", "role": "branch_cp_officer"},
        content_type="application/json",
    )
    assert again.status_code == 422 and "role" in again.json()["fields"]
    # and a change and a delete are audited
    r = api.patch(f"{URL}/{mid}", {"role": "auditor", "org_unit": None}, content_type="application/json")
    assert r.status_code == 200 and r.json()["role"] == "auditor" and r.json()["org_unit"] is None
    assert api.delete(f"{URL}/{mid}").status_code == 204
    assert not GroupRoleMapping.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="directory.grouprolemapping").values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "delete", "update"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"group_dn": "cn=staff,,dc=b", "role": "auditor"}, "group_dn"),  # a DN that does not parse
        ({"group_dn": "   ", "role": "auditor"}, "group_dn"),
        ({"group_dn": "cn=a,dc=b", "role": "emperor"}, "role"),
        ({"group_dn": "cn=a,dc=b", "role": "auditor", "org_unit": "NOPE"}, "org_unit"),
    ],
)
def test_api_validation_answers_field_messages(sysadmin, api_for, payload, field):
    r = api_for(sysadmin).post(URL, payload, content_type="application/json")
    assert r.status_code == 422 and field in r.json()["fields"], r.content
    assert not GroupRoleMapping.objects.exists()


def test_non_administrators_get_403(branch_officer, hq_officer, api_for, client_for):
    for user in (branch_officer, hq_officer):
        assert api_for(user).get(URL).status_code == 403
        assert (
            api_for(user)
            .post("/api/v1/directory/lookup", {"username": "x"}, content_type="application/json")
            .status_code
            == 403
        )
        assert client_for(user).get(reverse("directory:index")).status_code == 403


def test_lookup_and_sync_answer_409_without_a_directory(sysadmin, api_for):
    api = api_for(sysadmin)
    r = api.post("/api/v1/directory/lookup", {"username": "zhangsan"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "directory_off"
    assert api.post("/api/v1/directory/sync").status_code == 409


def test_page_shows_the_mapping_and_config_and_validates_the_form(sysadmin, client_for, settings):
    client = client_for(sysadmin)
    settings.DIRECTORY = conf.summary(
        {"XIAOBAO_LDAP_URI": "ldaps://dc1.bank.cn", "XIAOBAO_LDAP_BIND_PASSWORD": "pw-S3CRET"}
    )
    # given a bad DN, the form answers 400 with the field's message
    r = client.post(reverse("directory:mapping_create"), {"group_dn": "cn=not a dn,,", "role": "auditor"})
    assert r.status_code == 400 and "group_dn" in r.context["form"].errors
    # when a good one is saved, the page lists it and shows the configuration without the password
    r = client.post(
        reverse("directory:mapping_create"),
        {"group_dn": "cn=audit,ou=groups,dc=bank,dc=cn", "role": "auditor"},
    )
    assert r.status_code == 302
    page = client.get(reverse("directory:index")).content.decode()
    assert "cn=audit,ou=groups,dc=bank,dc=cn" in page and "ldaps://dc1.bank.cn" in page
    assert "pw-S3CRET" not in page
    m = GroupRoleMapping.objects.get()
    assert (
        client.post(
            reverse("directory:mapping_edit", args=[m.pk]), {"group_dn": m.group_dn, "role": ""}
        ).status_code
        == 400
    )
    assert client.post(reverse("directory:mapping_delete", args=[m.pk])).status_code == 302
    assert not GroupRoleMapping.objects.exists()


def test_demo_loads_mappings_once(org):
    from xiaobao.directory.demo import load

    load(None)
    load(None)
    assert GroupRoleMapping.objects.count() == 6
