from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from xiaobao.core.roles import ROLES, role_permissions


def roles_sync() -> None:
    """Make one Django group per role with exactly the role's permissions (run after every migrate)."""
    perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.code)
        wanted = [perms[c] for c in role_permissions(role.code) if c in perms]
        group.permissions.set(wanted)
