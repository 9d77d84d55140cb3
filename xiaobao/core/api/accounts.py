"""Identity, health, roles and users."""

from typing import cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.roles import ROLES, role_permissions
from xiaobao.core.selectors import health_status, user_list
from xiaobao.core.services import accounts as svc

router = Router(tags=["identity"])


class UnitRef(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    unit: UnitRef | None
    roles: list[str]
    role_names: list[str]
    permissions: list[str]
    sees_all_units: bool


class HealthOut(Schema):
    status: str
    database: str


class RoleOut(Schema):
    code: str
    name: str
    description: str
    permissions: list[str]


class RoleRequestOut(Schema):
    role: str
    requested_by: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    unit: UnitRef | None
    roles: list[str] = Field(..., description="Roles in effect")
    pending_roles: list[RoleRequestOut] = Field(
        ..., description="Roles that reveal personal data, requested and waiting for a second administrator"
    )
    is_active: bool
    has_2fa: bool


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    full_name: str = Field(..., min_length=1, max_length=60)
    email: str = Field("", max_length=254)
    unit: str = Field(..., description="Unit code", max_length=32)
    roles: list[str] = []
    password: str = Field(..., min_length=1, max_length=128)


class UserPatch(Schema):
    full_name: str | None = Field(None, max_length=60)
    email: str | None = Field(None, max_length=254)
    unit: str | None = Field(None, max_length=32)
    roles: list[str] | None = None
    is_active: bool | None = None


class UserFilter(Schema):
    q: str = Field("", max_length=50)
    unit: str = Field("", max_length=32)
    role: str = Field("", max_length=40)
    include_inactive: bool = False


def _unit_ref(unit: OrgUnit | None) -> dict | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def _user_out(user: User) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "unit": _unit_ref(user.org_unit),
        "roles": user.role_codes,
        "pending_roles": [
            {"role": r.role, "requested_by": r.requested_by.username if r.requested_by else ""}
            for r in svc.role_requests(user)
        ],
        "is_active": user.is_active,
        "has_2fa": user.has_2fa,
    }


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, summary="Health check")
def health(request: HttpRequest):
    return Status(*health_status())


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest):
    user = cast(User, request.user)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit": _unit_ref(user.org_unit),
        "roles": user.role_codes,
        "role_names": user.role_names,
        "permissions": sorted(user.get_all_permissions()),
        "sees_all_units": user.has_perm("core.view_all_units"),
    }


@router.get("/roles", response=list[RoleOut], summary="The roles and their permissions")
def roles(request: HttpRequest):
    return [
        {
            "code": r.code,
            "name": str(r.name),
            "description": str(r.description),
            "permissions": sorted(role_permissions(r.code)),
        }
        for r in ROLES.values()
    ]


def _visible_unit_by_code(request: HttpRequest, code: str) -> OrgUnit:
    return get_visible(OrgUnit.objects.visible_to(request.user), code=code)


@router.get("/users", response=list[UserOut], summary="Users in your scope")
@paginate(LimitOffsetPagination)
def users(request: HttpRequest, filters: Query[UserFilter]):
    require_perm(request.user, "core.manage_users")
    unit = _visible_unit_by_code(request, filters.unit) if filters.unit else None
    return [
        _user_out(u)
        for u in user_list(
            user=request.user,
            q=filters.q,
            unit=unit,
            role=filters.role,
            include_inactive=filters.include_inactive,
        )
    ]


@router.get("/users/{user_id}", response=UserOut)
def user_detail(request: HttpRequest, user_id: int):
    require_perm(request.user, "core.manage_users")
    return _user_out(
        get_visible(User.objects.visible_to(request.user).select_related("org_unit"), pk=user_id)
    )


@router.post("/users", response={201: UserOut})
def user_create(request: HttpRequest, payload: UserIn):
    require_perm(request.user, "core.manage_users")
    unit = _visible_unit_by_code(request, payload.unit)
    user = svc.user_create(
        actor=request.user,
        username=payload.username,
        full_name=payload.full_name,
        email=payload.email,
        org_unit=unit,
        roles=payload.roles,
        password=payload.password,
    )
    return Status(201, _user_out(user))


@router.patch("/users/{user_id}", response=UserOut)
def user_update(request: HttpRequest, user_id: int, payload: UserPatch):
    require_perm(request.user, "core.manage_users")
    target = get_visible(User.objects.visible_to(request.user), pk=user_id)
    unit = _visible_unit_by_code(request, payload.unit) if payload.unit else None
    user = svc.user_update(
        actor=request.user,
        user=target,
        full_name=payload.full_name,
        email=payload.email,
        org_unit=unit,
        roles=payload.roles,
        is_active=payload.is_active,
    )
    return _user_out(user)


@router.post(
    "/users/{user_id}/pending-roles/{role}/approve",
    response=UserOut,
    summary="Approve a requested role (an administrator other than the one who asked)",
)
def role_request_approve(request: HttpRequest, user_id: int, role: str):
    require_perm(request.user, "core.manage_users")
    target = get_visible(User.objects.visible_to(request.user), pk=user_id)
    return _user_out(svc.role_request_approve(actor=request.user, user=target, role=role))


@router.post(
    "/users/{user_id}/pending-roles/{role}/reject", response=UserOut, summary="Reject a requested role"
)
def role_request_reject(request: HttpRequest, user_id: int, role: str):
    require_perm(request.user, "core.manage_users")
    target = get_visible(User.objects.visible_to(request.user), pk=user_id)
    return _user_out(svc.role_request_reject(actor=request.user, user=target, role=role))
