"""Scoping-quartet entries for directory (see core/tests/route_table.py).

Directory sign-in is institution-wide configuration (the system administrator's): every route is "global",
guarded by directory.manage_groupmapping. The sweep runs without a directory server, so the look-up and the
sync answer 409 (directory_off) to the allowed user; their real behaviour is tested against slapd in
test_sync.py."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS: list[str] = ["directory.manage_groupmapping"]


def setup(ctx: Any) -> None:
    from xiaobao.directory.models import GroupRoleMapping

    ctx.group_mapping = GroupRoleMapping.objects.create(
        group_dn="cn=sweep,ou=groups,dc=bank,dc=cn",
        group_key="cn=sweep,ou=groups,dc=bank,dc=cn",
        role="auditor",
    )


def _mapping(ctx: Any) -> dict[str, Any]:
    return {"pk": ctx.group_mapping.pk}


def _mapping_api(ctx: Any) -> dict[str, Any]:
    return {"mapping_id": ctx.group_mapping.pk}


PAGE_ROUTES: list[Route] = [
    Route("directory:index", "get", kind="global"),
    Route("directory:mapping_create", "get", kind="global"),
    Route(
        "directory:mapping_create",
        "post",
        kind="global",
        data=lambda c: {"group_dn": "cn=new,ou=groups,dc=bank,dc=cn", "role": "learner"},
        ok=(302,),
    ),
    Route("directory:mapping_edit", "get", _mapping, kind="global"),
    Route("directory:mapping_delete", "post", _mapping, kind="global", ok=(302,)),
    Route("directory:lookup", "post", kind="global", data=lambda c: {"username": "zhangsan"}, ok=(409,)),
    Route("directory:sync", "post", kind="global", ok=(302,)),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/directory/group-mappings", "get", kind="global"),
    Route(
        "POST /api/v1/directory/group-mappings",
        "post",
        kind="global",
        data=lambda c: {"group_dn": "cn=api,ou=groups,dc=bank,dc=cn", "role": "learner"},
        ok=(201,),
    ),
    Route(
        "PATCH /api/v1/directory/group-mappings/{mapping_id}",
        "patch",
        _mapping_api,
        lambda c: {"note": "已核"},
        kind="global",
    ),
    Route(
        "DELETE /api/v1/directory/group-mappings/{mapping_id}",
        "delete",
        _mapping_api,
        kind="global",
        ok=(204,),
    ),
    Route(
        "POST /api/v1/directory/lookup", "post", kind="global", data=lambda c: {"username": "x"}, ok=(409,)
    ),
    Route("POST /api/v1/directory/sync", "post", kind="global", ok=(409,)),
]
# OpenID Connect sign-in's start and the provider's return: public on purpose (no one is signed in yet; 404
# while OIDC is not configured, as in the sweep); tested against a real provider in test_oidc.py
PUBLIC_PAGES: set[str] = {"directory:oidc_authenticate", "directory:oidc_callback"}
PUBLIC_API: set[str] = set()
