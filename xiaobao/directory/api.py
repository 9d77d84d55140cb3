"""Directory sign-in API (/api/v1/directory/...): the group → role mapping, the test-a-user look-up, the
sync as a background job. All need directory.manage_groupmapping (the system administrator's)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit, User
from xiaobao.directory import selectors, services
from xiaobao.directory.models import MANAGE, GroupRoleMapping

router = Router(tags=["Directory sign-in"])


class GroupMappingOut(Schema):
    id: int
    group_dn: str
    role: str
    role_name: str
    org_unit: str | None
    org_unit_name: str | None
    note: str


class GroupMappingIn(Schema):
    group_dn: str = Field(
        ...,
        max_length=500,
        description="The directory group: an LDAP DN, or an OpenID provider's group name or id",
    )
    role: str = Field(..., max_length=40, description="A role code (GET /api/v1/roles)")
    org_unit: str | None = Field(None, max_length=32, description="Unit code the members belong to")
    note: str = Field("", max_length=200)


class GroupMappingPatch(Schema):
    group_dn: str | None = Field(None, max_length=500)
    role: str | None = Field(None, max_length=40)
    org_unit: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=200)


def _out(m: GroupRoleMapping) -> dict[str, Any]:
    return {
        "id": m.pk,
        "group_dn": m.group_dn,
        "role": m.role,
        "role_name": m.get_role_display(),
        "org_unit": m.org_unit.code if m.org_unit else None,
        "org_unit_name": m.org_unit.name if m.org_unit else None,
        "note": m.note,
    }


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    if "org_unit" in payload:
        code = payload["org_unit"]
        unit = OrgUnit.objects.filter(code=code).first() if code else None
        if code and unit is None:
            raise field_error("org_unit", _("Unknown unit."))
        payload["org_unit"] = unit
    return payload


@router.get("/directory/group-mappings", response=list[GroupMappingOut], summary="The group → role mapping")
def mappings(request: HttpRequest):
    require_perm(request.user, MANAGE)
    return [_out(m) for m in selectors.mapping_list(user=request.user)]


@router.post("/directory/group-mappings", response={201: GroupMappingOut}, summary="Map a group to a role")
def mapping_create(request: HttpRequest, payload: GroupMappingIn):
    require_perm(request.user, MANAGE)
    m = services.mapping_save(actor=request.user, data=_data(payload.dict()))
    return Status(201, _out(m))


def _mapping(request: HttpRequest, mapping_id: int) -> GroupRoleMapping:
    require_perm(request.user, MANAGE)
    return get_visible(selectors.mapping_list(user=request.user), pk=mapping_id)


@router.patch("/directory/group-mappings/{mapping_id}", response=GroupMappingOut, summary="Change a mapping")
def mapping_update(request: HttpRequest, mapping_id: int, payload: GroupMappingPatch):
    m = _mapping(request, mapping_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "org_unit"}
    m = services.mapping_save(actor=request.user, data=_data(data), mapping=m)
    return _out(m)


@router.delete("/directory/group-mappings/{mapping_id}", response={204: None}, summary="Delete a mapping")
def mapping_delete(request: HttpRequest, mapping_id: int):
    m = _mapping(request, mapping_id)
    services.mapping_delete(actor=request.user, mapping=m)
    return Status(204, None)


class DirectoryLookupIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)


class DirectoryLookupOut(Schema):
    found: bool
    username: str
    dn: str
    name: str
    email_masked: str
    unit: str | None
    unit_problem: str
    disabled: bool
    groups: list[str]
    roles: list[str]


@router.post(
    "/directory/lookup",
    response=DirectoryLookupOut,
    summary="What the directory says about a username and the roles they would get (audited; 409 when no "
    "directory is configured)",
)
def lookup(request: HttpRequest, payload: DirectoryLookupIn):
    require_perm(request.user, MANAGE)
    if not payload.username.strip():
        raise field_error("username", _("This field is required."))
    r = services.directory_lookup(actor=request.user, username=payload.username)
    return {
        "found": r.found,
        "username": r.username,
        "dn": r.dn,
        "name": r.name,
        "email_masked": r.email_masked,
        "unit": r.unit.code if r.unit else None,
        "unit_problem": r.unit_problem,
        "disabled": r.disabled,
        "groups": r.groups,
        "roles": r.roles,
    }


class DirectorySyncOut(Schema):
    id: int
    state: str
    trigger: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    message: str
    error: str
    summary: dict[str, int]


@router.post(
    "/directory/sync",
    response={202: DirectorySyncOut},
    summary="Queue a directory sync (a background job; 409 when no directory is configured)",
)
def sync(request: HttpRequest):
    require_perm(request.user, MANAGE)
    run = services.sync_request(actor=cast(User, request.user))
    return Status(
        202,
        {
            "id": run.pk,
            "state": run.state,
            "trigger": run.trigger,
            "created_at": run.created_at,
            "finished_at": run.finished_at,
            "message": run.message,
            "error": run.error,
            "summary": run.summary or {},
        },
    )
